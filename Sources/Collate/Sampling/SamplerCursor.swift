/// Walks a ``Sampler`` batch by batch and remembers where it is.
///
/// The cursor's ``state`` after `k` calls to ``next()`` restores, through
/// ``init(_:restoring:)``, a cursor that yields exactly the epoch's remaining batches.
public struct SamplerCursor<S: Sampler>: Sendable {
    /// The sampler being walked.
    public let sampler: S
    /// The current position.
    public private(set) var state: SamplerState
    private var plan: [[Int]]

    /// Starts at the beginning of `epoch`.
    /// - Complexity: one ``Sampler/batches(epoch:)`` call.
    public init(_ sampler: S, epoch: Int = 0) {
        self.sampler = sampler
        self.state = SamplerState(epoch: epoch, batchesConsumed: 0, sampler: sampler.description)
        self.plan = sampler.batches(epoch: epoch)
    }

    /// Resumes from a saved state.
    /// - Throws: ``SamplerError/stateMismatch(saved:current:)`` when the state came from a
    ///   sampler with another configuration; ``SamplerError/positionOutOfRange(batchesConsumed:epoch:batchesInEpoch:)``
    ///   when it points outside its epoch.
    /// - Complexity: one ``Sampler/batches(epoch:)`` call.
    public init(_ sampler: S, restoring saved: SamplerState) throws(SamplerError) {
        guard saved.sampler == sampler.description else {
            throw .stateMismatch(saved: saved.sampler, current: sampler.description)
        }
        self.sampler = sampler
        self.plan = sampler.batches(epoch: saved.epoch)
        guard saved.batchesConsumed >= 0, saved.batchesConsumed <= plan.count else {
            throw .positionOutOfRange(batchesConsumed: saved.batchesConsumed, epoch: saved.epoch, batchesInEpoch: plan.count)
        }
        self.state = saved
    }

    /// The next batch of the current epoch, or `nil` when the epoch is over.
    /// - Complexity: O(*B*) to copy the batch's indices.
    public mutating func next() -> [Int]? {
        guard state.batchesConsumed < plan.count else { return nil }
        defer { state.batchesConsumed += 1 }
        return plan[state.batchesConsumed]
    }

    /// Batches in the current epoch.
    public var batchesInEpoch: Int { plan.count }

    /// Batches of the current epoch not yet handed out.
    public var remainingBatches: Int { plan.count - state.batchesConsumed }

    /// Moves to the start of the next epoch.
    /// - Complexity: one ``Sampler/batches(epoch:)`` call.
    public mutating func startNextEpoch() {
        state.epoch += 1
        state.batchesConsumed = 0
        plan = sampler.batches(epoch: state.epoch)
    }
}
