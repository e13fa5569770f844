import Collate
import CollateData

/// `collate batch --spec SPEC.json --input EXAMPLES.jsonl [--batch-size N]`: one JSON object per batch.
enum BatchCommand {
    static let usage = "usage: collate batch --spec SPEC.json --input EXAMPLES.jsonl [--batch-size N]"

    static func run(arguments: [String]) -> Int32 {
        let specPath: String, inputPath: String, batchSize: Int?
        do {
            let parsed = try Arguments(arguments, options: ["--spec", "--input", "--batch-size"])
            specPath = try parsed.required("--spec")
            inputPath = try parsed.required("--input")
            batchSize = try parsed.positiveInt("--batch-size")
        } catch {
            Console.message("collate batch: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            let collator = try Inputs.collator(specPath: specPath)
            let records = try Inputs.examples(path: inputPath)
            let examples = records.map(\.example)
            let size = batchSize ?? examples.count
            // Every batch is collated before the first is printed: a rejected input prints
            // nothing on stdout (README, "Command line").
            var batches: [Batch] = []
            for start in stride(from: 0, to: examples.count, by: size) {
                let slice = Array(examples[start..<min(start + size, examples.count)])
                do {
                    batches.append(try collator.collate(slice))
                } catch let error as CollateError {
                    throw Inputs.locate(error, offset: start, records: records, file: inputPath)
                }
            }
            for batch in batches { Console.output(batch.jsonText) }
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("collate batch: \(error)")
            return ExitStatus.rejected
        }
    }
}
