import Collate
import CollateData
import CollateTestSupport
import Foundation
import Testing

/// `collate export` stopped by SIGTERM, SIGINT or SIGHUP while a pipelined export (a
/// pre-tokenized file of 64 MiB or more) writes its shards dies by that signal (a shell reports
/// 128 + n), leaves nothing that looks like an export, and its re-run writes the whole export.
///
/// Found by attack: a signal that arrived while the writer thread was creating a shard made
/// that write fail with "the process is stopping on a signal", and the main thread reported it
/// and exited 1 before the signal's cleanup ended the process — a scheduler or shell saw an
/// ordinary failure, not a stop. Stops late in the export (a cleanup of thousands of files)
/// did so about one time in four.
@Suite("A pipelined export stopped by a signal dies by it and leaves no export")
struct PipelinedExportSignalTests {
    /// Writes a pre-tokenized file just over the pipelined export's 64 MiB threshold.
    static func writeData(to url: URL) throws {
        var generator = SeededGenerator(seed: 7)
        var text = ""
        text.reserveCapacity(70 << 20)
        while text.utf8.count < PipelineConfiguration.pipelinedExportMinimumBytes + (1 << 20) {
            let length = Int(generator.next(below: 200)) + 100
            text += "{\"input_ids\": ["
            for index in 0..<length {
                if index > 0 { text += ", " }
                text += String(Int(generator.next(below: 30_000)) + 3)
            }
            text += "]}\n"
        }
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    @Test func everyStopSignalEndsTheExportByItAndTheReRunCompletes() throws {
        // In memory where the system has it (/dev/shm): 150 MB of shards written and removed
        // several times take a minute on a disk.
        let shm = URL(fileURLWithPath: "/dev/shm/collate-tests-\(UUID().uuidString)")
        let directory = (try? FileManager.default.createDirectory(at: shm, withIntermediateDirectories: false)) != nil
            ? shm : try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = directory.appendingPathComponent("spec.json")
        try #"{"type": "flattening"}"#.write(to: spec, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("data.jsonl")
        try Self.writeData(to: input)
        let out = directory.appendingPathComponent("out")
        func arguments(_ out: URL) -> [String] {
            ["export", "--spec", spec.path, "--input", input.path, "--out", out.path, "--world-size", "4", "--batch-size", "4"]
        }
        let clean = directory.appendingPathComponent("clean")
        let cleanRun = try CollateProcess.run(arguments(clean))
        try #require(cleanRun.status == 0, "\(cleanRun.stderr)")
        let batches = try FileManager.default.contentsOfDirectory(atPath: clean.appendingPathComponent("rank-00000").path).count

        // Each stop comes once rank 0's hidden folder holds a share of its shards: late stops
        // (a long cleanup of thousands of files) are where the failure showed.
        let stops: [(Int32, Double)] = [(SIGTERM, 0.05), (SIGINT, 0.6), (SIGHUP, 0.85), (SIGTERM, 0.9), (SIGINT, 0.95), (SIGTERM, 0.97)]
        var stopped = 0
        for (signalNumber, share) in stops {
            let process = Process()
            process.executableURL = CollateProcess.executable
            process.arguments = arguments(out)
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            // Wait (at most 120 s) for rank 0's hidden folder to hold `share` of its shards.
            let deadline = Date().addingTimeInterval(120)
            func written() -> Int {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: out.path),
                      let hidden = names.first(where: { $0.hasPrefix(".rank-00000.") }) else { return 0 }
                return (try? FileManager.default.contentsOfDirectory(atPath: out.path + "/" + hidden))?.count ?? 0
            }
            while Double(written()) < share * Double(batches), process.isRunning, Date() < deadline { usleep(2000) }
            kill(process.processIdentifier, signalNumber)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationReason == .uncaughtSignal else {
                // The export ended before the signal: it must have succeeded, whole.
                #expect(process.terminationStatus == 0, "signal \(signalNumber) at \(share) of the shards: exit \(process.terminationStatus), \(stderr)")
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.json").path))
                try? FileManager.default.removeItem(at: out)
                continue
            }
            stopped += 1
            #expect(process.terminationStatus == signalNumber, "signal \(signalNumber) at \(share) of the shards: \(stderr)")
            #expect(!stderr.contains("stopping on a signal"), "\(stderr)")
            // Nothing that looks like an export: no index, no rank folder, no hidden folder or temporary
            // (the lock file may stay: the next export takes it over).
            let left = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
            #expect(left.allSatisfy { $0 == ".collate-export.lock" }, "signal \(signalNumber) at \(share) of the shards left \(left)")
        }
        #expect(stopped >= 3, "most exports ended before their signal; make the dataset larger")

        // The re-run writes the whole export.
        let rerun = try CollateProcess.run(arguments(out))
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let lock: Set<String> = [".collate-export.lock"]
        let rerunFiles = try FolderContents.files(in: out, excluding: lock), cleanFiles = try FolderContents.files(in: clean, excluding: lock)
        #expect(rerunFiles.count == cleanFiles.count)
        #expect(rerunFiles == cleanFiles, "the re-run's files differ from an uninterrupted export's")
    }
}
