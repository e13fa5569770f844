import CollateData
import Foundation
import Testing

/// Two `collate export` runs into one `--out`: the second used to start and delete the first's
/// temporary files (each run clears `.tmp` files it finds). Now the folder is locked.
@Suite("Concurrent exports into one folder")
struct ConcurrentExportTests {
    @Test func theSecondExportIsRefusedWhileTheFirstRuns() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = CollateProcess.fixtures.appendingPathComponent("bad/support/lm-spec.json").path
        let lines = (0..<6000).map { "{\"input_ids\": [\($0 % 900 + 1), 2, 3]}" }
        let input = directory.appendingPathComponent("examples.jsonl")
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out")
        let arguments = ["export", "--spec", spec, "--input", input.path, "--out", out.path, "--world-size", "3", "--batch-size", "1"]

        let first = Process()
        first.executableURL = CollateProcess.executable
        first.arguments = arguments
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        let firstShard = out.appendingPathComponent("rank-00000/batch-000000.safetensors").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: firstShard), first.isRunning, Date() < deadline { usleep(1000) }
        let second = try CollateProcess.run(arguments, timeout: .seconds(120))
        let firstWasRunning = first.isRunning
        first.waitUntilExit()
        try #require(firstWasRunning, "the first export finished before the second started; make the dataset larger")
        #expect(second.status == 1)
        #expect(second.stderr.contains("collate export: another export is writing \(out.path)"), "\(second.stderr)")
        #expect(first.terminationStatus == 0)
        // The first export's result is whole: every shard belongs to its index.
        let index = try ShardIndex(directory: out)
        #expect(index.shards.count == 6000)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(ShardExporter.lockFileName).path))
    }
}
