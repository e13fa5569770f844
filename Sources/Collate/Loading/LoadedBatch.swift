/// One batch from a ``DataLoader``, with what is needed to checkpoint after it.
public struct LoadedBatch: Sendable {
    /// The collated, transformed batch.
    public var batch: Batch
    /// The dataset indices of its examples, in batch order.
    public var indices: [Int]
    /// The sampler state after this batch: save it with the model step that consumed the batch,
    /// and a loader restored from it continues with the next batch.
    public var samplerState: SamplerState
    /// Real tokens in the batch (the examples' `input_ids`, before padding).
    public var tokens: Int
}
