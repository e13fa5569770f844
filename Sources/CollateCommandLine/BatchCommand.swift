import Collate
import CollateData

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
            let run = try DataFlags.configuration(values).prepare()
            if !run.report.skipped.isEmpty { Console.message("\(Tool.name) batch: \(run.report)") }
            // Every batch is collated before the first is printed: a rejected input prints
            // nothing on stdout (README, "Command line").
            var batches: [Batch] = []
            batches.reserveCapacity(run.batchRanges.count)
            for index in run.batchRanges.indices {
                batches.append(try run.batch(index))
            }
            for batch in batches { Console.output(batch.jsonText) }
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("\(Tool.name) batch: \(error)")
            return ExitStatus.rejected
        }
    }
}
