import Collate
import CollateData
import CollateTestSupport
import Foundation
import Testing

/// `collate export` killed with SIGKILL after its first shard leaves no partial shard, and a
/// re-run resumes to files byte-identical to an uninterrupted run's.
@Suite("A killed export resumes to the same shards")
struct ExportKillTests {
    @Test func sigkillMidwayLeavesNoPartialShardAndResumesToTheCleanResult() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = directory.appendingPathComponent("spec.json")
        try #"{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 1005, "seed": 9}"#
            .write(to: spec, atomically: true, encoding: .utf8)
        // 1,500 one-example shards: long enough to be killed midway, small enough to read fast.
        var generator = SeededGenerator(seed: 1)
        let lines = (0..<1500).map { _ in
            "{\"input_ids\": \((0..<Int(generator.next(below: 24)) + 1).map { _ in Int(generator.next(below: 1000)) + 5 })}"
        }
        let input = directory.appendingPathComponent("examples.jsonl")
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        func arguments(_ out: URL) -> [String] {
            ["export", "--spec", spec.path, "--input", input.path, "--out", out.path, "--world-size", "3", "--batch-size", "1"]
        }

        let clean = directory.appendingPathComponent("clean")
        let cleanRun = try CollateProcess.run(arguments(clean))
        #expect(cleanRun.status == 0, "\(cleanRun.stderr)")

        // Start a second export and SIGKILL it as soon as its first shard is on disk.
        let killed = directory.appendingPathComponent("killed")
        let process = Process()
        process.executableURL = CollateProcess.executable
        process.arguments = arguments(killed)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let firstShard = killed.appendingPathComponent("rank-00000/batch-000000.safetensors").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: firstShard), process.isRunning, Date() < deadline {
            usleep(1000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the export finished before it could be killed; make the dataset larger")

        // What the kill left: whole shards only (each parses, its bytes equal the clean run's),
        // perhaps a hidden temporary file, and no index yet.
        let cleanFiles = try FolderContents.files(in: clean)
        let leftFiles = try FolderContents.files(in: killed)
        let shards = leftFiles.filter { $0.key.hasSuffix(".safetensors") && !($0.key.split(separator: "/").last ?? "").hasPrefix(".") }
        #expect(!shards.isEmpty)
        #expect(shards.count < cleanFiles.count - 1, "the kill came after the last shard")
        for (name, bytes) in shards {
            #expect(throws: Never.self) { try SafetensorsFile(decoding: [UInt8](bytes)) }
            #expect(bytes == cleanFiles[name], "\(name) differs from the clean run's")
        }
        #expect(leftFiles["index.json"] == nil)

        // Resume: complete shards are skipped, the rest written; the result is the clean one.
        let resumed = try CollateProcess.run(arguments(killed))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("\"skipped\": \(shards.count)"), "\(resumed.stdout)")
        let resumedFiles = try FolderContents.files(in: killed)
        #expect(resumedFiles.keys.sorted() == cleanFiles.keys.sorted())
        for (name, bytes) in cleanFiles where name != "index.json" {
            #expect(resumedFiles[name] == bytes, "\(name) differs after the resume")
        }
        // The index names its own path nowhere, so it must match too.
        #expect(resumedFiles["index.json"] == cleanFiles["index.json"])
    }
}
