import Collate
import CollateData
import Foundation

/// `collate batch --spec SPEC.json --input EXAMPLES.jsonl [--batch-size N]` (and every data
/// flag, or `--config FILE`): one JSON object per batch.
///
/// Without `--batch-size` all lines form one batch. With packing in the pipeline file, each
/// batch holds `batch_size` packed rows (padding-free collators get the rows' sequences).
enum BatchCommand {
    static var usage: String {
        """
            usage: \(Tool.name) batch --spec SPEC.json --input DATA.jsonl [--batch-size N]
                                 [--format F] [--tokenizer PATH] [--template NAME] [--train-on WHAT] [--config FILE] [--model DIR]

            \(DataFlags.usage)
            """
    }

    static func run(arguments: [String]) -> Int32 {
        let values: DataFlags.Values
        do {
            let parsed = try Arguments(arguments, options: DataFlags.options)
            values = try DataFlags.values(parsed)
            if values.spec == nil && values.config == nil { throw UsageError("missing --spec") }
        } catch {
            Console.message("\(Tool.name) batch: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            // The dataset is spilled to an unlinked file and read back a batch at a time, as
            // `collate export` does: memory stays bounded by a batch, not the dataset.
            let configuration = try DataFlags.configuration(values)
            let run = try configuration.prepareStreaming(spoolDirectory: FileManager.default.temporaryDirectory)
            if !run.report.skipped.isEmpty { Console.message("\(Tool.name) batch: \(run.report)") }
            // Every batch is collated before the first is printed: a rejected input prints
            // nothing on stdout (README, "Command line"). The printed batches wait in memory up
            // to a limit, then in an unlinked file, so the output's size does not bound memory either.
            let output = HeldOutput(directory: FileManager.default.temporaryDirectory)
            let size = max(configuration.batchSize ?? run.unitCount, 1)
            for start in stride(from: 0, to: run.unitCount, by: size) {
                let range = start..<min(start + size, run.unitCount)
                try output.append(try batch(range, of: run).jsonText)
            }
            try output.release()
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("\(Tool.name) batch: \(error)")
            return ExitStatus.rejected
        }
    }

    /// Collates the units in `range` and runs the batch transforms, as ``PipelineRun/batch(_:)``
    /// does for the same range of the same units.
    /// - Throws: ``InputError`` naming the data file and the line of the example at fault.
    static func batch(_ range: Range<Int>, of run: StreamedRun) throws -> Batch {
        do {
            let batch = try run.collator.collate(try run.units(Array(range)))
            try batch.checkStructure(contract: run.collator.contract, exampleCount: range.count)   // a third-party collator's bug, named
            return try run.transforms.applyBatchTransforms(batch)
        } catch let error as CollateError {
            let global = error.offsettingExample(by: range.lowerBound)
            // A packed row's index names a row; a padding-free collator's names a sequence of the batch.
            let line = run.plan == nil ? global.exampleIndex.flatMap { run.line(ofUnit: $0) } : nil
            throw InputError(file: run.file, line: line, reason: global.description)
        }
    }
}

/// Output lines held back until the command has succeeded: in memory up to `memoryLimit`
/// bytes, past that in a temporary file that is unlinked as soon as it is opened.
final class HeldOutput {
    /// Bytes kept in memory before the output moves to a file.
    private let memoryLimit: Int
    private let directory: URL
    private var buffer: [UInt8] = []
    private var descriptor: Int32 = -1
    private var path = ""
    private var flushed = 0

    /// Prepares to hold output; the file, if one is needed, goes in `directory`.
    /// - Parameter memoryLimit: Bytes kept in memory before the output moves to the file (32 MiB).
    init(directory: URL, memoryLimit: Int = 32 << 20) {
        self.directory = directory
        self.memoryLimit = memoryLimit
    }

    /// Whether the output has moved to a file.
    var isSpilled: Bool { descriptor >= 0 }

    deinit { if descriptor >= 0 { _ = close(descriptor) } }

    /// Holds `line` and a newline.
    /// - Throws: ``AtomicFile/WriteError`` when the temporary file cannot be made or written.
    func append(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= memoryLimit { try spill() }
    }

    /// Writes everything held to stdout (or `sink`), in order, in chunks of at most 4 MiB.
    /// - Throws: ``AtomicFile/WriteError`` when the temporary file cannot be read back.
    func release(to sink: ([UInt8]) -> Void = { Console.write(bytes: $0) }) throws {
        guard descriptor >= 0 else {
            sink(buffer)
            buffer = []
            return
        }
        var chunk = [UInt8](repeating: 0, count: 4 << 20)
        var offset = 0
        while offset < flushed {
            let wanted = min(chunk.count, flushed - offset)
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw AtomicFile.WriteError(path: path, step: "read", code: count < 0 ? errno : EIO) }
            sink(Array(chunk[..<count]))
            offset += count
        }
        sink(buffer)
        buffer = []
    }

    private func spill() throws {
        if descriptor < 0 {
            path = directory.appendingPathComponent(".collate-batch-\(UUID().uuidString).tmp").path
            descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw AtomicFile.WriteError(path: path, step: "creating a temporary output file", code: errno) }
            _ = unlink(path)
        }
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count, let base = raw.baseAddress {
                let result = pwrite(descriptor, base + done, raw.count - done, off_t(flushed + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.WriteError(path: path, step: "write", code: errno)
                }
                done += result
            }
        }
        flushed += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
