extension Packer {
    /// Plans packed rows exactly as TRL 1.16's `pack_dataset` makes them, from the sequence lengths.
    ///
    /// The examples are taken in groups of `groupSize` (TRL packs inside `datasets.map`
    /// batches, 1000 examples by default) or all at once when `groupSize` is `nil`; each group
    /// is packed alone and its rows follow the previous group's. Inside a group:
    ///
    /// - `bfd`: empty sequences are dropped, longer ones truncated to the capacity; sequences
    ///   are placed longest first (ties in input order), each into the open row with the least
    ///   room that still fits it (among equals, the one that reached that room first), else a
    ///   new row. Rows come in the order they were opened, segments in placement order.
    /// - `bfd-split`: as `bfd`, but a longer sequence is cut into capacity-sized fragments (the
    ///   last shorter), each packed as a sequence of its own.
    /// - `wrapped`: the group's tokens concatenated and cut every `capacity` tokens; the last
    ///   row is shorter. No `seq_lengths`.
    /// - `ffd` / `greedy` (Collate's own): as `bfd`, with first-fit or input-order placement.
    ///
    /// A group holding only empty sequences gives no rows (TRL 1.16 raises
    /// `ArrowNotImplementedError` from `pc.take` there).
    ///
    /// - Parameters:
    ///   - lengths: Token count of each example.
    ///   - groupSize: Examples per group, or `nil` to pack all together.
    /// - Returns: The plan; segment examples are positions in `lengths`.
    /// - Throws: ``PackingError/invalidCapacity(_:)``, ``PackingError/invalidGroupSize(_:)``.
    /// - Complexity: O(*n* + *C*) per group for the longest-first order plus O(*n* log₆₄ *C*)
    ///   for best fit, for *n* sequences and capacity *C*; `wrapped` O(*n* + *T*/*C*).
    public func planRows(lengths: [Int], groupSize: Int? = nil) throws(PackingError) -> PackedRowPlan {
        guard capacity > 0, capacity <= Self.maximumCapacity else { throw .invalidCapacity(capacity) }
        if let groupSize, groupSize <= 0 { throw .invalidGroupSize(groupSize) }
        var builder = _RowBuilder(capacity: capacity)
        let size = groupSize ?? max(lengths.count, 1)
        var start = 0
        while start < lengths.count {
            let end = min(start + size, lengths.count)
            switch strategy {
            case .wrapped: builder.wrap(lengths, start ..< end)
            case .bfd, .bfdSplit, .ffd, .greedy: builder.binPack(lengths, start ..< end, strategy: strategy)
            }
            start = end
        }
        return PackedRowPlan(
            strategy: strategy, capacity: capacity, segmentExamples: builder.examples, segmentStarts: builder.starts,
            segmentLengths: builder.lengths, rowStarts: builder.rowStarts)
    }

    /// Packs examples into rows identical to TRL 1.16's `pack_dataset(dataset, capacity, strategy)`
    /// with `map_kwargs={"batch_size": groupSize}`: every list field concatenated in row order,
    /// plus `seq_lengths` for every strategy but `wrapped`.
    ///
    /// ```swift
    /// let rows = try Packer(capacity: 4096, strategy: .bfd).packRows(examples, groupSize: 1000)
    /// for row in rows { print(row.sequence("seq_lengths") ?? []) }
    /// ```
    /// - Parameters:
    ///   - examples: Examples whose fields are all lists of one length (the first list field's
    ///     length is the example's length, as TRL uses its first column's).
    ///   - groupSize: Examples per group (TRL: 1000 by default), or `nil` for the whole set.
    /// - Returns: The rows.
    /// - Throws: ``PackingError/fieldNotAList(_:example:)`` or
    ///   ``PackingError/fieldLengthMismatch(_:example:length:expected:expectedLength:)`` for
    ///   examples TRL could not pack either; ``PackingError/reservedField(_:example:)`` when
    ///   the examples already have `seq_lengths` (not for `wrapped`, which adds none); and the errors of ``planRows(lengths:groupSize:)``.
    /// - Complexity: O(*T*) in the number of tokens, plus that of planning.
    public func packRows(_ examples: [Example], groupSize: Int? = nil) throws(PackingError) -> PackedRows {
        let fields = examples.first?.names ?? []
        if strategy != .wrapped, fields.contains("seq_lengths") { throw .reservedField("seq_lengths", example: 0) }
        var lengths = [Int](repeating: 0, count: examples.count)
        for (index, example) in examples.enumerated() {
            guard example.names.count == fields.count else {
                let extra = example.names.first { !fields.contains($0) } ?? fields.first { !example.names.contains($0) } ?? ""
                throw .fieldNotAList(extra, example: index)
            }
            for (position, field) in fields.enumerated() {
                let value = example.names[position] == field ? example.values[position] : example[field]
                guard case .sequence(let values)? = value else { throw .fieldNotAList(field, example: index) }
                if position == 0 {
                    lengths[index] = values.count
                } else if values.count != lengths[index] {
                    throw .fieldLengthMismatch(field, example: index, length: values.count, expected: fields[0], expectedLength: lengths[index])
                }
            }
        }
        return PackedRows(plan: try planRows(lengths: lengths, groupSize: groupSize), examples: examples, fieldNames: fields)
    }
}

