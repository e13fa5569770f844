import Collate
import CollateData
import CollateTokenizers
import Foundation

/// The data flags every command that reads a dataset takes (`batch`, `bench`, `validate`,
/// `inspect`, `export`, `pack`, `train`), over the pipeline file of `--config`:
///
///     --input PATH [--format tokenized|text|prompt-completion|alpaca|messages]
///     [--tokenizer PATH] [--template NAME|PATH] [--train-on assistant|last-assistant|all|completion]
///     [--config FILE] [--model DIR] [--spec SPEC.json] [--batch-size N]
///
/// Flags override the file's keys; paths on the command line are relative to the current
/// directory, paths in the file to the file. The CLI stays thin: everything past the flags is
/// ``PipelineConfiguration`` and ``PipelineRun`` in CollateData.
///
/// For a command: parse with `Arguments(arguments, options: DataFlags.options.union(own))`, then
/// `let values = try DataFlags.values(parsed)` (a ``UsageError``: exit 2), then
/// `try DataFlags.configuration(values).prepare()` for batches (a bad file or line: exit 1).
/// `collate validate` calls `DataFlags.values(parsed, formatIsOutput: true)` and
/// `DataFlags.validation(values)` (the run, the model description, contradictions);
/// `collate pack` calls `DataFlags.examples(parsed)` (examples and lines, no collator).
enum DataFlags {
    /// The option names (each takes a value).
    static let options: Set<String> = ["--input", "--format", "--data-format", "--tokenizer", "--template", "--train-on", "--config", "--model", "--spec", "--batch-size"]

    /// The usage lines of the data flags, for a command's help.
    static let usage = """
          --input PATH        the dataset (JSONL); overrides the pipeline file's data.path
          --format F          tokenized | text | prompt-completion | alpaca | messages (default: from the first line's keys);
                              --data-format F is the same (on 'validate', --format names the output format)
          --tokenizer PATH    tokenizer.json or its folder (default: the model folder's)
          --template NAME     chat format for messages: \(ChatFormat.builtInNames.joined(separator: ", ")),
                              or a model's own template: a model folder, its tokenizer_config.json or a .jinja file
          --train-on WHAT     assistant (default) | last-assistant | all | completion
          --config FILE       a pipeline file (JSON); flags override its keys
          --model DIR         a model folder (config.json, tokenizer.json, tokenizer_config.json)
          --spec SPEC.json    the collator spec; overrides the pipeline file's collator
          --batch-size N      examples (or packed rows) per batch; overrides batch_size
        """

    /// The flags' values, checked for form (not yet for files).
    struct Values {
        var config: String?
        var input: String?
        var format: DatasetFormat?
        var tokenizer: String?
        var template: String?
        var trainOn: PipelineConfiguration.TrainOn?
        var model: String?
        var spec: String?
        var batchSize: Int?
    }

