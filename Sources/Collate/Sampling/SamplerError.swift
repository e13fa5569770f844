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
