import Collate
import Foundation
import Testing

/// `collate export` problems found by using it on the road to torchrun: packed rows' lines, a
/// file-size limit, a stopped export's temporaries. Each test failed before its fix.
@Suite("collate export: the road to torchrun", .serialized)
struct ExportRoadTests {
    /// A Process that runs the built `collate` with `arguments` as a shell would start it:
    /// through `python3`, which restores the default action and unblocks SIGTERM, SIGINT and
    /// SIGXFSZ (a test runner's children inherit them ignored or blocked), optionally sets a
    /// file-size limit in bytes, and then execs collate.
    static func process(_ arguments: [String], fileSizeLimit: Int? = nil) throws -> Process {
        let python = try #require(TorchPython.interpreter)
        let script = """
            import os, resource, signal, sys
            for number in (signal.SIGTERM, signal.SIGINT, signal.SIGXFSZ):
                signal.signal(number, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT, signal.SIGXFSZ])
            limit = int(sys.argv[1])
            if limit > 0:
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            os.execv(sys.argv[2], sys.argv[2:])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, String(fileSizeLimit ?? 0),
                             CollateProcess.productsDirectory.appendingPathComponent("collate").path] + arguments
        process.standardOutput = FileHandle.nullDevice
        return process
    }

    /// Runs `collate ARGUMENTS` (see ``process(_:fileSizeLimit:)``) with a deadline.
    static func collate(_ arguments: [String], fileSizeLimit: Int? = nil, deadline: Double = 120) throws -> (status: Int32, signalled: Bool, stderr: String) {
        let process = try Self.process(arguments, fileSizeLimit: fileSizeLimit)
        let err = Pipe()
        process.standardError = err
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, String(decoding: stderr, as: UTF8.self))
    }

    /// `count` pre-tokenized JSONL lines of 200 ids each, labels equal to the ids.
    static func tokenLines(_ count: Int) -> String {
        (0..<count).map { n in
            let ids = (0..<200).map { String((n * 31 + $0) % 30000 + 3) }.joined(separator: ", ")
            return "{\"input_ids\": [\(ids)], \"labels\": [\(ids)]}"
        }.joined(separator: "\n") + "\n"
    }

    /// The 0-based line numbers every shard of `out/index.json` records.
    static func recordedLines(_ out: URL) throws -> [Int] {
        guard case .object(let index) = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("index.json"), encoding: .utf8)),
              case .array(let shards)? = index["shards"] else { throw CocoaError(.coderReadCorrupt) }
        var lines: [Int] = []
        for shard in shards {
            guard case .object(let entry) = shard, case .array(let values)? = entry["lines"] else { continue }
            for value in values { if case .integer(let line) = value { lines.append(Int(line)) } }
        }
        return lines
    }

    /// Each shard records which dataset lines it holds, so a run can prove coverage (train.py
    /// prints them as `example_indices`). With packing, a shard's `lines` used to name only the
    /// first conversation of each packed row (8 examples in 2 rows recorded 2 lines); now they
    /// name every member of every row, in row order.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)))
    func packedExportRecordsEveryLineOfEveryRow() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = (0..<8).map { n in
            let ids = (0..<(n % 3 + 3)).map { String(n * 10 + $0 + 1) }.joined(separator: ", ")
            return "{\"input_ids\": [\(ids)], \"labels\": [\(ids)]}"
        }.joined(separator: "\n") + "\n"
        _ = try CollateProcess.write(data, to: "data.jsonl", in: dir)
        let pipeline = try CollateProcess.write("""
            {"data": {"path": "data.jsonl", "format": "tokenized"}, "packing": {"strategy": "bfd", "max_tokens": 16},
             "collator": {"type": "flattening"}, "batch_size": 1}
            """, to: "pipeline.json", in: dir)
        let out = dir.appendingPathComponent("out")
        let run = try Self.collate(["export", "--config", pipeline, "--out", out.path, "--world-size", "1"])
        try #require(run.status == 0, "\(run.stderr)")
        let lines = try Self.recordedLines(out)
        #expect(lines.sorted() == Array(0..<8), "recorded lines \(lines.sorted())")
    }

    /// A file-size limit (`ulimit -f`, the nearest thing to a full disk without root) used to
    /// kill `collate export` with SIGXFSZ, without a message. Now SIGXFSZ is ignored, write(2)
    /// fails with EFBIG, and the export exits 1 naming the file and "File too large".
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)))
    func aFileSizeLimitIsAMessageNotASignal() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try CollateProcess.write(Self.tokenLines(2000), to: "data.jsonl", in: dir)
        let spec = try CollateProcess.write(#"{"type": "flattening"}"#, to: "spec.json", in: dir)
        let out = dir.appendingPathComponent("out")
        // 32 KiB: the spool passes it.
        let run = try Self.collate(["export", "--spec", spec, "--input", input, "--out", out.path, "--world-size", "1", "--batch-size", "64"],
                                   fileSizeLimit: 32_768)
        #expect(run.status == 1 && !run.signalled, "status \(run.status), signalled \(run.signalled): \(run.stderr)")
        #expect(run.stderr.contains("collate export:") && run.stderr.contains("File too large"), "\(run.stderr)")
    }

    /// SIGTERM (or Ctrl-C) while `collate export` wrote a group of shards used to leave the
    /// group's hidden temporary files in the output folder (69 after a SIGTERM 60 s into a
    /// 600 MB export). Now the export removes them and dies by the signal; complete shards stay,
    /// so a re-run resumes.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)))
    func aStoppedExportLeavesNoTemporaryFiles() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try CollateProcess.write(Self.tokenLines(6000), to: "data.jsonl", in: dir)
        let spec = try CollateProcess.write(#"{"type": "flattening"}"#, to: "spec.json", in: dir)
        let out = dir.appendingPathComponent("out")
        let process = try Self.process(["export", "--spec", spec, "--input", input, "--out", out.path, "--world-size", "1", "--batch-size", "4"])
        process.standardError = FileHandle.nullDevice
        try process.run()
        func temporaryFiles() -> [String] {
            let files = FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []
            return files.filter { $0.hasSuffix(".tmp") }
        }
        let deadline = Date().addingTimeInterval(120)
        var caught = false
        while process.isRunning, Date() < deadline {
            if !temporaryFiles().isEmpty { caught = true; break }
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        // Temporaries live until their group commits (up to 1,024 shards), so one is seen.
        try #require(caught, "no temporary file was seen before the export ended")
        #expect(temporaryFiles().isEmpty, "left behind: \(temporaryFiles().prefix(3)) ...")
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
    }

    /// The pipelined export (a pre-tokenized file of 64 MiB or more) writes each rank's shards
    /// into a hidden folder that takes the rank folder's name at the end. A SIGTERM midway
    /// removes the hidden folders with their shards (the process dies by the signal); a SIGKILL
    /// leaves them, never under a rank folder's name and with no index, and the next export
    /// removes them and writes the whole export.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), arguments: [SIGTERM, SIGKILL])
    func aStoppedPipelinedExportLeavesNoHiddenFolder(_ signalNumber: Int32) throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Past 64 MiB with few tokens: 16 distinct lines of 40 ids padded with JSON whitespace, repeated.
        let padding = String(repeating: " ", count: 1500)
        let distinct = (0..<16).map { n in
            let ids = (0..<20).map { String((n * 31 + $0 * 7) % 30000 + 3) }.joined(separator: ", ")
            return Array("{\"input_ids\": [\(ids)],\(padding)\"labels\": [\(ids)]}\n".utf8)
        }
        var data: [UInt8] = []
        data.reserveCapacity(72 << 20)
        var count = 0
        while data.count <= 66 << 20 {
            data += distinct[count % distinct.count]
            count += 1
        }
        let input = dir.appendingPathComponent("data.jsonl")
        try Data(data).write(to: input)
        data = []
        let spec = try CollateProcess.write(#"{"type": "flattening"}"#, to: "spec.json", in: dir)
        let out = dir.appendingPathComponent("out")
        let arguments = ["export", "--spec", spec, "--input", input.path, "--out", out.path, "--world-size", "4", "--batch-size", "16"]
        let process = try Self.process(arguments)
        process.standardError = FileHandle.nullDevice
        try process.run()
        func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).sorted() }
        func hiddenFolders() -> [String] { entries().filter { $0.hasPrefix(".rank-") } }
        let deadline = Date().addingTimeInterval(120)
        var caught = false
        while process.isRunning, Date() < deadline {
            // Mid-write: a hidden folder holds a shard.
            if let folder = hiddenFolders().first,
               !((try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(folder).path)) ?? []).isEmpty {
                caught = true
                break
            }
            usleep(2_000)
        }
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        try #require(caught, "no hidden rank folder was seen before the export ended")
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber)
        #expect(!entries().contains("index.json"))
        #expect(!entries().contains { $0.hasPrefix("rank-") }, "\(entries())")
        #expect(hiddenFolders().isEmpty == (signalNumber == SIGTERM), "\(entries())")
        let rerun = try Self.collate(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(entries() == ["index.json", "rank-00000", "rank-00001", "rank-00002", "rank-00003"])
        let shards = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("rank-00003").path)
        #expect(shards.count == ((count + 3) / 4 + 15) / 16 && shards.allSatisfy { $0.hasPrefix("batch-") })
    }
}
