/// Where a sampler stands: the epoch and how many of its batches were consumed, plus the
/// sampler's description so a state is never restored into a different sampler.
///
/// Codable, so it goes into a training checkpoint as JSON.
public struct SamplerState: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 0-based epoch.
    public var epoch: Int
    /// Batches of that epoch already handed out.
    public var batchesConsumed: Int
    /// The sampler's `description` (its configuration), checked on restore.
    public var sampler: String

    /// Creates a state.
    public init(epoch: Int, batchesConsumed: Int, sampler: String) {
        self.epoch = epoch
        self.batchesConsumed = batchesConsumed
        self.sampler = sampler
    }

    public var description: String { "epoch \(epoch), \(batchesConsumed) batches consumed, of \(sampler)" }
}

/// Why a sampler could not be built or a state restored.
public enum SamplerError: Error, Sendable, Hashable {
    /// The state was saved from a sampler with another configuration.
    case stateMismatch(saved: String, current: String)
    /// The state points past the end of its epoch, or before its start.
    case positionOutOfRange(batchesConsumed: Int, epoch: Int, batchesInEpoch: Int)
    /// A parameter is out of range (rank beyond the world size, a zero batch size, ...).
    case invalidParameter(name: String, value: Int, reason: String)
}

extension SamplerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .stateMismatch(saved, current):
            "the sampler state was saved from \(saved) but the sampler is \(current); "
                + "restore with the same dataset size, batch size, seed and world size, or start a fresh epoch"
        case let .positionOutOfRange(consumed, epoch, total):
            "the sampler state says \(consumed) batches of epoch \(epoch) were consumed, but the epoch has \(total); "
                + "the checkpoint belongs to another dataset or sampler"
        case let .invalidParameter(name, value, reason):
            "sampler parameter \(name) = \(value): \(reason)"
        }
    }
}
