import Collate
import CollateBackends
import CollateData
import Foundation

/// `collate train --backend reference|worker --spec SPEC.json --input EXAMPLES.jsonl --steps N
/// [--batch-size N] [--accumulation N] [--learning-rate X] [--seed N] [--vocab-size N]
/// [--worker "CMD ..."] [--timeout SECONDS] [--tolerance X]`: the small dry run before a real
/// training job, on the pure-Swift reference model or in a PyTorch worker process.
///
/// Validates the pipeline against the backend first (exit 1 with the diagnostics on stderr
/// when it finds errors: no step is taken), then prints one JSON line per optimizer step:
/// `{"step", "loss", "tokens", "num_items"}`. With `--backend worker` the worker (normally
/// `Sources/CollateBackends/Worker/collate_worker.py`) is started and greeted first; when the
/// pipeline's batches are padding-free (flattened or packed) it must pass the boundary probe
/// before the first step, or the batches are refused with the fix.
enum TrainCommand {
    static var usage: String {
        """
            usage: \(Tool.name) train --backend reference|worker --spec SPEC.json --input DATA.jsonl --steps N
                                 [--batch-size N] [--accumulation N] [--learning-rate X] [--seed N] [--vocab-size N]
                                 [--worker "CMD ..."] [--timeout SECONDS] [--tolerance X]
                                 [--format F] [--tokenizer PATH] [--template NAME] [--train-on WHAT] [--config FILE] [--model DIR]

            \(DataFlags.usage)
              --backend B         reference (default) | worker; overrides the pipeline file's backend
              --worker "CMD ..."  the worker's command line (quotes group words), e.g.
                                  "python3 Sources/CollateBackends/Worker/collate_worker.py --tiny-llama"
              --timeout SECONDS   the longest the worker may take to start and to answer each request (default: 600 to start, 300 a request)
              --tolerance X       the boundary probe's largest accepted |alone - packed| difference (default 0.001; ~0.05 for bf16)
            With packing in the pipeline file, each step's batch holds batch_size packed rows.
            """
    }

    /// The backends `--backend` names.
    static let backends = PipelineConfiguration.Backend.Kind.allCases.map(\.rawValue)

    /// What the command line says about the backend, before the pipeline file is read.
    struct BackendSettings {
        var kind: PipelineConfiguration.Backend.Kind?
        var worker: String?
        var timeout: Int?
        var tolerance: Double?
        var seed: UInt64?
        var vocabSize: Int?
    }

