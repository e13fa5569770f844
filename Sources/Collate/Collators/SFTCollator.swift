/// TRL 1.x's SFT collator: pads `input_ids` and `labels` (the examples' own, or a copy of
/// `input_ids`), or flattens the batch into one padding-free row with sequence boundaries.
///
/// Byte-identical to `trl.trainer.sft_trainer.DataCollatorForLanguageModeling` of TRL 1.16.0:
///
/// - Padded (the default): `input_ids` (padded with `pad_token_id`), `labels` (with -100),
///   `position_ids` when `return_position_ids`, and `attention_mask`, all padded on the right
///   to the longest row rounded up to `pad_to_multiple_of`. Labels are never masked by pad id.
/// - Padding-free: one row of every example's tokens, with `position_ids` restarting at each
///   sequence, `labels` set to -100 wherever a position is 0 (the first token of every
///   sequence), `cu_seq_lens_q`/`cu_seq_lens_k` (int32), `max_length_q`/`max_length_k` and
///   `seq_idx` (int32). As in TRL, positions padded by `pad_to_multiple_of` hold position 0,
///   so each counts as a sequence of its own in `cu_seq_lens_*` and `seq_idx`.
/// - Examples that are packed rows carry `seq_lengths` (as `pack_dataset` makes them): their
///   positions restart at each packed sequence. As in TRL, the first example decides whether
///   `seq_lengths` are used.
///
/// Spec type `sft`; keys `pad_token_id`, `padding_free`, `return_position_ids`,
/// `pad_to_multiple_of`.
public struct SFTCollator: Collator {
    /// The id written into padded `input_ids` positions.
    public var padTokenID: Int32
    /// Flatten the batch into one row with boundaries instead of padding.
    public var paddingFree: Bool
    /// In padded mode, also return `position_ids` (sequence parallelism needs them).
    public var returnPositionIDs: Bool
    /// Round the padded length up to a multiple of this.
    public var padToMultipleOf: Int?

    /// Creates the collator with TRL's defaults.
    public init(padTokenID: Int32, paddingFree: Bool = false, returnPositionIDs: Bool = false, padToMultipleOf: Int? = nil) {
        self.padTokenID = padTokenID
        self.paddingFree = paddingFree
        self.returnPositionIDs = returnPositionIDs
        self.padToMultipleOf = padToMultipleOf
    }

    /// What the collator needs and makes, in the order it makes it.
    public var contract: CollatorContract {
        let produced = paddingFree
            ? ["input_ids", "labels", "position_ids", "cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k", "seq_idx"]
            : ["input_ids", "labels"] + (returnPositionIDs ? ["position_ids"] : []) + ["attention_mask"]
        return CollatorContract(
            name: "sft", reference: "TRL 1.16 trl.trainer.sft_trainer.DataCollatorForLanguageModeling",
            requiredFields: ["input_ids"], optionalFields: ["labels", "seq_lengths"], producedFields: produced,
            labelSource: .examplesOrInputIDs,
            layout: paddingFree ? .paddingFree : .padded(side: .right, padTokenID: padTokenID, masksLabelsByPadID: false))
    }

