/// Batches of similar length, in a seeded random order: HF Trainer's `group_by_length`
/// (`get_length_grouped_indices`), so padded batches waste little.
///
/// Each epoch: a seeded permutation is cut into megabatches of `megabatchMultiplier × batchSize`
/// examples; each megabatch is sorted longest first (ties in permutation order); the megabatch
/// holding the longest example gives up its first element to the front, so the first batch is
/// the largest (an out-of-memory error shows at step 0, not hours in). Then cut into batches.
public struct LengthGroupedSampler: Sampler, Hashable {
    /// The length of each example.
    public let lengths: [Int]
    /// Examples per batch.
    public let batchSize: Int
    /// Megabatch size in batches.
    public let megabatchMultiplier: Int
    /// The seed.
    public let seed: UInt64
    /// Whether a final partial batch is dropped.
    public let dropLast: Bool

    /// Creates the sampler.
    /// - Parameters:
    ///   - lengths: Each example's length (usually `input_ids.count`).
    ///   - batchSize: Examples per batch.
    ///   - megabatchMultiplier: Batches per megabatch; `nil` takes HF's default,
    ///     `min(n / (4 × batchSize), 50)` but at least 1.
    ///   - seed: The seed.
    ///   - dropLast: Whether a final partial batch is dropped.
    /// - Throws: ``SamplerError/invalidParameter(name:value:reason:)`` for a batch size or multiplier below 1.
    public init(lengths: [Int], batchSize: Int, megabatchMultiplier: Int? = nil, seed: UInt64, dropLast: Bool = false) throws(SamplerError) {
        try _checkSamplerParameters(count: lengths.count, batchSize: batchSize)
        let multiplier = megabatchMultiplier ?? max(1, min(lengths.count / (4 * batchSize), 50))
        guard multiplier >= 1 else { throw .invalidParameter(name: "megabatch_multiplier", value: multiplier, reason: "must be at least 1") }
        self.lengths = lengths
        self.batchSize = batchSize
        self.megabatchMultiplier = multiplier
        self.seed = seed
        self.dropLast = dropLast
    }

    public var description: String {
        "length-grouped(count: \(lengths.count), batch_size: \(batchSize), megabatch: \(megabatchMultiplier), seed: \(seed), drop_last: \(dropLast))"
    }

    /// - Complexity: O(*n* log *m*) for megabatches of *m* examples.
    public func batches(epoch: Int) -> [[Int]] {
        var generator = SeededGenerator.forEpoch(epoch, seed: seed)
        let permutation = generator.permutation(lengths.count)
        let size = megabatchMultiplier * batchSize
        var megabatches = permutation.batched(size, dropLast: false).map { megabatch in
            megabatch.enumerated()
                .sorted { lengths[$0.element] != lengths[$1.element] ? lengths[$0.element] > lengths[$1.element] : $0.offset < $1.offset }
                .map(\.element)
        }
        if let longest = megabatches.indices.max(by: { lengths[megabatches[$0][0]] < lengths[megabatches[$1][0]] }), longest != 0 {
            let first = megabatches[0][0]
            megabatches[0][0] = megabatches[longest][0]
            megabatches[longest][0] = first
        }
        return megabatches.flatMap { $0 }.batched(batchSize, dropLast: dropLast)
    }
}
