import Collate
import CollateData

/// `collate bench --spec SPEC.json --input EXAMPLES.jsonl --batch-size N`: times collation only.
///
/// Parses everything first, collates the first batch once to warm up (as the reference
/// script does), then times collating every batch; `tokens` counts the examples' `input_ids`
/// (or, for examples without them such as preference pairs, every token sequence they hold).
enum BenchCommand {
    static var usage: String {
        """
            usage: \(Tool.name) bench --spec SPEC.json --input DATA.jsonl --batch-size N
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
            if values.batchSize == nil && values.config == nil { throw UsageError("missing --batch-size") }
        } catch {
            Console.message("\(Tool.name) bench: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            let run = try DataFlags.configuration(values).prepare()
            if !run.report.skipped.isEmpty { Console.message("\(Tool.name) bench: \(run.report)") }
            let tokens = run.examples.reduce(0) { $0 + Self.tokenCount($1) }
            _ = try run.batch(0)
            let clock = ContinuousClock()
            var sink = 0
            let start = clock.now
            for index in run.batchRanges.indices {
                sink &+= try run.batch(index).tokenCount
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            precondition(sink >= 0)
            let rate = seconds > 0 ? Double(tokens) / seconds : 0
            Console.output(#"{"tokens": \#(tokens), "batches": \#(run.batchRanges.count), "seconds": \#(seconds), "tokens_per_second": \#(rate)}"#)
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.message("\(Tool.name) bench: \(error)")
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
