import Collate
import CollateData
import CollateTokenizers
import Foundation

/// `collate validate --spec SPEC.json --input DATA.jsonl [--model-kind KIND] [--requires FIELD,...|none]
/// [--vocab-size N] [--max-length N] [--no-padding-free] [--tokenizer PATH] [--template NAME] [--format json|text|DATASET-FORMAT]`:
/// checks a pipeline before training.
///
/// The flags describe the model backend: by default a causal LM being trained, so `labels` are
/// required with no flag. Runs the Validator's schema and contract rules over every example,
/// then — when they find no error — builds every batch and runs the batch rules. With
/// `--template` and `--tokenizer`, also checks that the chat format's markers are single tokens
/// (`template-tokens-missing`). Prints the diagnostics to stdout grouped by code
/// (``DiagnosticSummary``), or with `--format json` one JSON array of every diagnostic
/// (`example` being the 0-based line index); a summary to stderr; exits 1 when any
/// error-level diagnostic fires.
enum ValidateCommand {
    static let usage = """
        usage: collate validate --spec SPEC.json --input DATA.jsonl [--model-kind KIND] [--requires FIELD,...|none]
                                [--vocab-size N] [--max-length N] [--no-padding-free] [--format json|text]
                                [--tokenizer PATH] [--template NAME] [--strict CODE,...|all] [--truncation N] [--batch-size N]
        run 'collate help validate' for every option
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

    /// The parsed command line.
    struct Options {
        var specPath: String
        var inputPath: String
        var backend: BackendContract
        var validator: Validator.Options
        var json: Bool
        var dataFormat: DatasetFormat?
        var batchSize: Int
        var tokenizerPath: String?
        var templateName: String?
    }

    /// Parses the command line.
    static func options(_ arguments: [String]) throws(UsageError) -> Options {
        let parsed = try Arguments(
            arguments,
            options: BackendFlags.options.union(["--spec", "--input", "--format", "--strict", "--truncation", "--batch-size", "--tokenizer", "--template"]),
            flags: BackendFlags.flags)
        var json = false
        var dataFormat: DatasetFormat?
        switch parsed.value("--format") ?? "text" {
        case "json": json = true
        case "text", "human": json = false
        case let other:
            guard let format = DatasetFormat(rawValue: other) else {
                let names = ["json", "text"] + DatasetFormat.allCases.map(\.rawValue).filter { $0 != "text" }
                let hint = Suggestion.closest(to: other, among: names).map { " Did you mean '\($0)'?" } ?? ""
                throw UsageError("--format must be json or text (the report), or a dataset format (\(names.dropFirst(2).joined(separator: ", "))), got '\(other)'.\(hint)")
            }
            dataFormat = format
        }
        if parsed.value("--template") != nil, parsed.value("--tokenizer") == nil {
            throw UsageError("--template needs --tokenizer: the chat format's text is encoded with it (and its markers checked against it)")
        }
        return Options(
            specPath: try parsed.required("--spec"), inputPath: try parsed.required("--input"),
            backend: try BackendFlags.contract(from: parsed),
            validator: Validator.Options(strict: try strictCodes(parsed.value("--strict")), truncation: try parsed.positiveInt("--truncation")),
            json: json, dataFormat: dataFormat, batchSize: try parsed.positiveInt("--batch-size") ?? 8,
            tokenizerPath: parsed.value("--tokenizer"), templateName: parsed.value("--template"))
    }

    /// Runs the command without printing: what it would print, and its exit status.
    static func evaluate(arguments: [String]) -> Outcome {
        let options: Options
        do {
            options = try Self.options(arguments)
        } catch {
            return Outcome(status: ExitStatus.usage, messages: ["collate validate: \(error)\n\(usage)"])
        }
        let inputPath = options.inputPath
        var backend = options.backend
        let records: [ExampleFile.Record]
        let collator: any Collator<Batch>
        var rules = Validator.standardRules
        do {
            collator = try Inputs.collator(specPath: options.specPath)
            let tokenizer = try options.tokenizerPath.map { try Inputs.tokenizer(path: $0) }
            let chatFormat = try options.templateName.map { try Inputs.chatFormat(name: $0) }
            if let tokenizer, let chatFormat, let tokenizerPath = options.tokenizerPath {
                rules.append(TemplateTokensMissingRule(format: chatFormat, tokenizer: tokenizer, tokenizerName: tokenizerPath))
            }
            if backend.vocabSize == nil, let tokenizer { backend.vocabSize = tokenizer.vocabularySize }
            records = try Self.records(path: inputPath, format: options.dataFormat, tokenizer: tokenizer, chatFormat: chatFormat)
        } catch let error as UsageError {
            return Outcome(status: ExitStatus.usage, messages: ["collate validate: \(error)\n\(usage)"])
        } catch {
            return Outcome(status: ExitStatus.rejected, messages: ["collate validate: \(error)"])
        }
        let validator = Validator(rules: rules, options: options.validator)
        let examples = records.map(\.example)
        var diagnostics = validator.validate(examples, collator: collator.contract, backend: backend)
        if !diagnostics.containsErrors {
            do {
                diagnostics += try batchDiagnostics(examples, collator: collator, validator: validator, backend: backend, batchSize: options.batchSize)
            } catch {
                func located(_ error: any Error) -> InputError {
                    if let error = error as? CollateError { return Inputs.locate(error, offset: 0, records: records, file: inputPath) }
                    return InputError(file: inputPath, line: nil, reason: "the collator failed: \(error)")
                }
                return Outcome(
                    status: ExitStatus.rejected,
                    output: options.json ? [Diagnostic.jsonText(diagnostics.map { relocated($0, records: records) })] : [],
                    messages: ["collate validate: \(located(error))"])
            }
        }
        let located = diagnostics.map { relocated($0, records: records) }
        let errors = located.errors.count, warnings = located.count - errors
        var outcome = Outcome(status: errors > 0 ? ExitStatus.rejected : ExitStatus.success)
        if options.json {
            outcome.output = [Diagnostic.jsonText(located)]
        } else {
            outcome.output = DiagnosticSummary(located).groups.map { group in
                group.text { diagnostic in diagnostic.example.map { "\(inputPath):\($0 + 1): " } ?? "\(inputPath): " }
            }
        }
        outcome.messages.append(errors == 0 && warnings == 0
            ? "collate validate: \(examples.count) examples, no problems found"
            : "collate validate: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in \(examples.count) examples")
        return outcome
    }

    /// Reads the examples: a pre-tokenized file directly, any other format through the tokenizer
    /// (and chat format), as `collate inspect` does.
    static func records(path: String, format: DatasetFormat?, tokenizer: PretrainedTokenizer?, chatFormat: ChatFormat?) throws -> [ExampleFile.Record] {
        guard tokenizer != nil || (format != nil && format != .tokenized) else { return try Inputs.examples(path: path) }
        do {
            let (records, _) = try DatasetReader(url: URL(fileURLWithPath: path), format: format, tokenizer: tokenizer, chatFormat: chatFormat).readAll()
            guard !records.isEmpty else { throw Inputs.emptyInput(path) }
            return records.map { ExampleFile.Record(line: $0.line, example: $0.example) }
        } catch var error as InputError {
            // A format that refuses a system prompt: point only at formats this tokenizer has the markers of.
            if let tokenizer, let chatFormat, error.reason.contains("has role \"system\"") {
                error.reason += "; for this tokenizer: \(chatFormat.systemPromptAdvice(for: tokenizer))"
            }
            throw error
        }
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
