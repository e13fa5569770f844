/// Padding-free batching: concatenates every example into one row and marks the boundaries
/// with `position_ids` (and optionally `cu_seq_lens_*`, `max_length_*`, `seq_idx`).
///
/// Byte-identical to transformers' `DataCollatorWithFlattening`: the first label of every
/// sequence is `separatorID`, so no sequence learns to predict another's first token; labels
/// come from the examples when the first example has them, else from `input_ids`.
/// A backend must honour the boundaries (flash-attention varlen, or position-id aware
/// attention with `use_cache=False`) — the validator's `packing-without-boundaries`.
///
/// Spec type `flattening`; keys `separator_id`, `return_position_ids`, `return_flash_attn_kwargs`, `return_seq_idx`.
public struct FlatteningCollator: Collator {
    /// The label written at the first position of every sequence.
    public var separatorID: Int32
    /// Whether to produce `position_ids` (restarting at 0 for each sequence).
    public var returnPositionIDs: Bool
    /// Whether to produce `cu_seq_lens_q/k` and `max_length_q/k` for flash-attention varlen kernels.
    public var returnFlashAttentionKwargs: Bool
    /// Whether to produce `seq_idx` (the sequence index of every token).
    public var returnSequenceIndex: Bool

    /// Creates the collator; the defaults are HF's.
    public init(separatorID: Int32 = ignoreIndex, returnPositionIDs: Bool = true, returnFlashAttentionKwargs: Bool = false, returnSequenceIndex: Bool = false) {
        self.separatorID = separatorID
        self.returnPositionIDs = returnPositionIDs
        self.returnFlashAttentionKwargs = returnFlashAttentionKwargs
        self.returnSequenceIndex = returnSequenceIndex
    }

    public var contract: CollatorContract {
        var produced = ["input_ids", "labels"]
        if returnPositionIDs { produced.append("position_ids") }
        if returnSequenceIndex { produced.append("seq_idx") }
        if returnFlashAttentionKwargs { produced += ["cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k"] }
        return CollatorContract(
            name: "flattening", reference: "transformers DataCollatorWithFlattening",
            requiredFields: ["input_ids"], optionalFields: ["labels"], producedFields: produced,
            labelSource: .examplesOrInputIDs, layout: .paddingFree)
    }

    /// Builds the batch.
    /// - Complexity: O(*N*) in the total number of tokens.
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard let first = examples.first else { throw .emptyBatch }
        let useLabels = first["labels"] != nil
        var inputRows: [[Int32]] = []
        var labelRows: [[Int32]] = []
        inputRows.reserveCapacity(examples.count)
        var total = 0
        var longest = 0
        for (index, example) in examples.enumerated() {
            let tokens = try example.requireSequence("input_ids", example: index, collator: contract.name)
            guard !tokens.isEmpty else { throw .emptyExample(example: index) }
            if useLabels {
                let labels = try example.requireSequence("labels", example: index, collator: contract.name)
                guard labels.count == tokens.count else {
                    throw .lengthMismatch("labels", example: index, length: labels.count, expected: "input_ids", expectedLength: tokens.count)
                }
                labelRows.append(labels)
            }
            inputRows.append(tokens)
            total += tokens.count
            longest = max(longest, tokens.count)
        }

        var inputIDs = [Int32]()
        var labels = [Int32]()
        inputIDs.reserveCapacity(total)
        labels.reserveCapacity(total)
        for (index, tokens) in inputRows.enumerated() {
            inputIDs.append(contentsOf: tokens)
            labels.append(separatorID)
            labels.append(contentsOf: (useLabels ? labelRows[index] : tokens).dropFirst())
        }
        var batch = Batch()
        batch["input_ids"] = Tensor(shape: [1, total], scalars: inputIDs)
        batch["labels"] = Tensor(shape: [1, total], scalars: labels)
        if returnPositionIDs {
            batch["position_ids"] = Tensor(shape: [1, total], scalars: Self.positions(inputRows, total: total))
        }
        if returnSequenceIndex {
            var sequenceIndex = [Int32]()
            sequenceIndex.reserveCapacity(total)
            for (index, tokens) in inputRows.enumerated() {
                sequenceIndex.append(contentsOf: repeatElement(Int32(index), count: tokens.count))
            }
            batch["seq_idx"] = Tensor(shape: [1, total], scalars: sequenceIndex, dtype: .int32)
        }
        if returnFlashAttentionKwargs {
            var cumulative: [Int32] = [0]
            cumulative.reserveCapacity(inputRows.count + 1)
            for tokens in inputRows { cumulative.append(cumulative[cumulative.count - 1] + Int32(tokens.count)) }
            let boundaries = Tensor(shape: [cumulative.count], scalars: cumulative, dtype: .int32)
            batch["cu_seq_lens_q"] = boundaries
            batch["cu_seq_lens_k"] = boundaries
            batch["max_length_q"] = Tensor(scalar: Int32(longest), dtype: .int32)
            batch["max_length_k"] = Tensor(scalar: Int32(longest), dtype: .int32)
        }
        return batch
    }

    static func positions(_ rows: [[Int32]], total: Int) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: total) { buffer, initialized in
            var offset = 0
            for row in rows {
                for position in 0..<row.count { buffer[offset + position] = Int32(position) }
                offset += row.count
            }
            initialized = total
        }
    }
}
