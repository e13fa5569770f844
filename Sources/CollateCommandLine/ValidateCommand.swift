import Collate
import CollateData
import CollateTokenizers
import Foundation

/// `collate validate --spec SPEC.json --input DATA.jsonl [--model DIR] [--model-kind KIND]
/// [--requires FIELD,...|none] [--vocab-size N] [--max-length N] [--no-padding-free]
/// [--format json|text|DATASET-FORMAT] [--config FILE] [--tokenizer PATH] [--template NAME|PATH] [--train-on WHAT]`:
/// checks a pipeline before training.
///
/// Takes the data flags and the pipeline file (`--config`) as every command that reads a
/// dataset does (``DataFlags``), so a messages file is rendered with its chat template and
/// masked per `train_on` before the rules run. The backend is described by the model the
/// pipeline names (`--model DIR` / the file's `model` keys: kind from `architectures`,
/// vocabulary, maximum length, padding-free support), with the backend flags winning; by
/// default a causal LM being trained, so `labels` are required with no flag. Runs the
/// Validator's schema and contract rules over every example, then — when they find no error —
/// builds every batch and runs the batch rules. A chat format or Jinja template whose markers the
/// tokenizer splits is `template-tokens-missing`. Prints the diagnostics to stdout grouped by
/// code (``DiagnosticSummary``), or with `--format json` one JSON array of every diagnostic
/// (`example` being the 0-based line index); contradictions between the model and the spec
/// (a pad id that is not the tokenizer's) as notes and a summary to stderr; exits 1 when any
/// error-level diagnostic fires.
///
/// `--format` is shared: `json` and `text` choose the report, any other dataset format name
/// (`tokenized`, `prompt-completion`, `alpaca`, `messages`) the lines' format.
enum ValidateCommand {
    static var usage: String {
        """
            usage: \(Tool.name) validate --spec SPEC.json --input DATA.jsonl [--model DIR] [--model-kind KIND] [--requires FIELD,...|none]
                                    [--vocab-size N] [--max-length N] [--no-padding-free] [--format json|text|DATASET-FORMAT]
                                    [--config FILE] [--tokenizer PATH] [--template NAME|PATH] [--train-on WHAT]
                                    [--strict CODE,...|all] [--truncation N] [--batch-size N]
            run '\(Tool.name) help validate' for every option
            """
    }

