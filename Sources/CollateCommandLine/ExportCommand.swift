import Collate
import CollateData
import Foundation

/// `collate export --spec SPEC.json --input EXAMPLES.jsonl --out DIR --world-size W [--batch-size N]`:
/// writes per-rank safetensors shards and `DIR/index.json`; a re-run skips complete shards.
///
/// The spec is a collator spec; it may also carry `"transforms": [...]` (example transforms
/// run over the dataset first, batch transforms over each batch). Prints one JSON line
/// `{"shards", "written", "skipped", "index"}`.
enum ExportCommand {
    static var usage: String {
        """
            usage: \(Tool.name) export --spec SPEC.json --input DATA.jsonl --out DIR --world-size W [--batch-size N]
                                  [--format F] [--tokenizer PATH] [--template NAME] [--train-on WHAT] [--config FILE] [--model DIR]

              --out DIR           the shard folder (rank-RRRRR/batch-BBBBBB.safetensors and index.json)
              --world-size W      ranks to shard for
            \(DataFlags.usage)
            With packing in the pipeline file, each batch holds batch_size packed rows.
            """
    }

    static func run(arguments: [String]) -> Int32 {
        let values: DataFlags.Values, outPath: String, worldSize: Int
        do {
            let parsed = try Arguments(arguments, options: DataFlags.options.union(["--out", "--world-size"]))
            values = try DataFlags.values(parsed)
            if values.spec == nil && values.config == nil { throw UsageError("missing --spec") }
            outPath = try parsed.required("--out")
            guard let world = try parsed.positiveInt("--world-size") else { throw UsageError("missing --world-size") }
            worldSize = world
        } catch {
            Console.message("\(Tool.name) export: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        // Ctrl-C or SIGTERM removes the shards being written before the process dies by the
        // signal; the complete shards stay, so a re-run resumes (a pipelined export names none
        // before its end, so its re-run starts over). (Not inside a test runner,
        // whose own signal handling the commands it runs in-process must not change.)
        if !Console.isTestProcess { AtomicFile.removeTemporariesOnSignals() }
        do {
            let configuration = try DataFlags.configuration(values)
            let outURL = URL(fileURLWithPath: outPath)
            // A folder another export is writing is refused now, not after reading the dataset.
            try ShardExporter.checkNotLocked(outURL)
            let clock = ContinuousClock()
            let start = clock.now
            // The fingerprint covers what decides the shards' contents: the units, the collator and the layout.
            let specText = configuration.collator?.jsonText
                ?? configuration.collatorFile.flatMap { FileManager.default.contents(atPath: $0.path) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
            // A new export of a large pre-tokenized file, neither shuffled nor packed: shards are
            // collated and written while the file is read (the same files as below).
            if let pipelined = try configuration.exportWhileReading(to: outURL, worldSize: worldSize, fingerprintSpec: specText) {
                report(pipelined.report, pipelined.transformReport)
                if ProcessInfo.processInfo.environment["COLLATE_EXPORT_TIMINGS"] == "1" {
                    Console.message(Self.timingsLine(pipelined.summary.timings, read: .zero, fingerprint: .zero, total: clock.now - start)
                        + " (pipelined: reading overlaps the shard phase)")
                }
                printSummary(pipelined.summary)
                return ExitStatus.success
            }
            // Else the dataset is spilled beside the output (its nearest existing folder) and read
            // back a batch at a time: memory stays bounded by the batches, not the dataset.
            let run = try configuration.prepareStreaming(spoolDirectory: spoolDirectory(for: outURL))
            report(run.report, run.transformReport)
            let layout = run.plan.map { "packed:\($0.capacity)" } ?? ""
            // Each unit's 0-based dataset line; a packed row is named by its first member.
            let source = run.source
            let prepared = clock.now
            let fingerprint = try ShardExporter.fingerprint(source, spec: specText + layout, worldSize: worldSize, batchSize: configuration.batchSize)
            let fingerprinted = clock.now
            let exporter = ShardExporter(directory: outURL, worldSize: worldSize, batchSize: configuration.batchSize, fingerprint: fingerprint)
            let summary: ShardExporter.Summary
            do {
                summary = try exporter.export(source, collator: run.collator, transforms: run.transforms)
            } catch LoaderError.collation(let error, let example) {
                let line = run.plan == nil ? example.flatMap { run.line(ofUnit: $0) } : nil
                throw InputError(file: run.file, line: line, reason: error.description)
            }
            if ProcessInfo.processInfo.environment["COLLATE_EXPORT_TIMINGS"] == "1" {
                Console.message(Self.timingsLine(summary.timings, read: prepared - start, fingerprint: fingerprinted - prepared, total: clock.now - start))
            }
            printSummary(summary)
            return ExitStatus.success
        } catch {
            // A write refused because a stop signal arrived: the signal's cleanup ends the
            // process by the signal (128 + n), not this failure (1).
            AtomicFile.waitForStopSignal()
            Console.flush()
            Console.message("\(Tool.name) export: \(error)")
            return ExitStatus.rejected
        }
    }

    /// Reports skipped lines and what the example transforms dropped or changed (stderr).
    static func report(_ report: DatasetReport, _ transformReport: TransformPipeline.Report) {
        if !report.skipped.isEmpty { Console.message("\(Tool.name) export: \(report)") }
        if !transformReport.dropped.isEmpty || !transformReport.modified.isEmpty {
            Console.message("\(Tool.name) export: \(transformReport)")
        }
    }

    /// Prints the summary line `{"shards", "written", "skipped", "index"}` (stdout).
    static func printSummary(_ summary: ShardExporter.Summary) {
        var line = #"{"shards": \#(summary.shards), "written": \#(summary.written), "skipped": \#(summary.skipped), "index": "#
        JSONWriter.writeString(summary.index.path, into: &line)
        Console.output(line + "}")
        Console.flush()
    }

    /// `COLLATE_EXPORT_TIMINGS=1`'s stderr line: where the export's time went, and the shard
    /// bytes per second of encoding and writing (to the page cache) and of the whole export.
    static func timingsLine(_ timings: ShardExporter.Timings, read: Duration, fingerprint: Duration, total: Duration) -> String {
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        let megabytes = Double(timings.bytes) / 1e6
        let writing = timings.encodeSeconds + timings.writeSeconds
        // The shard phase: collating on this thread, encoding, writing and syncing on the writer's.
        let shardPhase = seconds(total) - seconds(read) - seconds(fingerprint)
        return String(
            format: "\(Tool.name) export: timings: read %.2f s, fingerprint %.2f s, collate %.2f s, encode %.2f s, write %.2f s, sync %.2f s, total %.2f s; "
                + "%.1f MB of shards, %.0f MB/s encoded and written, %.0f MB/s over the shard phase (%.2f s), %.0f MB/s overall; "
                + "shard phase CPU: collating thread %.2f s, writer thread %.2f s (%.0f MB per writer CPU second)",
            seconds(read), seconds(fingerprint), timings.collateSeconds, timings.encodeSeconds, timings.writeSeconds, timings.syncSeconds,
            seconds(total), megabytes, writing > 0 ? megabytes / writing : 0, shardPhase > 0 ? megabytes / shardPhase : 0, shardPhase,
            megabytes / max(seconds(total), 1e-9), timings.callerCPUSeconds, timings.writerCPUSeconds,
            timings.writerCPUSeconds > 0 ? megabytes / timings.writerCPUSeconds : 0)
    }

    /// The nearest folder of `url` (itself or an ancestor) that exists: where the example
    /// spool goes, on the output's disk, without making the output folder before the dataset
    /// has been read.
    static func spoolDirectory(for url: URL) -> URL {
        var candidate = url.standardizedFileURL
        for _ in 0..<256 {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue { return candidate }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { break }
            candidate = parent
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }
}
