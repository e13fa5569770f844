import Collate
import CollateBackends
import CollateData
import Foundation

/// `collate train --backend reference --spec SPEC.json --input EXAMPLES.jsonl --steps N
/// [--batch-size N] [--accumulation N] [--learning-rate X] [--seed N] [--vocab-size N]`:
/// the small dry run before a real training job.
///
/// Validates the pipeline against the backend first (exit 1 with the diagnostics on stderr
/// when it finds errors: no step is taken), then prints one JSON line per optimizer step:
/// `{"step", "loss", "tokens", "num_items"}`.
enum TrainCommand {
    static let usage = """
        usage: collate train --backend reference --spec SPEC.json --input DATA.jsonl --steps N
                             [--batch-size N] [--accumulation N] [--learning-rate X] [--seed N] [--vocab-size N]
                             [--format F] [--tokenizer PATH] [--template NAME] [--train-on WHAT] [--config FILE] [--model DIR]

        \(DataFlags.usage)
        With packing in the pipeline file, each step's batch holds batch_size packed rows.
        """

    /// The backends `--backend` names.
    static let backends = ["reference"]

    /// Runs the command; returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        execute(arguments: arguments, output: { line in
            Console.output(line)
            Console.flush()
        }, message: Console.message)
    }

    /// Runs the command, sending stdout lines to `output` as they come and stderr lines to `message`.
    static func execute(arguments: [String], output: (String) -> Void, message: (String) -> Void) -> Int32 {
        let values: DataFlags.Values, steps: Int, accumulation: Int
        let learningRate: Double, seed: UInt64
        var vocabSize: Int?
        do {
            let parsed = try Arguments(arguments, options: DataFlags.options.union([
                "--backend", "--steps", "--accumulation", "--learning-rate", "--seed", "--vocab-size",
            ]))
            values = try DataFlags.values(parsed)
            if values.spec == nil && values.config == nil { throw UsageError("missing --spec") }
            let backend = parsed.value("--backend") ?? "reference"
            guard backends.contains(backend) else {
                throw UsageError("unknown backend '\(backend)'; available: \(backends.joined(separator: ", "))")
            }
            guard let stepCount = try parsed.positiveInt("--steps") else { throw UsageError("missing --steps") }
            steps = stepCount
            accumulation = try parsed.positiveInt("--accumulation") ?? 1
            let rateText = parsed.value("--learning-rate") ?? "0.01"
            guard let rate = Double(rateText), rate > 0, rate.isFinite else {
                throw UsageError("--learning-rate must be a positive number, got '\(rateText)'")
            }
            learningRate = rate
            let seedText = parsed.value("--seed") ?? "0"
            guard let seedValue = UInt64(seedText) else { throw UsageError("--seed must be a non-negative integer, got '\(seedText)'") }
            seed = seedValue
            vocabSize = try parsed.positiveInt("--vocab-size")
            if let vocabSize, vocabSize > ReferenceLanguageModel.maximumVocabSize {
                throw UsageError("--vocab-size must be at most \(ReferenceLanguageModel.maximumVocabSize) for the reference model, got \(vocabSize)")
            }
        } catch {
            message("collate train: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        let run: PipelineRun, batchSize: Int
        do {
            let configuration = try DataFlags.configuration(values)
            batchSize = configuration.batchSize ?? 8
            run = try configuration.prepare()
            if !run.report.skipped.isEmpty { message("collate train: \(run.report)") }
            // The model's vocabulary (pipeline file or model folder) when --vocab-size is absent.
            if vocabSize == nil, let described = try configuration.model?.vocabSize ?? configuration.modelFolder()?.vocabSize,
               described <= ReferenceLanguageModel.maximumVocabSize {
                vocabSize = described
            }
        } catch {
            message("collate train: \(error)")
            return ExitStatus.rejected
        }
        let collator = run.collator, inputPath = run.file
        // What the trainer batches: the examples, or packed rows (each named by its first member's line).
        let examples = run.units
        let records = examples.indices.map { ExampleFile.Record(line: run.line(ofUnit: $0) ?? $0 + 1, example: examples[$0]) }
        let inferred = inferredVocabulary(records, contract: collator.contract)
        if vocabSize == nil, inferred.size > ReferenceLanguageModel.maximumVocabSize {
            let place = inferred.line.map { "\(inputPath):\($0): " } ?? ""
            message("collate train: \(place)token id \(inferred.size - 1) implies a vocabulary of \(inferred.size) ids, larger than the "
                + "reference model's maximum of \(ReferenceLanguageModel.maximumVocabSize); check that record's ids, or pass --vocab-size "
                + "to have ids outside the vocabulary reported as token-out-of-range")
            return ExitStatus.rejected
        }
        let model = ReferenceLanguageModel(configuration: .init(vocabSize: vocabSize ?? inferred.size, seed: seed))
        return train(examples, records: records, file: inputPath, collator: collator, model: model, output: output, message: message,
                     configuration: .init(steps: steps, gradientAccumulation: accumulation, learningRate: learningRate, keepsRecords: false), batchSize: batchSize)
    }

    /// Validates, then trains and prints one JSON line per step.
    private static func train(
        _ examples: [Example], records: [ExampleFile.Record], file: String, collator: some Collator<Batch>, model: ReferenceLanguageModel,
        output: (String) -> Void, message: (String) -> Void, configuration: Trainer<ReferenceLanguageModel>.Configuration, batchSize: Int
    ) -> Int32 {
        var model = model
        do {
            _ = try Pipeline(collator: collator).train(examples, batchSize: batchSize, backend: &model, configuration: configuration) { record in
                output(record.jsonText)
            }
            return ExitStatus.success
        } catch {
            switch error {
            case .rejected(let failure):
                for diagnostic in failure.diagnostics {
                    let located = ValidateCommand.relocated(diagnostic, records: records)
                    message((located.example.map { "\(file):\($0 + 1): " } ?? "\(file): ") + located.description)
                }
                message("collate train: validation found \(failure.diagnostics.errors.count) error(s); no training step was taken")
            case .collationFailed(let collateError, _):
                message("collate train: \(Inputs.locate(collateError, offset: 0, records: records, file: file))")
            default:
                message("collate train: \(error)")
            }
            return ExitStatus.rejected
        }
    }

    /// One more than the largest token id in the examples' `input_ids` and `labels`, and than the
    /// pad id, with the line of the record holding that id (`nil` when the pad id is the largest).
    static func inferredVocabulary(_ records: [ExampleFile.Record], contract: CollatorContract) -> (size: Int, line: Int?) {
        var largest: Int32 = 0
        var line: Int?
        for record in records {
            let example = record.example
            let recordLargest = max(example.inputIDs.max() ?? 0, example.labels?.max() ?? 0)
            if recordLargest > largest { (largest, line) = (recordLargest, record.line) }
        }
        if case .padded(_, let padTokenID, _) = contract.layout, padTokenID > largest { (largest, line) = (padTokenID, nil) }
        return (Int(largest) + 1, line)
    }
}
