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

/// Why a ``DataLoader`` could not build a batch.
public enum LoaderError: Error, Sendable, Hashable {
    /// The collator rejected a batch; `example` is the dataset index of the example at fault.
    case collation(CollateError, example: Int?)
    /// The sampler named an example the dataset does not have.
    case indexOutOfRange(Int, count: Int)
}

extension LoaderError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .collation(error, example?):
            "dataset example \(example): \(error)"
        case let .collation(error, nil):
            "\(error)"
        case let .indexOutOfRange(index, count):
            "the sampler asked for example \(index) but the dataset has \(count); build the sampler from this dataset"
        }
    }
}
