import Collate
import CollateData
import Foundation

/// `collate pack --input EXAMPLES.jsonl --max-tokens N [--strategy bfd|bfd-split|wrapped|ffd|greedy]
/// [--group-size K] [--rows]`: packs the examples' `input_ids` into bins of N tokens.
///
/// Without `--rows` it prints one JSON line `{"bins", "tokens", "capacity", "efficiency", "seconds"}`
/// (efficiency = tokens / (bins × N); seconds = packing only, parsing excluded). With `--rows`
/// it prints one JSON line per packed row instead: every list field concatenated in row order,
/// plus `seq_lengths` (not for `wrapped`) — TRL 1.16's `pack_dataset` rows, packed in groups
/// of K examples as its `datasets.map` batches (K = 1000 there by default), or the whole file
/// at once without `--group-size`.
///
/// Plain `bfd`, `ffd` and `greedy` statistics (no `--rows`, no `--group-size`) keep the strict
/// rules: an empty or over-long sequence is an error naming its line. Rows and groups follow
/// TRL: empty sequences are dropped, longer ones truncated (`bfd`, `ffd`, `greedy`) or split
/// (`bfd-split`).
enum PackCommand {
    static var usage: String { "usage: \(Tool.name) pack --input EXAMPLES.jsonl --max-tokens N [--strategy bfd|bfd-split|wrapped|ffd|greedy] [--group-size K] [--rows]" }

    static func run(arguments: [String]) -> Int32 {
        let values: DataFlags.Values, givenCapacity: Int?, givenStrategy: PackingStrategy?, groupSize: Int?, printRows: Bool
        do {
            // The shared data flags (--config, --format, --tokenizer, --template, --model, ...) as
            // every command that reads a dataset; --max-tokens / --strategy override packing.*.
            let parsed = try Arguments(arguments, options: DataFlags.options.subtracting(["--spec", "--batch-size"]).union(["--max-tokens", "--strategy", "--group-size"]), flags: ["--rows"])
            values = try DataFlags.values(parsed)
            if values.config == nil { _ = try parsed.required("--input") }
            givenCapacity = try parsed.positiveInt("--max-tokens")
            if givenCapacity == nil, values.config == nil { throw UsageError("missing --max-tokens") }
            if let capacity = givenCapacity, capacity > Packer.maximumCapacity {
                throw UsageError("--max-tokens must be at most \(Packer.maximumCapacity), got \(capacity)")
            }
            givenStrategy = try parsed.value("--strategy").map { (name: String) throws(UsageError) -> PackingStrategy in
                guard let strategy = PackingStrategy(rawValue: name) ?? PackingStrategy(rawValue: name.replacingOccurrences(of: "_", with: "-")) else {
                    throw UsageError("--strategy must be one of \(PackingStrategy.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
                }
                return strategy
            }
            groupSize = try parsed.positiveInt("--group-size")
            printRows = parsed.flag("--rows")
        } catch {
            Console.message("\(Tool.name) pack: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        var inputPath = values.input ?? "-"
        do {
            let configuration = try DataFlags.configuration(values)
            inputPath = configuration.data.path?.path ?? inputPath
            guard let capacity = givenCapacity ?? configuration.packing?.maxTokens else {
                throw InputError(file: values.config ?? inputPath, line: nil,
                                 reason: "no packing row size: give --max-tokens N, or \"packing\": {\"max_tokens\": N} in the pipeline file")
            }
            guard capacity <= Packer.maximumCapacity else {
                throw InputError(file: values.config ?? inputPath, line: nil, reason: "packing.max_tokens must be at most \(Packer.maximumCapacity), got \(capacity)")
            }
            let packer = Packer(capacity: capacity, strategy: givenStrategy ?? configuration.packing?.strategy ?? .bfd)
            // Statistics need only the lengths; rows need the examples themselves.
            let (examples, lengths, lines): ([Example], [Int], [Int])
            if printRows {
                let prepared = try configuration.prepareExamples()
                (examples, lines) = (prepared.examples, prepared.lines)
                lengths = []
            } else {
                let prepared = try configuration.prepareLengths()
                (examples, lengths, lines) = ([], prepared.lengths, prepared.lines)
            }
            func located(_ error: PackingError) -> InputError {
                InputError(file: inputPath, line: error.exampleIndex.map { lines[$0] }, reason: error.description)
            }
            let strict = !printRows && groupSize == nil && [.bfd, .ffd, .greedy].contains(packer.strategy)
            if strict {
                let clock = ContinuousClock.now
                let plan: PackingPlan
                do { plan = try packer.pack(lengths: lengths) } catch { throw located(error) }
                Console.output(report(plan, seconds: seconds(since: clock)))
            } else if printRows {
                let rows: PackedRows
                do { rows = try packer.packRows(examples, groupSize: groupSize) } catch { throw located(error) }
                Console.flush()
                write(rows)
            } else {
                let clock = ContinuousClock.now
                let plan: PackedRowPlan
                do { plan = try packer.planRows(lengths: lengths, groupSize: groupSize) } catch { throw located(error) }
                let elapsed = seconds(since: clock)
                Console.output(report(bins: plan.rowCount, tokens: plan.tokens, capacity: plan.capacity, efficiency: plan.efficiency, seconds: elapsed))
            }
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("\(Tool.name) pack: \(error)")
            return ExitStatus.rejected
        }
    }

    /// Seconds elapsed since `start`.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Writes every row as one JSON line to stdout, in chunks of about a megabyte.
    static func write(_ rows: PackedRows) {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 21)
        for index in rows.indices {
            rows.writeJSON(row: index, into: &buffer)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                Console.write(bytes: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { Console.write(bytes: buffer) }
    }

    /// The statistics line of a plan (`seconds`: the time packing took).
    static func report(_ plan: PackingPlan, seconds: Double) -> String {
        report(bins: plan.binCount, tokens: plan.tokens, capacity: plan.capacity, efficiency: plan.efficiency, seconds: seconds)
    }

    /// The statistics line: `{"bins", "tokens", "capacity", "efficiency", "seconds"}`.
    static func report(bins: Int, tokens: Int, capacity: Int, efficiency: Double, seconds: Double) -> String {
        var line = #"{"bins": \#(bins), "tokens": \#(tokens), "capacity": \#(capacity), "efficiency": "#
        JSONWriter.writeDouble(efficiency, into: &line)
        line += #", "seconds": "#
        JSONWriter.writeDouble(seconds, into: &line)
        line += "}"
        return line
    }
}