    /// Runs the command; returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        execute(arguments: arguments, output: { line in
            Console.output(line)
            Console.flush()
        }, message: Console.message, endsWorkersOnSignals: true)
    }

    /// Runs the command, sending stdout lines to `output` as they come and stderr lines to `message`.
    ///
    /// `endsWorkersOnSignals` makes SIGTERM, SIGINT and SIGHUP end the worker's process group
    /// and then this process (``ExternalBackend/endWorkersOnSignals()``); the `collate` command
    /// sets it, code that runs the command in its own process (tests) leaves its signals alone.
    static func execute(arguments: [String], output: (String) -> Void, message: (String) -> Void,
                        endsWorkersOnSignals: Bool = false) -> Int32 {
        let values: DataFlags.Values, steps: Int, accumulation: Int
        let learningRate: Double
        var settings = BackendSettings()
        do {
            let parsed = try Arguments(arguments, options: DataFlags.options.union([
                "--backend", "--steps", "--accumulation", "--learning-rate", "--seed", "--vocab-size", "--worker", "--timeout", "--tolerance",
            ]))
            values = try DataFlags.values(parsed)
            if values.spec == nil && values.config == nil { throw UsageError("missing --spec") }
            if let backend = parsed.value("--backend") {
                guard let kind = PipelineConfiguration.Backend.Kind(rawValue: backend) else {
                    throw UsageError("unknown backend '\(backend)'; available: \(backends.joined(separator: ", "))")
                }
                settings.kind = kind
            }
            guard let stepCount = try parsed.positiveInt("--steps") else { throw UsageError("missing --steps") }
            steps = stepCount
            accumulation = try parsed.positiveInt("--accumulation") ?? 1
            let rateText = parsed.value("--learning-rate") ?? "0.01"
            guard let rate = Double(rateText), rate > 0, rate.isFinite else {
                throw UsageError("--learning-rate must be a positive number, got '\(rateText)'")
            }
            learningRate = rate
            if let seedText = parsed.value("--seed") {
                guard let seedValue = UInt64(seedText) else { throw UsageError("--seed must be a non-negative integer, got '\(seedText)'") }
                settings.seed = seedValue
            }
            settings.vocabSize = try parsed.positiveInt("--vocab-size")
            if let vocabSize = settings.vocabSize, vocabSize > ReferenceLanguageModel.maximumVocabSize {
                throw UsageError("--vocab-size must be at most \(ReferenceLanguageModel.maximumVocabSize) for the reference model, got \(vocabSize)")
            }
            settings.worker = parsed.value("--worker")
            settings.timeout = try parsed.positiveInt("--timeout")
            if let text = parsed.value("--tolerance") {
                guard let value = Double(text), value >= 0, value.isFinite else {
                    throw UsageError("--tolerance must be a non-negative number, got '\(text)'")
                }
                settings.tolerance = value
            }
            try checkFlags(settings, kind: settings.kind ?? (settings.worker != nil ? .worker : nil))
        } catch {
            message("\(Tool.name) train: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        let configuration: PipelineConfiguration
        do {
            configuration = try DataFlags.configuration(values)
        } catch {
            message("\(Tool.name) train: \(error)")
            return ExitStatus.rejected
        }
        // The command line wins over the pipeline file; a --worker alone means the worker.
        let kind = settings.kind ?? (settings.worker != nil ? .worker : nil) ?? configuration.backend?.kind ?? .reference
        let trainer = Trainer<ReferenceLanguageModel>.Configuration(
            steps: steps, gradientAccumulation: accumulation, learningRate: learningRate, keepsRecords: false)
        switch kind {
        case .reference:
            do {
                try checkFlags(settings, kind: .reference)
            } catch {
                message("\(Tool.name) train: \(error)\n\(usage)")
                return ExitStatus.usage
            }
            return trainReference(configuration: configuration, settings: settings, trainer: trainer, output: output, message: message)
        case .worker:
            let command: [String], timeout: Int?
            do {
                try checkFlags(settings, kind: .worker)
                guard let text = settings.worker ?? configuration.backend?.worker else {
                    throw UsageError("--backend worker needs the worker's command line: --worker \"CMD ...\" (or \"backend\": "
                        + "{\"worker\": \"CMD ...\"} in the pipeline file), e.g. --worker \"python3 Sources/CollateBackends/Worker/collate_worker.py --tiny-llama\"")
                }
                if settings.worker == nil {
                    // From the pipeline file: a bad value there is rejected input naming the
                    // file and key (exit 1), not a usage error.
                    do {
                        command = try ProbeCommand.splitCommand(text, option: "backend.worker")
                    } catch {
                        message("\(Tool.name) train: \(configuration.file ?? "the pipeline file"): key \"backend.worker\": \(error.description); "
                            + "close the quote, or escape the character with a backslash (quotes group words, as in a shell)")
                        return ExitStatus.rejected
                    }
                } else {
                    command = try ProbeCommand.splitCommand(text, option: "--worker")
                }
                timeout = settings.timeout ?? configuration.backend?.timeout
            } catch {
                message("\(Tool.name) train: \(error)\n\(usage)")
                return ExitStatus.usage
            }
            if endsWorkersOnSignals { ExternalBackend.endWorkersOnSignals() }
            return trainWorker(configuration: configuration, command: command, timeout: timeout,
                               tolerance: settings.tolerance ?? BoundaryProbe.defaultTolerance,
                               trainer: .init(steps: steps, gradientAccumulation: accumulation, learningRate: learningRate, keepsRecords: false),
                               output: output, message: message)
        }
    }

    /// Refuses flags that belong to the other backend.
    /// - Throws: ``UsageError`` naming the flag and where it belongs.
    static func checkFlags(_ settings: BackendSettings, kind: PipelineConfiguration.Backend.Kind?) throws(UsageError) {
        switch kind {
        case .reference?:
            for (flag, given) in [("--worker", settings.worker != nil), ("--timeout", settings.timeout != nil), ("--tolerance", settings.tolerance != nil)] where given {
                throw UsageError("\(flag) applies to --backend worker, not to the reference model")
            }
        case .worker?:
            for (flag, given) in [("--seed", settings.seed != nil), ("--vocab-size", settings.vocabSize != nil)] where given {
                throw UsageError("\(flag) applies to the reference model; the worker's model is set on its own command line "
                    + "(collate_worker.py --seed N, --vocab-size N with --config or --tiny-llama)")
            }
        case nil:
            break
        }
    }

    // MARK: - The reference model

    private static func trainReference(
        configuration: PipelineConfiguration, settings: BackendSettings, trainer: Trainer<ReferenceLanguageModel>.Configuration,
        output: (String) -> Void, message: (String) -> Void
    ) -> Int32 {
        var vocabSize = settings.vocabSize
        let run: PipelineRun, batchSize: Int
        do {
            batchSize = configuration.batchSize ?? 8
            run = try configuration.prepare()
            if !run.report.skipped.isEmpty { message("\(Tool.name) train: \(run.report)") }
            // The model's vocabulary (pipeline file or model folder) when --vocab-size is absent.
            if vocabSize == nil, let described = try configuration.model?.vocabSize ?? configuration.modelFolder()?.vocabSize,
               described <= ReferenceLanguageModel.maximumVocabSize {
                vocabSize = described
            }
        } catch {
            message("\(Tool.name) train: \(error)")
            return ExitStatus.rejected
        }
        let collator = run.collator, inputPath = run.file
        // What the trainer batches: the examples, or packed rows (each named by its first member's line).
        let examples = run.units
        let records = records(of: run)
        let inferred = inferredVocabulary(records, contract: collator.contract)
        if vocabSize == nil, inferred.size > ReferenceLanguageModel.maximumVocabSize {
            let place = inferred.line.map { "\(inputPath):\($0): " } ?? ""
            message("\(Tool.name) train: \(place)token id \(inferred.size - 1) implies a vocabulary of \(inferred.size) ids, larger than the "
                + "reference model's maximum of \(ReferenceLanguageModel.maximumVocabSize); check that record's ids, or pass --vocab-size "
                + "to have ids outside the vocabulary reported as token-out-of-range")
            return ExitStatus.rejected
        }
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: vocabSize ?? inferred.size, seed: settings.seed ?? 0))
        return train(examples, records: records, file: inputPath, collator: collator, model: &model, output: output, message: message,
                     configuration: trainer, batchSize: batchSize)
    }

    /// Each unit of the run as a record named by its file line (a packed row by its first member's).
    private static func records(of run: PipelineRun) -> [ExampleFile.Record] {
        run.units.indices.map { ExampleFile.Record(line: run.line(ofUnit: $0) ?? $0 + 1, example: run.units[$0]) }
    }

    // MARK: - The worker

    /// Starts the worker, probes it when the batches are padding-free, then trains.
    private static func trainWorker(
        configuration: PipelineConfiguration, command: [String], timeout: Int?, tolerance: Double,
        trainer: Trainer<ExternalBackend>.Configuration, output: (String) -> Void, message: (String) -> Void
    ) -> Int32 {
        let run: PipelineRun, batchSize: Int
        do {
            batchSize = configuration.batchSize ?? 8
            run = try configuration.prepare()
        } catch {
            message("\(Tool.name) train: \(error)")
            return ExitStatus.rejected
        }
        var workerConfiguration = ExternalBackend.Configuration(command: command, requiredInputs: ["input_ids", "labels"])
        if let timeout {
            workerConfiguration.startupTimeout = .seconds(timeout)
            workerConfiguration.requestTimeout = .seconds(timeout)
        }
        var backend: ExternalBackend
        do {
            backend = try ExternalBackend(configuration: workerConfiguration)
        } catch {
            message("\(Tool.name) train: \(startFailure(error))")
            return ExitStatus.rejected
        }
        defer { backend.close() }
        message("\(Tool.name) train: worker \(backend.worker.name), model \(backend.worker.raw["model"]?.jsonText ?? "unknown")")

        let contract = run.collator.contract
        if case .paddingFree = contract.layout {
            let produced = contract.producedFields
            let probeCollator = FlatteningCollator(
                returnPositionIDs: produced.contains("position_ids") || !produced.contains("cu_seq_lens_q"),
                returnFlashAttentionKwargs: produced.contains("cu_seq_lens_q"))
            let vocabulary = backend.worker.vocabSize ?? 64
            guard vocabulary >= 2 else {
                message("\(Tool.name) train: the worker reports a vocabulary of \(vocabulary) ids; the boundary probe needs at least 2")
                return ExitStatus.rejected
            }
            let report: BoundaryProbeReport
            do {
                report = try backend.probeBoundaries(BoundaryProbe(vocabSize: vocabulary, tolerance: tolerance, collator: probeCollator))
            } catch {
                message("\(Tool.name) train: the boundary probe could not run, so padding-free batches are not trained: \(error)")
                return ExitStatus.rejected
            }
            if let diagnostic = report.diagnostic {
                message(diagnostic.description)
                message(refusal(report, worker: backend.worker))
                return ExitStatus.rejected
            }
            message("\(Tool.name) train: boundary probe passed — packed sequences match their alone runs within \(tolerance) "
                + "(max difference \(report.maxDifference) over \(report.compared.rawValue), \(report.differences.count) sequences); "
                + "training padding-free batches")
        }
        return train(run.units, records: records(of: run), file: run.file, collator: run.collator, model: &backend,
                     output: output, message: message, configuration: trainer, batchSize: batchSize)
    }

    /// Why padding-free batches are refused after a failed probe, and what to change.
    static func refusal(_ report: BoundaryProbeReport, worker: WorkerInfo) -> String {
        var cause = ""
        if case .bool(true)? = worker.raw["use_cache"] {
            cause = " The worker runs its model with use_cache=True, which lets packed sequences attend to each other in transformers."
        } else if case .object(let model)? = worker.raw["model"], case .string(let attention)? = model["attn_implementation"],
                  ["sdpa", "eager", "flex_attention"].contains(attention) {
            cause = " Under \(attention) attention transformers keeps packed sequences apart by position_ids only and ignores "
                + "cu_seq_lens_*: a collator that sends cu_seq_lens_* without position_ids lets them attend to each other "
                + "(send position_ids, the flattening collator's default, or use collate_worker.py --attn varlen)."
        }
        return "\(Tool.name) train: refusing to train padding-free (packed or flattened) batches: the worker failed the boundary probe "
            + "(max |alone - packed| \(report.maxDifference) over \(report.compared.rawValue), tolerance \(report.tolerance)); "
            + "no training step was taken.\(cause) Fix: run the model with use_cache=False (collate_worker.py --use-cache false, its default) "
            + "or per-sequence attention (collate_worker.py --attn varlen; or --attn flash_attention_2 with flash-attn installed), "
            + "or train with a padded collator "
            + "(e.g. {\"type\": \"sft\", \"padding_free\": false})."
    }

    /// A failed start as a message: a missing torch or transformers is one line with the install command.
    static func startFailure(_ error: ExternalBackendError) -> String {
        if case let .workerExited("hello", status, standardError) = error, status == "exit status 3", !standardError.isEmpty {
            return "the worker cannot run: its Python is missing a requirement (it exited with status 3):\n  \(standardError)\n"
                + "Install the worker's requirements with the command above (torch and transformers; "
                + "Sources/CollateBackends/Worker/requirements.txt), or point --worker at a Python that has them."
        }
        if case .launchFailed = error { return "\(error)" }
        return "the worker did not start: \(error)"
    }

    /// Validates, then trains and prints one JSON line per step.
    private static func train<Backend: TrainableBackend>(
        _ examples: [Example], records: [ExampleFile.Record], file: String, collator: some Collator<Batch>, model: inout Backend,
        output: (String) -> Void, message: (String) -> Void, configuration: Trainer<Backend>.Configuration, batchSize: Int
    ) -> Int32 {
        do {
            _ = try Pipeline(collator: collator).train(examples, batchSize: batchSize, backend: &model, configuration: configuration) { record in
                output(record.jsonText)
            }
            return ExitStatus.success
        } catch {
            switch error {
            case .rejected(let failure):
                // Grouped by code as `collate validate` prints them: a thousand bad examples are
                // one finding with a count, not a thousand paragraphs.
                let located = failure.diagnostics.map { ValidateCommand.relocated($0, records: records) }
                let summary = DiagnosticSummary(located).text { diagnostic in
                    diagnostic.example.map { "\(file):\($0 + 1): " } ?? "\(file): "
                }
                message(summary.replacingOccurrences(of: "(--format json lists every one)",
                                                     with: "(`collate validate` with the same flags and --format json lists every one)"))
                message("\(Tool.name) train: validation found \(failure.diagnostics.errors.count) error(s); no training step was taken")
            case .collationFailed(let collateError, _):
                message("\(Tool.name) train: \(Inputs.locate(collateError, offset: 0, records: records, file: file))")
            default:
                message("\(Tool.name) train: \(error)")
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
