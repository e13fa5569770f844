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