/// Accumulates segments and row boundaries for ``Packer/planRows(lengths:groupSize:)``.
struct _RowBuilder {
    let capacity: Int
    var examples: [Int32] = []
    var starts: [Int32] = []
    var lengths: [Int32] = []
    var rowStarts: [Int] = [0]

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// TRL's `_pack_wrapped`: the group's tokens in order, cut every `capacity` tokens.
    mutating func wrap(_ sizes: [Int], _ group: Range<Int>) {
        var room = capacity
        var open = false
        for example in group {
            var offset = 0
            let size = sizes[example]
            while offset < size {
                if !open || room == 0 {
                    if open { rowStarts.append(examples.count) }
                    open = true
                    room = capacity
                }
                let take = min(room, size - offset)
                examples.append(Int32(example))
                starts.append(Int32(offset))
                lengths.append(Int32(take))
                offset += take
                room -= take
            }
        }
        if open { rowStarts.append(examples.count) }
    }

    /// TRL's `_pack_bfd` (and Collate's first-fit and greedy variants) over one group.
    mutating func binPack(_ sizes: [Int], _ group: Range<Int>, strategy: PackingStrategy) {
        // The group's items: non-empty sequences, truncated or split into fragments.
        var itemExample: [Int32] = [], itemStart: [Int32] = [], itemSize: [Int32] = []
        itemExample.reserveCapacity(group.count)
        itemStart.reserveCapacity(group.count)
        itemSize.reserveCapacity(group.count)
        for example in group where sizes[example] > 0 {
            let size = sizes[example]
            if strategy == .bfdSplit {
                var offset = 0
                while offset < size {
                    let take = min(capacity, size - offset)
                    itemExample.append(Int32(example))
                    itemStart.append(Int32(offset))
                    itemSize.append(Int32(take))
                    offset += take
                }
            } else {
                itemExample.append(Int32(example))
                itemStart.append(0)
                itemSize.append(Int32(min(size, capacity)))
            }
        }
        guard !itemSize.isEmpty else { return }
        let order: [Int32], binOf: [Int32], binCount: Int
        switch strategy {
        case .greedy:
            order = (0 ..< itemSize.count).map { Int32($0) }
            (binOf, binCount) = Packer(capacity: capacity).greedyBins(itemSize)
        case .ffd:
            order = Packer(capacity: capacity).longestFirstOrder(itemSize)
            (binOf, binCount) = Packer(capacity: capacity).firstFitBins(itemSize, order: order)
        case .bfd, .bfdSplit, .wrapped:
            order = Packer(capacity: capacity).longestFirstOrder(itemSize)
            (binOf, binCount) = bestFitFIFO(itemSize, order: order)
        }
        // Group the placement order by bin, keeping placement order inside each bin.
        var binStarts = [Int](repeating: 0, count: binCount + 1)
        for bin in binOf { binStarts[Int(bin) + 1] += 1 }
        for bin in 0 ..< binCount { binStarts[bin + 1] += binStarts[bin] }
        var cursor = binStarts
        let base = examples.count
        let total = itemSize.count
        examples.append(contentsOf: repeatElement(0, count: total))
        starts.append(contentsOf: repeatElement(0, count: total))
        lengths.append(contentsOf: repeatElement(0, count: total))
        for item in order {
            let bin = Int(binOf[Int(item)])
            let slot = base + cursor[bin]
            cursor[bin] += 1
            examples[slot] = itemExample[Int(item)]
            starts[slot] = itemStart[Int(item)]
            lengths[slot] = itemSize[Int(item)]
        }
        for bin in 1 ... binCount { rowStarts.append(base + binStarts[bin]) }
    }

    /// Best fit with TRL's tie rule: among open bins with the same room, the one that reached
    /// that room first (its `space_to_bin` deques are first-in, first-out).
    private func bestFitFIFO(_ sizes: [Int32], order: [Int32]) -> (binOf: [Int32], count: Int) {
        var binOf = [Int32](repeating: 0, count: sizes.count)
        var open = _CapacitySet(maximum: capacity)
        var heads = [Int32](repeating: -1, count: capacity + 1)
        var tails = [Int32](repeating: -1, count: capacity + 1)
        var next: [Int32] = []
        var remaining: [Int32] = []
        for item in order {
            let size = Int(sizes[Int(item)])
            let bin: Int32
            if let room = open.smallest(atLeast: size) {
                bin = heads[room]
                heads[room] = next[Int(bin)]
                if heads[room] < 0 {
                    tails[room] = -1
                    open.remove(room)
                }
            } else {
                bin = Int32(remaining.count)
                remaining.append(Int32(capacity))
                next.append(-1)
            }
            binOf[Int(item)] = bin
            let left = Int(remaining[Int(bin)]) - size
            remaining[Int(bin)] = Int32(left)
            next[Int(bin)] = -1
            if left > 0 {
                if tails[left] < 0 {
                    heads[left] = bin
                    open.insert(left)
                } else {
                    next[Int(tails[left])] = bin
                }
                tails[left] = bin
            }
        }
        return (binOf, remaining.count)
    }
}
