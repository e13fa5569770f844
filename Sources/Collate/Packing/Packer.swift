/// Packs variable-length sequences into bins of a fixed token capacity, so that a padding-free
/// batch of one bin wastes almost nothing.
///
/// ```swift
/// let packer = Packer(capacity: 4096)                      // best-fit decreasing
/// let plan = try packer.pack(lengths: examples.map(\.inputIDs.count))
/// for bin in 0..<plan.binCount {
///     let batch = try FlatteningCollator.packed.collate(plan[bin: bin].map { examples[$0] })
/// }
/// ```
///
/// Every bin becomes one row whose sequences keep their boundaries (`position_ids` restart,
/// `cu_seq_lens_*`, `seq_idx`, and the first label of every sequence is the ignore index), so no
/// sequence attends to or predicts another. See `Guides/Packing.md` for the algorithms,
/// their complexity and measured efficiency.
public struct Packer: Sendable, Hashable {
    /// What to do with a sequence longer than the capacity.
    public enum OverflowPolicy: String, Sendable, Hashable, Codable {
        /// Throw ``PackingError/sequenceTooLong(example:length:capacity:)`` naming the example.
        case error
        /// Count it as `capacity` tokens; ``pack(_:)`` truncates it (keeping the start).
        case truncate
    }

    /// The largest capacity accepted: 2^24 tokens, above any model's context today. The
    /// counting sort and the best-fit lists take about 12 bytes per token of capacity
    /// (some 200 MB here), whatever the number of sequences.
    public static let maximumCapacity = 1 << 24

    /// Tokens per bin.
    public var capacity: Int
    /// The assignment algorithm.
    public var strategy: PackingStrategy
    /// What to do with sequences longer than ``capacity``.
    public var overflow: OverflowPolicy

    /// Creates a packer.
    public init(capacity: Int, strategy: PackingStrategy = .bfd, overflow: OverflowPolicy = .error) {
        self.capacity = capacity
        self.strategy = strategy
        self.overflow = overflow
    }

    /// Assigns sequences of the given lengths to bins.
    ///
    /// BFD and FFD visit sequences longest first (ties in index order); greedy keeps input
    /// order. Results are deterministic. `bfd-split` and `wrapped` plan rows as
    /// ``planRows(lengths:groupSize:)`` does (whole set, one group), so there a sequence cut
    /// in pieces appears in several bins.
    /// - Parameter lengths: Token count of each sequence.
    /// - Returns: The plan; sequence indices are positions in `lengths`.
    /// - Throws: ``PackingError`` for an empty sequence, a sequence longer than the capacity
    ///   (with the `error` policy), or an unusable capacity.
    /// - Complexity: BFD O(*n* log₆₄ *C* + *C*/64), FFD O(*n* log *n*), greedy O(*n*), for *n*
    ///   sequences and capacity *C*; the longest-first order is a counting sort, O(*n* + *C*).
    public func pack(lengths: [Int]) throws(PackingError) -> PackingPlan {
        guard capacity > 0, capacity <= Self.maximumCapacity else { throw .invalidCapacity(capacity) }
        if strategy == .bfdSplit || strategy == .wrapped {
            // Segments may cut sequences: a sequence index can appear in several bins.
            let rows = try planRows(lengths: lengths)
            var loads = [Int](repeating: 0, count: rows.rowCount)
            for row in 0 ..< rows.rowCount {
                for segment in rows.segments(ofRow: row) { loads[row] += Int(rows.segmentLengths[segment]) }
            }
            return PackingPlan(members: rows.segmentExamples.map(Int.init), binStarts: rows.rowStarts, loads: loads, capacity: capacity)
        }
        var sizes = [Int32](repeating: 0, count: lengths.count)
        for (index, length) in lengths.enumerated() {
            guard length > 0 else { throw .emptySequence(example: index) }
            if length > capacity {
                guard overflow == .truncate else { throw .sequenceTooLong(example: index, length: length, capacity: capacity) }
                sizes[index] = Int32(capacity)
            } else {
                sizes[index] = Int32(length)
            }
        }
        let binOf: [Int32], order: [Int32], binCount: Int
        switch strategy {
        case .greedy:
            order = (0..<sizes.count).map { Int32($0) }
            (binOf, binCount) = greedyBins(sizes)
        case .bfd, .bfdSplit, .wrapped:
            order = longestFirstOrder(sizes)
            (binOf, binCount) = bestFit(sizes, order: order)
        case .ffd:
            order = longestFirstOrder(sizes)
            (binOf, binCount) = firstFitBins(sizes, order: order)
        }
        return assemble(sizes: sizes, order: order, binOf: binOf, binCount: binCount)
    }