    /// Builds the batch.
    /// - Throws: ``CollateError`` for an empty batch or example, labels whose length differs
    ///   from `input_ids`, or `seq_lengths` that do not add up to the example's length.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard !examples.isEmpty else { throw .emptyBatch }
        var inputs: [[Int32]] = []
        var labels: [[Int32]] = []
        inputs.reserveCapacity(examples.count)
        labels.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            let ids = try example.requireSequence("input_ids", example: index, collator: "sft")
            guard !ids.isEmpty else { throw .emptyExample(example: index) }
            inputs.append(ids)
            if example["labels"] != nil {
                let row = try example.requireSequence("labels", example: index, collator: "sft")
                guard row.count == ids.count else {
                    throw .lengthMismatch("labels", example: index, length: row.count, expected: "input_ids", expectedLength: ids.count)
                }
                labels.append(row)
            } else {
                labels.append(ids)
            }
        }
        let needsPositions = paddingFree || returnPositionIDs
        let packed = needsPositions && examples[0]["seq_lengths"] != nil
        var sequenceLengths: [[Int32]] = []
        if packed {
            sequenceLengths.reserveCapacity(examples.count)
            for (index, example) in examples.enumerated() {
                let lengths = try example.requireSequence("seq_lengths", example: index, collator: "sft")
                var total = 0
                for length in lengths {
                    guard length > 0 else { throw .wrongFieldKind("seq_lengths", example: index, expected: "positive sequence lengths (found \(length))") }
                    total += Int(length)
                }
                guard total == inputs[index].count else {
                    throw .lengthMismatch("seq_lengths", example: index, length: total, expected: "input_ids", expectedLength: inputs[index].count)
                }
                sequenceLengths.append(lengths)
            }
        }
        return paddingFree
            ? flattened(inputs, labels, sequenceLengths: packed ? sequenceLengths : nil)
            : try padded(inputs, labels, sequenceLengths: packed ? sequenceLengths : nil)
    }

    private func padded(_ inputs: [[Int32]], _ labels: [[Int32]], sequenceLengths: [[Int32]]?) throws(CollateError) -> Batch {
        let longest = inputs.reduce(0) { max($0, $1.count) }
        let width = _roundUp(longest, toMultipleOf: padToMultipleOf)
        var batch = Batch()
        batch["input_ids"] = try _paddedTensor(inputs, width: width, side: .right, value: padTokenID, field: "input_ids")
        batch["labels"] = try _paddedTensor(labels, width: width, side: .right, value: ignoreIndex, field: "labels")
        if returnPositionIDs {
            var positions = [Int32](repeating: 0, count: inputs.count * width)
            positions.withUnsafeMutableBufferPointer { buffer in
                for (row, ids) in inputs.enumerated() {
                    let base = row * width
                    if let lengths = sequenceLengths?[row] {
                        var offset = base
                        for length in lengths {
                            for position in 0..<Int(length) { buffer[offset + position] = Int32(position) }
                            offset += Int(length)
                        }
                    } else {
                        for position in 0..<ids.count { buffer[base + position] = Int32(position) }
                    }
                }
            }
            batch["position_ids"] = Tensor(shape: [inputs.count, width], scalars: positions)
        }
        batch["attention_mask"] = try _maskTensor(lengths: inputs.map(\.count), width: width, side: .right)
        return batch
    }

    private func flattened(_ inputs: [[Int32]], _ labels: [[Int32]], sequenceLengths: [[Int32]]?) -> Batch {
        let total = inputs.reduce(0) { $0 + $1.count }
        let width = _roundUp(total, toMultipleOf: padToMultipleOf)
        // Sequence starts: one per example (or per packed sequence), then one per padding position
        // (TRL: every position whose position id is 0 starts a sequence).
        var starts: [Int32] = []
        starts.reserveCapacity((sequenceLengths?.reduce(0) { $0 + $1.count } ?? inputs.count) + (width - total) + 1)
        var offset = 0
        for (row, input) in inputs.enumerated() {
            if let lengths = sequenceLengths?[row] {
                var cursor = offset
                for length in lengths {
                    starts.append(Int32(cursor))
                    cursor += Int(length)
                }
            } else {
                starts.append(Int32(offset))
            }
            offset += input.count
        }
        for position in total ..< width { starts.append(Int32(position)) }
        starts.append(Int32(width))
        let cumulative = starts
        // Each buffer is written exactly once.
        let ids = [Int32](unsafeUninitializedCapacity: width) { buffer, count in
            var cursor = 0
            for input in inputs {
                _ = input.withUnsafeBufferPointer { UnsafeMutableBufferPointer(rebasing: buffer[cursor ..< cursor + $0.count]).initialize(fromContentsOf: $0) }
                cursor += input.count
            }
            UnsafeMutableBufferPointer(rebasing: buffer[total ..< width]).initialize(repeating: padTokenID)
            count = width
        }
        let targets = [Int32](unsafeUninitializedCapacity: width) { buffer, count in
            var cursor = 0
            for row in labels {
                _ = row.withUnsafeBufferPointer { UnsafeMutableBufferPointer(rebasing: buffer[cursor ..< cursor + $0.count]).initialize(fromContentsOf: $0) }
                cursor += row.count
            }
            UnsafeMutableBufferPointer(rebasing: buffer[total ..< width]).initialize(repeating: ignoreIndex)
            // TRL: labels[position_ids == 0] = -100, so every sequence's first label is ignored.
            for start in cumulative.dropLast() where Int(start) < total { buffer[Int(start)] = ignoreIndex }
            count = width
        }
        var longest: Int32 = 0
        var sequenceIndex: [Int32] = []
        let positions = [Int32](unsafeUninitializedCapacity: width) { buffer, count in
            sequenceIndex = [Int32](unsafeUninitializedCapacity: width) { indexBuffer, indexCount in
                for sequence in 0 ..< cumulative.count - 1 {
                    let start = Int(cumulative[sequence]), end = Int(cumulative[sequence + 1])
                    longest = max(longest, Int32(end - start))
                    for position in start ..< end {
                        buffer[position] = Int32(position - start)
                        indexBuffer[position] = Int32(sequence)
                    }
                }
                indexCount = width
            }
            count = width
        }
        var batch = Batch()
        batch["input_ids"] = Tensor(shape: [1, width], scalars: ids)
        batch["labels"] = Tensor(shape: [1, width], scalars: targets)
        batch["position_ids"] = Tensor(shape: [1, width], scalars: positions)
        let boundaries = Tensor(shape: [cumulative.count], scalars: cumulative, dtype: .int32)
        batch["cu_seq_lens_q"] = boundaries
        batch["cu_seq_lens_k"] = boundaries
        batch["max_length_q"] = Tensor(scalar: longest)
        batch["max_length_k"] = Tensor(scalar: longest)
        batch["seq_idx"] = Tensor(shape: [1, width], scalars: sequenceIndex, dtype: .int32)
        return batch
    }
}