    /// Reads the data flags' values.
    /// - Parameters:
    ///   - arguments: The command's parsed arguments.
    ///   - formatIsOutput: Whether `--format` is the command's output format (`collate validate
    ///     --format json|text`); the dataset format is then `--data-format` only.
    /// - Throws: ``UsageError`` for a value that is not one of the allowed ones.
    static func values(_ arguments: Arguments, formatIsOutput: Bool = false) throws(UsageError) -> Values {
        var values = Values()
        values.config = arguments.value("--config")
        values.input = arguments.value("--input")
        values.tokenizer = arguments.value("--tokenizer")
        values.template = arguments.value("--template")
        // A model folder or template file named without a slash (`--template mymodel`, as `collate
        // chat` takes it) is a path too, when it exists.
        if let template = values.template, !isTemplatePath(template), !ChatFormat.builtInNames.contains(template) {
            do {
                _ = try ChatFormat.named(template)
            } catch {
                throw UsageError("--template: \(error)")
            }
        }
        values.model = arguments.value("--model")
        values.spec = arguments.value("--spec")
        values.batchSize = try arguments.positiveInt("--batch-size")
        if let text = arguments.value("--data-format") ?? (formatIsOutput ? nil : arguments.value("--format")) {
            guard let format = DatasetFormat(rawValue: text) else {
                throw UsageError("--format / --data-format must be one of \(DatasetFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            values.format = format
        }
        if let text = arguments.value("--train-on") {
            guard let trainOn = PipelineConfiguration.TrainOn(rawValue: text) else {
                throw UsageError("--train-on must be one of \(PipelineConfiguration.TrainOn.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            values.trainOn = trainOn
        }
        guard values.input != nil || values.config != nil else { throw UsageError("missing --input (or --config FILE naming data.path)") }
        return values
    }

    /// The pipeline the flags describe: the `--config` file's, with every flag given overriding its key.
    /// - Parameter arguments: The command's parsed arguments.
    /// - Throws: ``UsageError`` for a malformed flag value; ``PipelineFileError`` for the file.
    static func configuration(_ arguments: Arguments) throws -> PipelineConfiguration {
        try configuration(values(arguments))
    }

    /// The pipeline the flag values describe.
    /// - Throws: ``PipelineFileError`` for the `--config` file or the `--spec` file.
    static func configuration(_ values: Values) throws -> PipelineConfiguration {
        var values = values
        // Streams (a FIFO, /dev/stdin, <(...)) are copied once: the pipeline may open a file twice.
        let givenConfig = values.config
        values.config = try values.config.map { try FileReading.reopenablePath($0, kind: "pipeline file") }
        values.input = try values.input.map { try FileReading.reopenablePath($0, kind: "JSON Lines file") }
        // `--spec '{"type": ...}'`: the spec itself rather than a file's path.
        let inlineSpec = try values.spec.flatMap(Self.inlineSpec)
        if inlineSpec != nil { values.spec = nil }
        if let spec = values.spec {
            values.spec = try FileReading.reopenablePath(spec, kind: "spec file")
            try FileReading.checkSpec(values.spec ?? spec)
        }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // A file read from stdin (`-`), a stream or /dev/stdin has no folder of its own: its relative
        // paths are the working directory's, as a shell user means them.
        let configFromStream = values.config.map { path in
            Arguments.isStandardInputCopy(path) || path != givenConfig || path.hasPrefix("/dev/") || path.hasPrefix("/proc/")
        } ?? false
        var configuration = try values.config.map {
            try PipelineConfiguration(contentsOf: URL(fileURLWithPath: $0), baseDirectory: configFromStream ? here : nil)
        } ?? PipelineConfiguration(baseDirectory: here)
        func local(_ path: String) -> URL { URL(fileURLWithPath: path) }
        if let input = values.input { configuration.data.path = local(input) }
        if let format = values.format { configuration.data.format = format }
        if let tokenizer = values.tokenizer { configuration.tokenizer = local(tokenizer) }
        if let template = values.template {
            configuration.chatTemplate = isTemplatePath(template) ? local(template).path : template
        }
        if let trainOn = values.trainOn { configuration.trainOn = trainOn }
        if let model = values.model {
            var description = configuration.model ?? PipelineConfiguration.Model()
            description.path = local(model)
            configuration.model = description
        }
        if let spec = values.spec {
            configuration.collator = nil
            configuration.collatorFile = local(spec)
        }
        if let inlineSpec {
            configuration.collator = inlineSpec
            configuration.collatorFile = nil
            configuration.collatorSource = "--spec (inline JSON)"
        }
        if let batchSize = values.batchSize { configuration.batchSize = batchSize }
        return configuration
    }

    /// The spec a `--spec` value holds itself, when it is JSON (starts with `{` after any
    /// whitespace) rather than a path; `nil` for a path.
    /// - Throws: ``InputError`` naming `--spec`, the syntax error and its position.
    static func inlineSpec(_ value: String) throws -> JSONValue? {
        guard value.first(where: { !$0.isWhitespace }) == "{" else { return nil }
        do {
            return try JSONParser.parse(value)
        } catch {
            throw InputError(file: "--spec", line: nil, reason: "the inline spec is not valid JSON: \(error); "
                + "give a JSON object such as '{\"type\": \"language-modeling\"}' or the path of a spec file")
        }
    }

    /// The model the pipeline describes (model keys, `--model` folder, tokenizer): kind,
    /// vocabulary, maximum length, special ids, pad contradictions. `collate validate` builds its
    /// backend description from it, with its own flags winning.
    /// - Throws: ``ModelFolderError``, ``InputError`` for the tokenizer.
    static func backend(_ configuration: PipelineConfiguration) throws -> ModelDescription {
        try configuration.modelDescription()
    }

    /// What `collate validate` needs from the data flags, in one value.
    struct Validation {
        /// The pipeline the flags and `--config` describe.
        var configuration: PipelineConfiguration
        /// The prepared run: `run.examples` (file order, `run.lines[i]` is example i's line) for
        /// the example rules; `run.batchRanges` of `run.units` through `run.collator` for the
        /// batch rules (with packing, units are packed rows).
        var run: PipelineRun
        /// The model the pipeline, `--model` folder and tokenizer describe (kind, vocabulary,
        /// maximum length, special ids).
        var model: ModelDescription
        /// Contradictions between the model facts and the collator (pad id, vocabulary), one
        /// sentence each, for diagnostics.
        var contradictions: [String]

        /// The backend contract the facts give; explicit backend flags should overwrite its fields.
        func contract(requiredInputs: [String] = ["input_ids", "labels"]) -> BackendContract {
            model.backendContract(requiredInputs: requiredInputs)
        }
    }

    /// Reads and prepares everything `collate validate` checks: the run and the model description.
    /// - Parameter values: The parsed data flags (``values(_:)``; a usage error there is exit 2).
    /// - Throws: ``PipelineFileError``, ``ModelFolderError`` or ``InputError`` (exit 1).
    static func validation(_ values: Values) throws -> Validation {
        let configuration = try configuration(values)
        let run = try configuration.prepare()
        let folder = try configuration.modelFolder()
        let model = ModelDescription(model: configuration.model, folder: folder, tokenizer: run.tokenizer)
        let base = (run.collator as? PackedRowsCollator)?.base ?? run.collator
        return Validation(configuration: configuration, run: run, model: model, contradictions: model.contradictions(with: base.contract))
    }

    /// The examples (after truncation) with their lines, for commands without a collator (`collate pack`).
    /// - Throws: as ``PipelineConfiguration/prepareExamples()``.
    static func examples(_ arguments: Arguments) throws -> (examples: [Example], lines: [Int], report: DatasetReport) {
        try configuration(arguments).prepareExamples()
    }
}

extension DataFlags {
    /// Whether a `--template` value names a file or folder rather than a built-in format: it
    /// looks like a path (`/`, `.json`, `.jinja`), or it is not a built-in name and exists.
    static func isTemplatePath(_ value: String) -> Bool {
        PipelineConfiguration.looksLikePath(value)
            || (!ChatFormat.builtInNames.contains(value) && FileManager.default.fileExists(atPath: value))
    }
}
