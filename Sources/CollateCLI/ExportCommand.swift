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
    static let usage = "usage: collate export --spec SPEC.json --input EXAMPLES.jsonl --out DIR --world-size W [--batch-size N]"

    static func run(arguments: [String]) -> Int32 {
        let specPath: String, inputPath: String, outPath: String, worldSize: Int, batchSize: Int?
        do {
            let parsed = try Arguments(arguments, options: ["--spec", "--input", "--out", "--world-size", "--batch-size"])
            specPath = try parsed.required("--spec")
            inputPath = try parsed.required("--input")
            outPath = try parsed.required("--out")
            guard let world = try parsed.positiveInt("--world-size") else { throw UsageError("missing --world-size") }
            worldSize = world
            batchSize = try parsed.positiveInt("--batch-size")
        } catch {
            Console.message("collate export: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            let (specText, collator, transforms) = try spec(path: specPath)
            let records = try Inputs.examples(path: inputPath)
            let prepared = try transforms.applyExampleTransforms(records.map(\.example))
            guard !prepared.examples.isEmpty else {
                throw InputError(file: inputPath, line: nil, reason: "every example was dropped (\(prepared.report)); check the transforms")
            }
            if !prepared.report.dropped.isEmpty || !prepared.report.modified.isEmpty {
                Console.message("collate export: \(prepared.report)")
            }
            let exporter = ShardExporter(
                directory: URL(fileURLWithPath: outPath), worldSize: worldSize, batchSize: batchSize,
                fingerprint: ShardExporter.fingerprint(examples: prepared.examples, spec: specText, worldSize: worldSize, batchSize: batchSize))
            let summary: ShardExporter.Summary
            do {
                summary = try exporter.export(prepared.examples, collator: collator, transforms: transforms)
            } catch LoaderError.collation(let error, let example) {
                let line = example.map { records[prepared.sourceIndices[$0]].line }
                throw InputError(file: inputPath, line: line, reason: error.description)
            }
            var line = #"{"shards": \#(summary.shards), "written": \#(summary.written), "skipped": \#(summary.skipped), "index": "#
            JSONWriter.writeString(summary.index.path, into: &line)
            Console.output(line + "}")
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("collate export: \(error)")
            return ExitStatus.rejected
        }
    }

    /// Reads a spec file: the collator, and the transforms it may carry under `"transforms"`.
    static func spec(path: String) throws -> (text: String, collator: any Collator<Batch>, transforms: TransformPipeline) {
        // Bytes, not a String, as `Inputs.collator`: the strict parser names invalid UTF-8.
        let data = try FileReading.bytes(atPath: path, kind: "spec file")
        let bytes = [UInt8](data)
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            var value = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
            var transforms = TransformPipeline()
            if case .object(var object) = value, object["transforms"] != nil {
                transforms = try TransformRegistry.shared.makePipeline(from: value)
                object["transforms"] = nil
                value = .object(object)
            }
            return (text, try CollatorRegistry.shared.makeCollator(from: value), transforms)
        } catch {
            throw InputError(file: path, line: nil, reason: "\(error)")
        }
    }
}
