/// Examples → collator → batch transforms → validator → backend, refusing to start when
/// validation finds an error.
///
/// ```
///   [Example] ─► schema/contract rules ─► Collator ─► transforms ─► batch rules ─► ModelBackend
///                     │ errors                                         │ errors
///                     └──────────── PipelineError.rejected(all diagnostics) ◄┘
/// ```
///
/// The schema and contract rules run over every example before any batch is built; when they
/// pass, every batch is built, transformed and checked, and only then does the backend see one.
///
/// ```swift
/// let pipeline = Pipeline(collator: LanguageModelingCollator(padTokenID: 0))
/// var model = ReferenceLanguageModel(configuration: .init(vocabSize: 64))
/// let records = try pipeline.train(examples, batchSize: 8, backend: &model, configuration: .init(steps: 50))
/// ```
public struct Pipeline<C: Collator>: Sendable where C.Output == Batch {
    /// A batch transform: pad to a multiple, shift, add counts, ...
    public typealias Transform = @Sendable (Batch) throws -> Batch

    /// Validated batches ready for a backend, with the warnings found on the way.
    public struct Prepared: Sendable, Hashable {
        /// The batches, in order.
        public var batches: [Batch]
        /// The examples each batch was built from.
        public var exampleRanges: [Range<Int>]
        /// Warning-level diagnostics (the pipeline starts despite them).
        public var warnings: [Diagnostic]
    }

    /// The collator.
    public var collator: C
    /// Transforms applied to each batch, in order, before validation.
    public var transforms: [Transform]
    /// The validator run before any batch reaches the backend.
    public var validator: Validator

    /// Creates a pipeline.
    public init(collator: C, transforms: [Transform] = [], validator: Validator = Validator()) {
        self.collator = collator
        self.transforms = transforms
        self.validator = validator
    }

    /// Validates `examples` against the collator and `backend`, builds every batch, transforms
    /// and validates each one.
    /// - Parameters:
    ///   - examples: The examples, in training order.
    ///   - batchSize: Examples per batch (the last batch may be smaller).
    ///   - backend: The contract of the backend the batches are for.
    /// - Returns: The batches and any warnings.
    /// - Throws: ``PipelineError/rejected(_:)`` with every diagnostic when any is an error —
    ///   from the schema phase (no batch built) or, if that passed, from all batches;
    ///   ``PipelineError/collationFailed(_:batch:)`` (a collator throws only ``CollateError``)
    ///   or ``PipelineError/transformFailed(batch:message:)``.
    /// - Complexity: O(*N*) in the total number of tokens, plus the collator's cost.
    public func prepare(_ examples: [Example], batchSize: Int, for backend: BackendContract) throws(PipelineError) -> Prepared {
        guard batchSize >= 1 else { throw .invalidBatchSize(batchSize) }
        let schema = validator.validate(examples, collator: collator.contract, backend: backend)
        if schema.containsErrors { throw .rejected(ValidationFailure(diagnostics: schema)) }
        var prepared = Prepared(batches: [], exampleRanges: [], warnings: schema)
        var batchDiagnostics: [Diagnostic] = []
        for (index, start) in stride(from: 0, to: examples.count, by: batchSize).enumerated() {
            let range = start..<min(start + batchSize, examples.count)
            var batch: Batch
            do {
                batch = try collator.collate(Array(examples[range]))
            } catch {
                throw .collationFailed(error.offsettingExample(by: range.lowerBound), batch: index)
            }
            do {
                try batch.checkStructure(contract: collator.contract, exampleCount: range.count)
            } catch {
                throw .collatorFailed(batch: index, message: error.description)
            }
            for transform in transforms {
                do { batch = try transform(batch) } catch { throw .transformFailed(batch: index, message: String(describing: error)) }
            }
            batchDiagnostics += validator.validate(batch: batch, index: index, exampleIndices: range, collator: collator.contract, backend: backend)
            prepared.batches.append(batch)
            prepared.exampleRanges.append(range)
        }
        if batchDiagnostics.containsErrors { throw .rejected(ValidationFailure(diagnostics: schema + batchDiagnostics)) }
        prepared.warnings += batchDiagnostics
        return prepared
    }

    /// Validates, then runs `backend` forward on every batch.
    /// - Throws: ``PipelineError``; `.backendFailed` when the backend throws.
    public func forward<B: ModelBackend>(_ examples: [Example], batchSize: Int, backend: B) throws(PipelineError) -> [ModelOutput] {
        let prepared = try prepare(examples, batchSize: batchSize, for: backend.contract)
        var outputs: [ModelOutput] = []
        for (index, batch) in prepared.batches.enumerated() {
            do { outputs.append(try backend.forward(batch)) } catch { throw .backendFailed(batch: index, message: String(describing: error)) }
        }
        return outputs
    }

    /// Validates, then trains `backend` with a ``Trainer``.
    /// - Parameters:
    ///   - examples: The examples, in training order.
    ///   - batchSize: Examples per batch (the last batch may be smaller).
    ///   - backend: The backend to train; it holds the trained state afterwards.
    ///   - configuration: Steps, gradient accumulation and learning rate.
    ///   - onStep: Called after every optimizer step.
    /// - Returns: One record per step.
    /// - Throws: ``PipelineError/rejected(_:)`` before step 1 when validation finds errors;
    ///   ``PipelineError/training(_:)`` when a step fails.
    public func train<B: TrainableBackend>(
        _ examples: [Example], batchSize: Int, backend: inout B, configuration: Trainer<B>.Configuration,
        onStep: (Trainer<B>.StepRecord) -> Void = { _ in }
    ) throws(PipelineError) -> [Trainer<B>.StepRecord] {
        let prepared = try prepare(examples, batchSize: batchSize, for: backend.contract)
        var trainer = Trainer(backend: backend, configuration: configuration)
        defer { backend = trainer.backend }
        do {
            return try trainer.train(prepared.batches, onStep: onStep)
        } catch {
            throw .training(error)
        }
    }
}
