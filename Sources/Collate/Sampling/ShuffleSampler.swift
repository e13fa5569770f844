/// A fresh seeded permutation of the examples every epoch, cut into batches
/// (torch `RandomSampler` with a seeded generator).
///
/// Epoch *e* draws with ``SeededGenerator/forEpoch(_:seed:)``: the same seed gives the same
/// order on every run and platform.
public struct ShuffleSampler: Sampler, Hashable {
    /// The number of examples.
    public let count: Int
    /// Examples per batch.
    public let batchSize: Int
    /// The seed.
    public let seed: UInt64
    /// Whether a final partial batch is dropped.
    public let dropLast: Bool

    /// Creates the sampler.
    /// - Throws: ``SamplerError/invalidParameter(name:value:reason:)`` for a negative count or a batch size below 1.
    public init(count: Int, batchSize: Int, seed: UInt64, dropLast: Bool = false) throws(SamplerError) {
        try _checkSamplerParameters(count: count, batchSize: batchSize)
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.dropLast = dropLast
    }

    public var description: String { "shuffle(count: \(count), batch_size: \(batchSize), seed: \(seed), drop_last: \(dropLast))" }

    /// - Complexity: O(*n*).
    public func batches(epoch: Int) -> [[Int]] {
        var generator = SeededGenerator.forEpoch(epoch, seed: seed)
        return generator.permutation(count).batched(batchSize, dropLast: dropLast)
    }
}
