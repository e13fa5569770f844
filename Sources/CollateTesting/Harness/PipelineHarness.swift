import Collate

/// Runs examples through a real ``Collate/Pipeline`` — collator, batch transforms, validator —
/// into a ``RecordingBackend``, so a test asserts on exactly what the model would receive.
///
/// ```swift
/// let harness = PipelineHarness(collator: LanguageModelingCollator(padTokenID: 0))
/// try harness.forward(Example.list(["input_ids": [5, 6, 7]], ["input_ids": [8]]), batchSize: 2)
/// try harness.assertNextBatch(equals: [
///     "input_ids":      [[5, 6, 7], [8, 0, 0]],
///     "attention_mask": [[1, 1, 1], [1, 0, 0]],
///     "labels":         [[5, 6, 7], [8, -100, -100]],
/// ])
/// ```
///
/// A pipeline the validator rejects never reaches the backend: ``forward(_:batchSize:)`` throws
/// ``Collate/PipelineError`` and ``diagnostics(for:batchSize:)`` returns what it found.
public struct PipelineHarness<C: Collator>: Sendable where C.Output == Batch {
    /// The pipeline under test.
    public var pipeline: Pipeline<C>
    /// The backend that records what the pipeline sends.
    public let backend: RecordingBackend
    /// Turns token ids into text in failure messages, when set.
    public var decode: (@Sendable (Int32) -> String)?

    /// Creates a harness around a pipeline.
    /// - Parameters:
    ///   - pipeline: The pipeline under test.
    ///   - backend: The recording backend; its contract is what the validator checks against.
    ///   - decode: Turns token ids into text in failure messages.
    public init(pipeline: Pipeline<C>, backend: RecordingBackend = RecordingBackend(), decode: (@Sendable (Int32) -> String)? = nil) {
        self.pipeline = pipeline
        self.backend = backend
        self.decode = decode
    }

    /// Creates a harness around a pipeline built from its parts.
    public init(
        collator: C, transforms: [Pipeline<C>.Transform] = [], validator: Validator = Validator(),
        backend: RecordingBackend = RecordingBackend(), decode: (@Sendable (Int32) -> String)? = nil
    ) {
        self.init(pipeline: Pipeline(collator: collator, transforms: transforms, validator: validator), backend: backend, decode: decode)
    }

    /// Feeds `examples` through the pipeline and forwards every batch to the backend.
    /// - Returns: The backend's outputs, one per batch.
    /// - Throws: ``Collate/PipelineError`` — `.rejected` when validation finds an error (the
    ///   backend then receives nothing).
    @discardableResult
    public func forward(_ examples: [Example], batchSize: Int) throws(PipelineError) -> [ModelOutput] {
        try pipeline.forward(examples, batchSize: batchSize, backend: backend)
    }

    /// Feeds `examples` through the pipeline and trains the recording backend with a
    /// ``Collate/Trainer``: every micro-batch, its `num_items_in_batch` and every step are recorded.
    /// - Returns: One record per optimizer step.
    /// - Throws: ``Collate/PipelineError``.
    @discardableResult
    public func train(_ examples: [Example], batchSize: Int, configuration: Trainer<RecordingBackend>.Configuration) throws(PipelineError) -> [Trainer<RecordingBackend>.StepRecord] {
        var backend = self.backend
        return try pipeline.train(examples, batchSize: batchSize, backend: &backend, configuration: configuration)
    }

    /// The diagnostics the pipeline's validator reports for `examples`, errors and warnings,
    /// whether or not it would start; the backend receives nothing.
    /// - Throws: ``Collate/PipelineError`` when collation or a transform fails outright.
    public func diagnostics(for examples: [Example], batchSize: Int) throws(PipelineError) -> [Diagnostic] {
        do {
            return try pipeline.prepare(examples, batchSize: batchSize, for: backend.contract).warnings
        } catch .rejected(let failure) {
            return failure.diagnostics
        }
    }

    /// Every batch the backend received, in order.
    public var batches: [Batch] { backend.batches }

    /// The next batch the backend received that the test has not read yet.
    public func readBatch() -> Batch? { backend.readBatch() }

    /// Reads the next batch and compares it with `expected`.
    /// - Throws: ``BatchMismatch`` when it differs, or with a ``BatchMismatch/Kind/noBatch(index:received:)``
    ///   difference when no batch is left to read.
    public func assertNextBatch(equals expected: ExpectedBatch, options: BatchComparison = .standard) throws(BatchMismatch) {
        guard let batch = readBatch() else {
            let read = backend.batches.count
            throw BatchMismatch(differences: [.init(
                kind: .noBatch(index: read, received: read),
                message: "no batch left to read: the backend received \(read) batch\(read == 1 ? "" : "es"), all read")])
        }
        try CollateTesting.assertBatch(batch, equals: expected, options: options, decode: decode)
    }

    /// Compares batch `index` (0-based, in the order received) with `expected`.
    /// - Throws: ``BatchMismatch``.
    public func assertBatch(_ index: Int, equals expected: ExpectedBatch, options: BatchComparison = .standard) throws(BatchMismatch) {
        let received = backend.batches
        guard received.indices.contains(index) else {
            throw BatchMismatch(differences: [.init(
                kind: .noBatch(index: index, received: received.count),
                message: "no batch \(index): the backend received \(received.count) batch\(received.count == 1 ? "" : "es")")])
        }
        try CollateTesting.assertBatch(received[index], equals: expected, options: options, decode: decode)
    }
}
