/// One rank's share of the data, with torch `DistributedSampler` semantics: every rank gets
/// the same number of samples, so every rank runs the same number of steps.
///
/// Without `dropLast`, the index list is padded to a multiple of the world size by wrapping
/// around its start; with `dropLast`, the tail is dropped. Rank *r* takes positions
/// *r*, *r* + *W*, *r* + 2*W*, ... With shuffling, the permutation is seeded with
/// `seed + epoch`, the same on every rank, so the ranks' shares are disjoint (apart from the
/// wrap-around padding) and together cover the dataset.
///
/// Two kinds of unit:
/// - ``init(count:rank:worldSize:batchSize:shuffle:seed:dropLast:)``: examples, then each
///   rank cuts its share into batches (exactly torch's `DistributedSampler` + `BatchSampler`);
/// - ``init(sharding:rank:worldSize:dropLast:)``: whole batches of another sampler (packed bins,
///   length-grouped batches), so a bin is never split across ranks.
public struct DistributedSampler: Sampler {
    private enum Units: Sendable {
        case examples(count: Int, batchSize: Int, shuffle: Bool, seed: UInt64)
        case batches(any Sampler)
    }

    private let units: Units
    /// This process's rank, `0 ..< worldSize`.
    public let rank: Int
    /// The number of ranks.
    public let worldSize: Int
    /// Whether the tail is dropped rather than padded by wrapping around.
    public let dropLast: Bool

    /// Shards examples across ranks, then batches each rank's share.
    /// - Throws: ``SamplerError/invalidParameter(name:value:reason:)`` for a rank outside
    ///   `0 ..< worldSize`, a world size or batch size below 1, or a negative count.
    public init(count: Int, rank: Int, worldSize: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) throws(SamplerError) {
        try _checkSamplerParameters(count: count, batchSize: batchSize)
        try Self.check(rank: rank, worldSize: worldSize)
        units = .examples(count: count, batchSize: batchSize, shuffle: shuffle, seed: seed)
        self.rank = rank
        self.worldSize = worldSize
        self.dropLast = dropLast
    }

    /// Shards another sampler's batches across ranks (each of its batches goes whole to one rank).
    /// - Throws: ``SamplerError/invalidParameter(name:value:reason:)`` for a rank outside `0 ..< worldSize`.
    public init(sharding base: some Sampler, rank: Int, worldSize: Int, dropLast: Bool = false) throws(SamplerError) {
        try Self.check(rank: rank, worldSize: worldSize)
        units = .batches(base)
        self.rank = rank
        self.worldSize = worldSize
        self.dropLast = dropLast
    }

    private static func check(rank: Int, worldSize: Int) throws(SamplerError) {
        guard worldSize >= 1 else { throw .invalidParameter(name: "world_size", value: worldSize, reason: "must be at least 1") }
        guard rank >= 0, rank < worldSize else {
            throw .invalidParameter(name: "rank", value: rank, reason: "must be in 0..<\(worldSize) (the world size)")
        }
    }

    public var description: String {
        let head = "distributed(rank: \(rank), world_size: \(worldSize), drop_last: \(dropLast)"
        switch units {
        case let .examples(count, batchSize, shuffle, seed):
            return head + ", count: \(count), batch_size: \(batchSize), shuffle: \(shuffle), seed: \(seed))"
        case let .batches(base):
            return head + ", of: \(base))"
        }
    }

    /// This rank's batches.
    /// - Complexity: O(*n*) in the number of units.
    public func batches(epoch: Int) -> [[Int]] {
        switch units {
        case let .examples(count, batchSize, shuffle, seed):
            var indices = Array(0..<count)
            if shuffle {
                var generator = SeededGenerator.forEpoch(epoch, seed: seed)
                generator.shuffle(&indices)
            }
            return Self.share(of: indices, rank: rank, worldSize: worldSize, dropLast: dropLast).batched(batchSize, dropLast: false)
        case let .batches(base):
            return Self.share(of: base.batches(epoch: epoch), rank: rank, worldSize: worldSize, dropLast: dropLast)
        }
    }

    /// Rank `rank`'s units of `all`, as torch's `DistributedSampler.__iter__` picks them.
    /// - Complexity: O(*n*).
    public static func share<Unit>(of all: [Unit], rank: Int, worldSize: Int, dropLast: Bool) -> [Unit] {
        let count = all.count
        let perRank = samplesPerRank(count: count, worldSize: worldSize, dropLast: dropLast)
        let total = perRank * worldSize
        guard total > 0 else { return [] }
        // Position p of the padded list is all[p % count]: wrapping around the start.
        return stride(from: rank, to: total, by: worldSize).map { all[$0 % count] }
    }

    /// The number of samples (or units) each rank gets, as torch's `num_samples`.
    /// 0 for a world size below 1 (no ranks); the ceiling is taken without `count + worldSize`,
    /// which overflows for a huge world size.
    public static func samplesPerRank(count: Int, worldSize: Int, dropLast: Bool) -> Int {
        guard worldSize >= 1, count >= 0 else { return 0 }
        return count / worldSize + (dropLast || count % worldSize == 0 ? 0 : 1)
    }
}
