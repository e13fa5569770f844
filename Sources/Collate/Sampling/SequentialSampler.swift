/// Examples in dataset order, cut into batches (torch `SequentialSampler` + `BatchSampler`).
public struct SequentialSampler: Sampler, Hashable {
    /// The number of examples.
    public let count: Int
    /// Examples per batch.
    public let batchSize: Int
    /// Whether a final partial batch is dropped.
    public let dropLast: Bool

    /// Creates the sampler.
    /// - Throws: ``SamplerError/invalidParameter(name:value:reason:)`` for a negative count or a batch size below 1.
    public init(count: Int, batchSize: Int, dropLast: Bool = false) throws(SamplerError) {
        try _checkSamplerParameters(count: count, batchSize: batchSize)
        self.count = count
        self.batchSize = batchSize
        self.dropLast = dropLast
    }

    public var description: String { "sequential(count: \(count), batch_size: \(batchSize), drop_last: \(dropLast))" }

    /// - Complexity: O(*n*).
    public func batches(epoch: Int) -> [[Int]] {
        Array(0..<count).batched(batchSize, dropLast: dropLast)
    }
}
