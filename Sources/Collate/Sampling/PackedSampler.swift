/// One packed bin per batch: the bins of a ``PackingPlan``, in creation order or in a seeded
/// random order per epoch. Collate each batch with ``FlatteningCollator/packed``.
///
/// Packing happens once (the bins are fixed); shuffling changes which bin comes when.
public struct PackedSampler: Sampler, Hashable {
    /// The bins.
    public let plan: PackingPlan
    /// The seed for the per-epoch bin order, or `nil` for creation order.
    public let seed: UInt64?

    /// Creates the sampler over an existing plan.
    public init(plan: PackingPlan, seed: UInt64? = nil) {
        self.plan = plan
        self.seed = seed
    }

    /// Packs `lengths` with `packer` and samples its bins.
    /// - Throws: ``PackingError`` naming the example that cannot be packed.
    /// - Complexity: that of ``Packer/pack(lengths:)``.
    public init(lengths: [Int], packer: Packer, seed: UInt64? = nil) throws(PackingError) {
        self.init(plan: try packer.pack(lengths: lengths), seed: seed)
    }

    public var description: String {
        "packed(count: \(plan.members.count), bins: \(plan.binCount), capacity: \(plan.capacity), seed: \(seed.map(String.init) ?? "none"))"
    }

    /// - Complexity: O(*n*).
    public func batches(epoch: Int) -> [[Int]] {
        var order = Array(0..<plan.binCount)
        if let seed {
            var generator = SeededGenerator.forEpoch(epoch, seed: seed)
            generator.shuffle(&order)
        }
        return order.map { Array(plan[bin: $0]) }
    }
}
