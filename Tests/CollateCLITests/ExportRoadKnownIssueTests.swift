import Collate
import Foundation
import Testing

/// `collate export` problems found by the "road" attack (session 5) in code another helper owns
/// (Sources/CollateData/Export, the export command). Each test states the expected behaviour and
/// is wrapped in `withKnownIssue` until the owner fixes it; then the wrapper comes off.
@Suite("collate export: known issues from the road to torchrun", .serialized)
struct ExportRoadKnownIssueTests {
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

    /// Issue #18 asks that "each shard records which dataset lines it holds (so a run can prove
    /// coverage)", and train.py prints them as `example_indices`. With packing in the pipeline
    /// a shard's `lines` name only the FIRST conversation of each packed row, so 8 examples
    /// packed into 2 rows record 2 lines and a run cannot prove it saw the other 6.
    ///
    /// Reproduction: a pipeline with `"packing": {"strategy": "bfd", "max_tokens": 16}` over 8
    /// tokenized lines, `collate export --config p.json --out o --world-size 1`. Expected: the
    /// shards' `lines` (or a per-row list beside them) cover lines 0...7. Actual: one line per
    /// row (`StreamedRun.line(ofUnit:)` returns `spool.lines[first]`). Probable fix: record every
    /// member's line for a packed unit (e.g. `lines` = all member lines in row order, plus
    /// `row_lines` [[...], ...] so a reader can still name rows), in ShardExporter's metadata and
    /// index.json, and read it in collate_shards.ShardBatch.example_indices.
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
        withKnownIssue("packed rows record only their first member's line (shards helper: Sources/CollateData/Export)") {
            #expect(Set(lines) == Set(0..<8), "recorded lines \(lines.sorted())")
        }
    }

    /// A file-size limit (`ulimit -f`, the nearest thing to a full disk without root) kills
    /// `collate export` with SIGXFSZ: no message, exit status 153 from a shell. Expected: exit
    /// 1 with a message naming the file it could not write and the cause ("File too large" /
    /// "No space left on device"). Probable fix: ignore SIGXFSZ at start (`signal(SIGXFSZ,
    /// SIG_IGN)` in the CLI's main), so write(2) fails with EFBIG and the existing write-error
    /// path reports it.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)))
    func aFileSizeLimitIsAMessageNotASignal() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = (0..<2000).map { n in
            let ids = (0..<200).map { String((n * 31 + $0) % 30000 + 3) }.joined(separator: ", ")
            return "{\"input_ids\": [\(ids)], \"labels\": [\(ids)]}"
        }.joined(separator: "\n") + "\n"
        let input = try CollateProcess.write(data, to: "data.jsonl", in: dir)
        let spec = try CollateProcess.write(#"{"type": "flattening"}"#, to: "spec.json", in: dir)
        let out = dir.appendingPathComponent("out")
        // 32 KiB: the spool passes it.
        let run = try Self.collate(["export", "--spec", spec, "--input", input, "--out", out.path, "--world-size", "1", "--batch-size", "64"],
                                   fileSizeLimit: 32_768)
        withKnownIssue("SIGXFSZ kills collate export without a message (export / CLI main, not the road's area)") {
            #expect(run.status == 1 && !run.signalled, "status \(run.status), signalled \(run.signalled): \(run.stderr)")
            #expect(run.stderr.contains("collate export:"), "\(run.stderr)")
        }
    }

    /// SIGTERM (or Ctrl-C) while `collate export` writes a group of shards leaves the group's
    /// hidden temporary files (`rank-00000/.batch-000453.safetensors.<UUID>.tmp`, full size) in
    /// the output folder — measured: 69 files after a SIGTERM 60 s into a 600 MB export. A
    /// re-run removes them and resumes (387 of 3126 shards skipped), so the export is resumable,
    /// but a user who stops for good keeps them. Expected: none left after the process ends.
    /// Probable fix: in the export command, handle SIGTERM/SIGINT/SIGHUP (a dispatch signal
    /// source, as `ExternalBackend.endWorkersOnSignals` does) by unlinking the open group's temp
    /// files, then dying by the same signal.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)))
    func aStoppedExportLeavesNoTemporaryFiles() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = (0..<6000).map { n in
            let ids = (0..<200).map { String((n * 31 + $0) % 30000 + 3) }.joined(separator: ", ")
            return "{\"input_ids\": [\(ids)], \"labels\": [\(ids)]}"
        }.joined(separator: "\n") + "\n"
        let input = try CollateProcess.write(data, to: "data.jsonl", in: dir)
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
        // Only meaningful when the signal landed while a group was being written.
        guard caught else { return }
        withKnownIssue("a stopped export leaves its open group's .tmp files (shards helper: Sources/CollateData/Export)") {
            #expect(temporaryFiles().isEmpty, "left behind: \(temporaryFiles().prefix(3)) ...")
        }
    }
}