    /// Packs examples by the length of their `input_ids`.
    /// - Returns: The plan and the examples (truncated to the capacity under the `truncate` policy).
    /// - Throws: ``PackingError``.
    /// - Complexity: that of ``pack(lengths:)``, plus O(*C*) per truncated example.
    public func pack(_ examples: [Example]) throws(PackingError) -> (plan: PackingPlan, examples: [Example]) {
        let plan = try pack(lengths: examples.map { $0.inputIDs.count })
        guard overflow == .truncate else { return (plan, examples) }
        let truncate = Truncate(maxLength: capacity)
        var result = examples
        for index in result.indices where result[index].inputIDs.count > capacity {
            _ = truncate.apply(to: &result[index], index: index)
        }
        return (plan, result)
    }

    // MARK: - Algorithms

    /// Indices sorted by size descending, ties by index: a stable counting sort.
    func longestFirstOrder(_ sizes: [Int32]) -> [Int32] {
        var counts = [Int](repeating: 0, count: capacity + 2)
        for size in sizes { counts[capacity - Int(size) + 1] += 1 }
        for bucket in 1..<counts.count { counts[bucket] += counts[bucket - 1] }
        var order = [Int32](repeating: 0, count: sizes.count)
        for (index, size) in sizes.enumerated() {
            let bucket = capacity - Int(size)
            order[counts[bucket]] = Int32(index)
            counts[bucket] += 1
        }
        return order
    }

    func greedyBins(_ sizes: [Int32]) -> (binOf: [Int32], count: Int) {
        var binOf = [Int32](repeating: 0, count: sizes.count)
        var bin: Int32 = -1
        var load = capacity
        for (index, size) in sizes.enumerated() {
            if load + Int(size) > capacity {
                bin += 1
                load = 0
            }
            load += Int(size)
            binOf[index] = bin
        }
        return (binOf, Int(bin) + 1)
    }

    /// Best fit: open bins are kept in lists by remaining capacity; a ``_CapacitySet`` finds the
    /// smallest remaining capacity that still fits.
    private func bestFit(_ sizes: [Int32], order: [Int32]) -> (binOf: [Int32], count: Int) {
        var binOf = [Int32](repeating: 0, count: sizes.count)
        var open = _CapacitySet(maximum: capacity)
        var heads = [Int32](repeating: -1, count: capacity + 1)   // first open bin with that remaining capacity
        var next = [Int32]()                                        // next open bin in the same list
        var remaining = [Int32]()
        next.reserveCapacity(sizes.count / 4 + 16)
        remaining.reserveCapacity(sizes.count / 4 + 16)
        for item in order {
            let size = Int(sizes[Int(item)])
            let bin: Int32
            if let room = open.smallest(atLeast: size) {
                bin = heads[room]
                heads[room] = next[Int(bin)]
                if heads[room] < 0 { open.remove(room) }
            } else {
                bin = Int32(remaining.count)
                remaining.append(Int32(capacity))
                next.append(-1)
            }
            binOf[Int(item)] = bin
            let left = Int(remaining[Int(bin)]) - size
            remaining[Int(bin)] = Int32(left)
            if left > 0 {
                if heads[left] < 0 { open.insert(left) }
                next[Int(bin)] = heads[left]
                heads[left] = bin
            }
        }
        return (binOf, remaining.count)
    }

    func firstFitBins(_ sizes: [Int32], order: [Int32]) -> (binOf: [Int32], count: Int) {
        var binOf = [Int32](repeating: 0, count: sizes.count)
        var tree = _MaxTree(count: sizes.count)
        var count = 0
        for item in order {
            let size = sizes[Int(item)]
            let bin: Int
            if let found = tree.first(atLeast: size) {
                bin = found
            } else {
                bin = count
                count += 1
                tree.set(bin, Int32(capacity))
            }
            tree.set(bin, tree.value(bin) - size)
            binOf[Int(item)] = Int32(bin)
        }
        return (binOf, count)
    }

    /// Groups the placement order by bin (a counting sort on bin number, so members keep the
    /// order they were placed in).
    private func assemble(sizes: [Int32], order: [Int32], binOf: [Int32], binCount: Int) -> PackingPlan {
        var starts = [Int](repeating: 0, count: binCount + 1)
        var loads = [Int](repeating: 0, count: binCount)
        for (index, bin) in binOf.enumerated() {
            starts[Int(bin) + 1] += 1
            loads[Int(bin)] += Int(sizes[index])
        }
        for bin in 0..<binCount { starts[bin + 1] += starts[bin] }
        var cursor = starts
        var members = [Int](repeating: 0, count: sizes.count)
        for item in order {
            let bin = Int(binOf[Int(item)])
            members[cursor[bin]] = Int(item)
            cursor[bin] += 1
        }
        return PackingPlan(members: members, binStarts: starts, loads: loads, capacity: capacity)
    }
}
