/// TRL 1.x's KTO collator: each example's prompt and completion as one padded row, with a
/// mask of the completion tokens, the same for the mismatched KL completion when present, and
/// the desirable/undesirable `label`.
///
/// Byte-identical to `trl.trainer.kto_trainer.DataCollatorForUnpairedPreference` of TRL 1.16.0:
/// `input_ids`, `attention_mask`, `completion_mask` [B, L] (prompt + completion, truncated to
/// `max_length`, right-padded to the longest rounded up to `pad_to_multiple_of`); then
/// `KL_input_ids`, `KL_attention_mask`, `KL_completion_mask` when the first example has
/// `KL_completion_ids`; `ref_logps` and `ref_KL_logps` [B] when the first example has them;
/// and `label` [B]. The vectors are typed as `torch.tensor` types the values: all booleans
/// make `bool`, any float makes `float32`, integers `int64`.
///
/// Spec type `unpaired-preference`; keys `pad_token_id`, `max_length`, `pad_to_multiple_of`.
public struct UnpairedPreferenceCollator: Collator {
    /// The id written into padded `input_ids` positions.
    public var padTokenID: Int32
    /// Truncate each prompt + completion to this many tokens before padding.
    public var maxLength: Int?
    /// Round the padded length up to a multiple of this.
    public var padToMultipleOf: Int?

    /// Creates the collator with TRL's defaults.
    public init(padTokenID: Int32, maxLength: Int? = nil, padToMultipleOf: Int? = nil) {
        self.padTokenID = padTokenID
        self.maxLength = maxLength
        self.padToMultipleOf = padToMultipleOf
    }

    /// What the collator needs and makes (the `KL_*`, `ref_logps` and `ref_KL_logps` tensors are
    /// produced only when the examples carry their fields).
    public var contract: CollatorContract {
        CollatorContract(
            name: "unpaired-preference", reference: "TRL 1.16 trl.trainer.kto_trainer.DataCollatorForUnpairedPreference",
            requiredFields: ["prompt_ids", "completion_ids", "label"], optionalFields: ["KL_completion_ids", "ref_logps", "ref_KL_logps"],
            producedFields: ["input_ids", "attention_mask", "completion_mask", "label"],
            labelSource: .none, layout: .padded(side: .right, padTokenID: padTokenID, masksLabelsByPadID: false),
            fixedLength: nil)
    }

    /// Builds the batch.
    /// - Throws: ``CollateError`` for an empty batch, a missing sequence or `label`, or a
    ///   `label` / `ref_logps` that is not a number or boolean.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard let first = examples.first else { throw .emptyBatch }
        var batch = Batch()
        for (prefix, field) in [("", "completion_ids"), ("KL_", "KL_completion_ids")] where first[field] != nil {
            var rows: [[Int32]] = []
            var promptLengths: [Int] = []
            rows.reserveCapacity(examples.count)
            promptLengths.reserveCapacity(examples.count)
            for (index, example) in examples.enumerated() {
                let prompt = try example.requireSequence("prompt_ids", example: index, collator: "unpaired-preference")
                let answer = try example.requireSequence(field, example: index, collator: "unpaired-preference")
                var row = prompt + answer
                if let maxLength, row.count > maxLength { row.removeLast(row.count - maxLength) }
                rows.append(row)
                promptLengths.append(min(prompt.count, row.count))
            }
            let width = _roundUp(rows.reduce(0) { max($0, $1.count) }, toMultipleOf: padToMultipleOf)
            batch[prefix + "input_ids"] = try _paddedTensor(rows, width: width, side: .right, value: padTokenID, field: prefix + "input_ids")
            let lengths = rows.map(\.count)
            batch[prefix + "attention_mask"] = try _maskTensor(lengths: lengths, width: width, side: .right)
            var mask = [Int32](repeating: 0, count: rows.count * width)
            for row in rows.indices {
                for position in promptLengths[row] ..< lengths[row] { mask[row * width + position] = 1 }
            }
            batch[prefix + "completion_mask"] = Tensor(shape: [rows.count, width], scalars: mask)
        }
        for field in ["ref_logps", "ref_KL_logps"] where first[field] != nil {
            batch[field] = try _scalarVector(examples, field, collator: "unpaired-preference")
        }
        batch["label"] = try _scalarVector(examples, "label", collator: "unpaired-preference")
        return batch
    }
}