    /// The report formats `--format` takes (any other value is a dataset format).
    static let reportFormats: Set<String> = ["json", "text", "human"]

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
        /// The data flags (and `--config`).
        var data: DataFlags.Values
        /// The backend the flags alone describe.
        var backend: BackendContract
        /// Which backend fields the flags gave explicitly (they win over the model's facts).
        var givenKind: Bool, givenRequires: Bool, givenNoPaddingFree: Bool
        var validator: Validator.Options
        var json: Bool
    }

    /// Parses the command line.
    static func options(_ arguments: [String]) throws(UsageError) -> Options {
        let optionNames = BackendFlags.options.union(DataFlags.options).union(["--strict", "--truncation"])
        // `--format json|text` picks the report; the data flags see only a dataset format, so one
        // of each may be given (`--format json --format messages`).
        var rest: [String] = []
        var index = 0
        var reportFormat: String?
        while index < arguments.count {
            let word = arguments[index]
            var value: String?
            if word == "--format", index + 1 < arguments.count {
                value = arguments[index + 1]
            } else if word.hasPrefix("--format=") {
                value = String(word.dropFirst("--format=".count))
            }
            if let value, reportFormats.contains(value) {
                if let reportFormat {
                    throw UsageError("--format is given twice ('\(reportFormat)' and '\(value)'); give the report format once")
                }
                reportFormat = value
                index += word == "--format" ? 2 : 1
                continue
            }
            rest.append(word)
            if optionNames.contains(word), index + 1 < arguments.count {
                rest.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        let json = reportFormat == "json"
        let parsed = try Arguments(rest, options: optionNames, flags: BackendFlags.flags)
        if let format = parsed.value("--format"), DatasetFormat(rawValue: format) == nil {
            let names = ["json", "text"] + DatasetFormat.allCases.map(\.rawValue).filter { $0 != "text" }
            let hint = Suggestion.closest(to: format, among: names).map { " Did you mean '\($0)'?" } ?? ""
            throw UsageError("--format must be json or text (the report), or a dataset format (\(names.dropFirst(2).joined(separator: ", "))), got '\(format)'.\(hint)")
        }
        let data = try DataFlags.values(parsed)
        if data.spec == nil, data.config == nil { throw UsageError("missing --spec") }
        if data.template != nil, data.tokenizer == nil, data.model == nil, data.config == nil {
            throw UsageError("--template needs --tokenizer: the chat format's text is encoded with it (and its markers checked against it)")
        }
        return Options(
            data: data, backend: try BackendFlags.contract(from: parsed),
            givenKind: parsed.value("--model-kind") != nil, givenRequires: parsed.value("--requires") != nil,
            givenNoPaddingFree: parsed.flag("--no-padding-free"),
            validator: Validator.Options(strict: try strictCodes(parsed.value("--strict")), truncation: try parsed.positiveInt("--truncation")),
            json: json)
    }

    /// The backend description: the model's facts (kind, vocabulary, maximum length,
    /// padding-free) under the flags given explicitly.
    /// - Parameters:
    ///   - options: The parsed command line.
    ///   - model: What the pipeline's model keys, model folder and tokenizer say.
    /// - Returns: The contract the rules check against.
    static func backend(_ options: Options, model: ModelDescription) -> BackendContract {
        var backend = options.backend
        if !options.givenKind, let name = model.kind, let kind = BackendContract.ModelKind(rawValue: name) {
            let flags = backend
            backend = BackendContract(kind: kind, requiredInputs: options.givenRequires ? flags.requiredInputs : BackendContract.training(kind).requiredInputs,
                                      acceptsPaddingFree: flags.acceptsPaddingFree, vocabSize: flags.vocabSize, maxLength: flags.maxLength)
        }
        if backend.vocabSize == nil { backend.vocabSize = model.vocabSize ?? model.tokenizerVocabSize }
        if backend.maxLength == nil { backend.maxLength = model.maxLength }
        if !options.givenNoPaddingFree, let paddingFree = model.paddingFree { backend.acceptsPaddingFree = paddingFree }
        return backend
    }

    /// Runs the command without printing: what it would print, and its exit status.
    static func evaluate(arguments: [String]) -> Outcome {
        let options: Options
        do {
            options = try Self.options(arguments)
        } catch {
            return Outcome(status: ExitStatus.usage, messages: ["\(Tool.name) validate: \(error)\n\(usage)"])
        }
        let validation: DataFlags.Validation
        do {
            validation = try DataFlags.validation(options.data)
        } catch let error as UsageError {
            return Outcome(status: ExitStatus.usage, messages: ["\(Tool.name) validate: \(error)\n\(usage)"])
        } catch var error as InputError {
            // A format that refuses a system prompt: point only at formats this tokenizer has the markers of.
            if error.reason.contains("has role \"system\""), let advice = systemPromptAdvice(options.data) {
                error.reason += "; for this tokenizer: \(advice)"
            }
            return Outcome(status: ExitStatus.rejected, messages: ["\(Tool.name) validate: \(error)"])
        } catch {
            return Outcome(status: ExitStatus.rejected, messages: ["\(Tool.name) validate: \(error)"])
        }
        var run = validation.run
        let backend = backend(options, model: validation.model)
        let inputPath = run.file
        if validation.configuration.batchSize == nil {
            let size = 8
            run.batchRanges = stride(from: 0, to: run.units.count, by: size).map { $0..<min($0 + size, run.units.count) }
        }
        var rules = Validator.standardRules
        if let tokenizer = run.tokenizer, let chatFormat = run.chatFormat {
            let configuration = validation.configuration
            let tokenizerName = configuration.tokenizer?.path ?? configuration.model?.path?.path ?? "the tokenizer"
            rules.append(TemplateTokensMissingRule(chatFormat: chatFormat, tokenizer: tokenizer, tokenizerName: tokenizerName))
        }
        if let chatFormat = run.chatFormat, let rule = TemplateTurnUndelimitedRule(chatFormat: chatFormat, tokenizer: run.tokenizer) { rules.append(rule) }
        let validator = Validator(rules: rules, options: options.validator)
        let exampleLine: (Int) -> Int? = { $0 >= 0 && $0 < run.lines.count ? run.lines[$0] : nil }
        var diagnostics = validator.validate(run.examples, collator: run.collator.contract, backend: backend)
            .map { relocated($0, line: exampleLine) }
        if !diagnostics.containsErrors {
            do {
                for (index, range) in run.batchRanges.enumerated() {
                    let batch = try run.batch(index)
                    diagnostics += validator.validate(batch: batch, index: index, exampleIndices: range, collator: run.collator.contract, backend: backend)
                        .map { relocated($0, line: run.line(ofUnit:)) }
                }
            } catch {
                return Outcome(
                    status: ExitStatus.rejected,
                    output: options.json ? [Diagnostic.jsonText(diagnostics)] : [],
                    messages: ["\(Tool.name) validate: \(error)"])
            }
        }
        let errors = diagnostics.errors.count, warnings = diagnostics.count - errors
        var outcome = Outcome(status: errors > 0 ? ExitStatus.rejected : ExitStatus.success)
        if options.json {
            outcome.output = [Diagnostic.jsonText(diagnostics)]
        } else {
            outcome.output = DiagnosticSummary(diagnostics).groups.map { group in
                group.text { diagnostic in diagnostic.example.map { "\(inputPath):\($0 + 1): " } ?? "\(inputPath): " }
            }
        }
        outcome.messages += validation.contradictions.map { "\(Tool.name) validate: note: \($0)" }
        outcome.messages.append(errors == 0 && warnings == 0
            ? "\(Tool.name) validate: \(run.examples.count) examples, no problems found"
            : "\(Tool.name) validate: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in \(run.examples.count) examples")
        return outcome
    }

    /// The advice for a conversation whose system prompt the chat format refuses: built-in
    /// formats this tokenizer has the markers of, or to fold the prompt; `nil` when the pipeline
    /// names no tokenizer or format.
    static func systemPromptAdvice(_ values: DataFlags.Values) -> String? {
        guard let configuration = try? DataFlags.configuration(values) else { return nil }
        let folder = (try? configuration.modelFolder()) ?? nil
        guard let tokenizer = (try? configuration.loadTokenizer(folder: folder)) ?? nil,
              let format = try? configuration.chatFormat(reference: configuration.chatTemplate, folder: folder) else { return nil }
        return format.systemPromptAdvice(for: tokenizer)
    }

    /// The diagnostic with its example index turned into the 0-based line index of the file
    /// (they differ when the file has blank lines, or when the index names a packed row or a
    /// shuffled unit), in the field and in the message.
    /// - Parameters:
    ///   - diagnostic: A diagnostic whose `example` indexes the examples (or units) checked.
    ///   - line: The 1-based file line of an index, `nil` when unknown.
    static func relocated(_ diagnostic: Diagnostic, line: (Int) -> Int?) -> Diagnostic {
        guard let index = diagnostic.example, let line = line(index), line - 1 != index else { return diagnostic }
        var moved = diagnostic
        moved.example = line - 1
        moved.message = moved.message.replacingFirst("example \(index)", with: "example \(line - 1) (line \(line))")
        return moved
    }

    /// ``relocated(_:line:)`` for diagnostics over the records of an example file.
    static func relocated(_ diagnostic: Diagnostic, records: [ExampleFile.Record]) -> Diagnostic {
        relocated(diagnostic) { $0 >= 0 && $0 < records.count ? records[$0].line : nil }
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
