import Collate
import CollateData

/// `collate bench --spec SPEC.json --input EXAMPLES.jsonl --batch-size N`: times collation only.
///
/// Parses everything first, collates the first batch once to warm up (as the reference
/// script does), then times collating every batch; `tokens` counts the examples' `input_ids`
/// (or, for examples without them such as preference pairs, every token sequence they hold).
enum BenchCommand {
    static let usage = "usage: collate bench --spec SPEC.json --input EXAMPLES.jsonl --batch-size N"

    static func run(arguments: [String]) -> Int32 {
        let specPath: String, inputPath: String, batchSize: Int
        do {
            let parsed = try Arguments(arguments, options: ["--spec", "--input", "--batch-size"])
            specPath = try parsed.required("--spec")
            inputPath = try parsed.required("--input")
            guard let size = try parsed.positiveInt("--batch-size") else { throw UsageError("missing --batch-size") }
            batchSize = size
        } catch {
            Console.message("collate bench: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            let collator = try Inputs.collator(specPath: specPath)
            let records = try Inputs.examples(path: inputPath)
            guard !records.isEmpty else {
                throw InputError(file: inputPath, line: nil, reason: "the file holds no examples")
            }
            let examples = records.map(\.example)
            let batches = stride(from: 0, to: examples.count, by: batchSize).map {
                Array(examples[$0..<min($0 + batchSize, examples.count)])
            }
            let tokens = examples.reduce(0) { $0 + Self.tokenCount($1) }
            do {
                _ = try collator.collate(batches[0])
            } catch let error as CollateError {
                throw Inputs.locate(error, offset: 0, records: records, file: inputPath)
            }
            let clock = ContinuousClock()
            var sink = 0
            let start = clock.now
            for (index, batch) in batches.enumerated() {
                do {
                    sink &+= try collator.collate(batch).tokenCount
                } catch let error as CollateError {
                    throw Inputs.locate(error, offset: index * batchSize, records: records, file: inputPath)
                }
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            precondition(sink >= 0)
            let rate = seconds > 0 ? Double(tokens) / seconds : 0
            Console.output(#"{"tokens": \#(tokens), "batches": \#(batches.count), "seconds": \#(seconds), "tokens_per_second": \#(rate)}"#)
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.message("collate bench: \(error)")
            return ExitStatus.rejected
        }
    }

    /// The tokens an example feeds the collator.
    static func tokenCount(_ example: Example) -> Int {
        if let ids = example.sequence("input_ids") { return ids.count }
        return example.values.reduce(0) { total, value in
            if case .sequence(let tokens) = value { return total + tokens.count }
            return total
        }
    }
}
