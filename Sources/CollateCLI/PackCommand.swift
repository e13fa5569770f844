import Collate
import CollateData

/// `collate pack --input EXAMPLES.jsonl --max-tokens N [--strategy bfd|ffd|greedy]`: packs the
/// examples' `input_ids` into bins of N tokens and prints one JSON line
/// `{"bins", "tokens", "capacity", "efficiency"}` (efficiency = tokens / (bins × N)).
enum PackCommand {
    static let usage = "usage: collate pack --input EXAMPLES.jsonl --max-tokens N [--strategy bfd|ffd|greedy]"

    static func run(arguments: [String]) -> Int32 {
        let inputPath: String, packer: Packer
        do {
            let parsed = try Arguments(arguments, options: ["--input", "--max-tokens", "--strategy"])
            inputPath = try parsed.required("--input")
            guard let capacity = try parsed.positiveInt("--max-tokens") else { throw UsageError("missing --max-tokens") }
            guard capacity <= Packer.maximumCapacity else {
                throw UsageError("--max-tokens must be at most \(Packer.maximumCapacity), got \(capacity)")
            }
            let name = parsed.value("--strategy") ?? PackingStrategy.bfd.rawValue
            guard let strategy = PackingStrategy(rawValue: name) else {
                throw UsageError("--strategy must be one of \(PackingStrategy.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
            }
            packer = Packer(capacity: capacity, strategy: strategy)
        } catch {
            Console.message("collate pack: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            let records = try Inputs.examples(path: inputPath)
            guard !records.isEmpty else {
                throw InputError(file: inputPath, line: nil, reason: "the file holds no examples")
            }
            let plan: PackingPlan
            do {
                plan = try packer.pack(lengths: records.map { $0.example.inputIDs.count })
            } catch {
                throw InputError(file: inputPath, line: error.exampleIndex.map { records[$0].line }, reason: error.description)
            }
            Console.output(report(plan))
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("collate pack: \(error)")
            return ExitStatus.rejected
        }
    }

    /// The output line for a plan.
    static func report(_ plan: PackingPlan) -> String {
        #"{"bins": \#(plan.binCount), "tokens": \#(plan.tokens), "capacity": \#(plan.capacity), "efficiency": \#(plan.efficiency)}"#
    }
}
