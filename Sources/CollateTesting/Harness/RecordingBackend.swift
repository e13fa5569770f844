import Collate
import Synchronization

/// A model backend that runs no model: it keeps every batch and every call it receives, and
/// answers with a canned ``Collate/ModelOutput`` — the recording end of a ``PipelineHarness``,
/// in the spirit of swift-nio's `EmbeddedChannel`.
///
/// By default it answers as an HF model does: a loss when the batch has `labels` (the batch's
/// trained-target count, so a test can see it), none otherwise. It is a reference type so a
/// test keeps a handle on what a ``Collate/Pipeline`` (which takes backends by value) sent.
///
/// ```swift
/// let backend = RecordingBackend(contract: BackendContract(requiredInputs: ["input_ids", "labels"]))
/// _ = try Pipeline(collator: collator).forward(examples, batchSize: 2, backend: backend)
/// #expect(backend.batches.count == 2)
/// ```
public final class RecordingBackend: ModelBackend, TrainableBackend, Sendable {
    /// One call the backend received, in order.
    public enum Call: Sendable, Hashable {
        /// ``forward(_:)`` with this batch.
        case forward(Batch)
        /// ``accumulateGradients(_:numItemsInBatch:)`` with this batch and count.
        case accumulateGradients(Batch, numItemsInBatch: Int?)
        /// ``step(learningRate:)``.
        case step(learningRate: Double)

        /// The batch the call carried, if any.
        public var batch: Batch? {
            switch self {
            case .forward(let batch), .accumulateGradients(let batch, _): batch
            case .step: nil
            }
        }
    }

    /// Computes the backend's answer to a batch; may throw to simulate a failing model.
    public typealias Responder = @Sendable (Batch) throws -> ModelOutput

    /// What the backend declares; the validator checks pipelines against it.
    public let contract: BackendContract
    private let responder: Responder
    private let state = Mutex<(calls: [Call], read: Int)>(([], 0))

    /// Creates a recording backend.
    /// - Parameters:
    ///   - contract: What the backend declares; the default requires `input_ids` and `labels`
    ///     (a training pipeline).
    ///   - respond: The answer to each batch; the default is ``hfLikeOutput(for:)``.
    public init(
        contract: BackendContract = BackendContract(requiredInputs: ["input_ids", "labels"]),
        respond: @escaping Responder = RecordingBackend.hfLikeOutput(for:)
    ) {
        self.contract = contract
        self.responder = respond
    }

    /// HF's behaviour without a model: a loss (the trained-target count) when the batch has
    /// `labels`, no loss otherwise, no logits.
    @Sendable public static func hfLikeOutput(for batch: Batch) -> ModelOutput {
        guard batch.contains("labels") else { return ModelOutput() }
        return ModelOutput(loss: Double(batch.numItemsInBatch()))
    }

    /// Records the batch and returns the responder's answer.
    /// - Throws: Whatever the responder throws.
    public func forward(_ batch: Batch) throws -> ModelOutput {
        state.withLock { $0.calls.append(.forward(batch)) }
        return try responder(batch)
    }

    /// Records the batch and count and returns the responder's answer.
    /// - Throws: Whatever the responder throws.
    public func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        state.withLock { $0.calls.append(.accumulateGradients(batch, numItemsInBatch: numItemsInBatch)) }
        return try responder(batch)
    }

    /// Records the step.
    public func step(learningRate: Double) {
        state.withLock { $0.calls.append(.step(learningRate: learningRate)) }
    }

    /// Every call received, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Every batch received (by `forward` or `accumulateGradients`), in order.
    public var batches: [Batch] { calls.compactMap(\.batch) }

    /// The batches passed to ``forward(_:)``, in order.
    public var forwardedBatches: [Batch] {
        calls.compactMap { if case .forward(let batch) = $0 { batch } else { nil } }
    }

    /// The next batch not yet read, in the order received, or `nil` when all have been read
    /// (`EmbeddedChannel.readOutbound` style).
    public func readBatch() -> Batch? {
        state.withLock { state in
            var seen = 0
            for call in state.calls {
                guard let batch = call.batch else { continue }
                if seen == state.read {
                    state.read += 1
                    return batch
                }
                seen += 1
            }
            return nil
        }
    }

    /// Forgets every call and batch received.
    public func reset() {
        state.withLock { $0 = ([], 0) }
    }
}
