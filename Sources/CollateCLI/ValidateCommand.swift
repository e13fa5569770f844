import Collate
import CollateData
import Foundation

/// `collate validate --spec SPEC.json --input EXAMPLES.jsonl [--requires FIELD,...] [--vocab-size N]
/// [--max-length N] [--no-padding-free] [--format json]`: checks a pipeline before training.
///
/// The flags describe the model backend. Runs the Validator's schema and contract rules over
/// every example, then — when they find no error — builds every batch and runs the batch rules.
/// Prints the diagnostics to stdout (one line each, or one JSON array with `--format json`,
/// `example` being the 0-based line index), a summary to stderr, and exits 1 when any
/// error-level diagnostic fires.
enum ValidateCommand {
    static let usage = """
        usage: collate validate --spec SPEC.json --input EXAMPLES.jsonl [--requires FIELD,...] [--vocab-size N]
                                [--max-length N] [--no-padding-free] [--format json|text]
                                [--strict CODE,...|all] [--truncation N] [--batch-size N]
        """

    /// What one run prints and returns.
    struct Outcome {
        /// The exit status.
        var status: Int32
        /// Lines for stdout.
        var output: [String] = []
        /// Lines for stderr.
        var messages: [String] = []
    }

    /// Runs the command; returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        let outcome = evaluate(arguments: arguments)
        outcome.output.forEach(Console.output)
        Console.flush()
        outcome.messages.forEach(Console.message)
        return outcome.status
    }

    /// Runs the command without printing: what it would print, and its exit status.
    static func evaluate(arguments: [String]) -> Outcome {
        let specPath: String, inputPath: String, backend: BackendContract, options: Validator.Options, json: Bool, batchSize: Int
        do {
            let parsed = try Arguments(
                arguments,
                options: BackendFlags.options.union(["--spec", "--input", "--format", "--strict", "--truncation", "--batch-size"]),
                flags: BackendFlags.flags)
            specPath = try parsed.required("--spec")
            inputPath = try parsed.required("--input")
            backend = try BackendFlags.contract(from: parsed, defaultRequires: ["input_ids"])
            switch parsed.value("--format") ?? "text" {
            case "json": json = true
            case "text", "human": json = false
            case let other: throw UsageError("--format must be json or text, got '\(other)'")
            }
            options = Validator.Options(strict: try strictCodes(parsed.value("--strict")), truncation: try parsed.positiveInt("--truncation"))
            batchSize = try parsed.positiveInt("--batch-size") ?? 8
        } catch {
            return Outcome(status: ExitStatus.usage, messages: ["collate validate: \(error)\n\(usage)"])
        }
        let records: [ExampleFile.Record]
        let collator: any Collator<Batch>
        do {
            collator = try Inputs.collator(specPath: specPath)
            records = try Inputs.examples(path: inputPath)
        } catch {
            return Outcome(status: ExitStatus.rejected, messages: ["collate validate: \(error)"])
        }
        let validator = Validator(options: options)
        let examples = records.map(\.example)
        var diagnostics = validator.validate(examples, collator: collator.contract, backend: backend)
        if !diagnostics.containsErrors {
            do {
                diagnostics += try batchDiagnostics(examples, collator: collator, validator: validator, backend: backend, batchSize: batchSize)
            } catch {
                func located(_ error: any Error) -> InputError {
                    if let error = error as? CollateError { return Inputs.locate(error, offset: 0, records: records, file: inputPath) }
                    return InputError(file: inputPath, line: nil, reason: "the collator failed: \(error)")
                }
                return Outcome(
                    status: ExitStatus.rejected,
                    output: json ? [Diagnostic.jsonText(diagnostics.map { relocated($0, records: records) })] : [],
                    messages: ["collate validate: \(located(error))"])
            }
        }
        let located = diagnostics.map { relocated($0, records: records) }
        let errors = located.errors.count, warnings = located.count - errors
        var outcome = Outcome(status: errors > 0 ? ExitStatus.rejected : ExitStatus.success)
        if json {
            outcome.output = [Diagnostic.jsonText(located)]
        } else {
            outcome.output = located.map { diagnostic in
                (diagnostic.example.map { "\(inputPath):\($0 + 1): " } ?? "\(inputPath): ") + diagnostic.description
            }
        }
        outcome.messages.append(errors == 0 && warnings == 0
            ? "collate validate: \(examples.count) examples, no problems found"
            : "collate validate: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in \(examples.count) examples")
        return outcome
    }

    /// Builds every batch and runs the batch rules; the collator's own errors propagate (a
    /// ``CollateError`` with its example index made global).
    private static func batchDiagnostics(
        _ examples: [Example], collator: some Collator<Batch>, validator: Validator, backend: BackendContract, batchSize: Int
    ) throws -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (index, start) in stride(from: 0, to: examples.count, by: batchSize).enumerated() {
            let range = start..<min(start + batchSize, examples.count)
            let batch: Batch
            do {
                batch = try collator.collate(Array(examples[range]))
            } catch let error as CollateError {
                throw error.offsettingExample(by: start)
            }
            diagnostics += validator.validate(batch: batch, index: index, exampleIndices: range, collator: collator.contract, backend: backend)
        }
        return diagnostics
    }

    /// The diagnostic with its example index turned into the 0-based line index of the file
    /// (they differ only when the file has blank lines), in the field and in the message.
    static func relocated(_ diagnostic: Diagnostic, records: [ExampleFile.Record]) -> Diagnostic {
        guard let index = diagnostic.example, index < records.count, records[index].line - 1 != index else { return diagnostic }
        var moved = diagnostic
        moved.example = records[index].line - 1
        moved.message = moved.message.replacingFirst("example \(index)", with: "example \(records[index].line - 1) (line \(records[index].line))")
        return moved
    }

    /// Parses `--strict`: a comma-separated list of warning codes, or `all`.
    static func strictCodes(_ text: String?) throws(UsageError) -> Set<Diagnostic.Code> {
        guard let text else { return [] }
        if text == "all" { return Validator.Options.strictAll.strict }
        var codes = Set<Diagnostic.Code>()
        for name in text.split(separator: ",") {
            guard let code = Diagnostic.Code(rawValue: String(name).trimmingSpaces()) else {
                throw UsageError("--strict: unknown code '\(name)'; codes are \(Diagnostic.Code.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            codes.insert(code)
        }
        return codes
    }
}

extension String {
    /// The string without leading and trailing spaces.
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// The string with the first occurrence of `target` not followed by a digit replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        var searchStart = startIndex
        while let range = self[searchStart...].range(of: target) {
            if range.upperBound == endIndex || !self[range.upperBound].isNumber {
                return self[..<range.lowerBound] + replacement + self[range.upperBound...]
            }
            searchStart = range.upperBound
        }
        return self
    }
}
