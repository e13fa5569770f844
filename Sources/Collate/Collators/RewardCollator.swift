/// TRL 1.x's reward-model collator: the chosen sequences, then the rejected ones, padded into
/// one batch, with the examples' `margin` as a float32 vector when they carry one.
///
/// Byte-identical to `trl.trainer.reward_trainer.DataCollatorForPreference` of TRL 1.16.0:
/// `input_ids` [2B, L] (rows 0..<B chosen, B..<2B rejected, right-padded with
/// `pad_token_id`), `attention_mask` [2B, L], and `margin` [B] (`float32`) when the first
/// example has one. `L` is the longest sequence rounded up to `pad_to_multiple_of`.
///
/// Spec type `reward`; keys `pad_token_id`, `pad_to_multiple_of`.
public struct RewardCollator: Collator {
    /// The id written into padded positions.
    public var padTokenID: Int32
    /// Round the padded length up to a multiple of this.
    public var padToMultipleOf: Int?

    /// Creates the collator with TRL's defaults.
    public init(padTokenID: Int32, padToMultipleOf: Int? = nil) {
        self.padTokenID = padTokenID
        self.padToMultipleOf = padToMultipleOf
    }

    /// What the collator needs and makes (`margin` is produced only when the examples carry it).
    public var contract: CollatorContract {
        CollatorContract(
            name: "reward", reference: "TRL 1.16 trl.trainer.reward_trainer.DataCollatorForPreference",
            requiredFields: ["chosen_ids", "rejected_ids"], optionalFields: ["margin"],
            producedFields: ["input_ids", "attention_mask"], labelSource: .none,
            layout: .padded(side: .right, padTokenID: padTokenID, masksLabelsByPadID: false), rowsPerExample: 2)
    }

    /// Builds the batch.
    /// - Throws: ``CollateError`` for an empty batch, a missing or empty `chosen_ids` /
    ///   `rejected_ids`, or a `margin` that is missing or not a number.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard let first = examples.first else { throw .emptyBatch }
        var rows: [[Int32]] = []
        rows.reserveCapacity(2 * examples.count)
        for field in ["chosen_ids", "rejected_ids"] {
            for (index, example) in examples.enumerated() {
                let ids = try example.requireSequence(field, example: index, collator: "reward")
                // TRL pads an empty row as a float tensor (or stacks garbage): refused, naming the field.
                guard !ids.isEmpty else {
                    throw .wrongFieldKind(field, example: index, expected: "a non-empty sequence of token ids (it is empty; drop the example)")
                }
                rows.append(ids)
            }
        }
        let width = _roundUp(rows.reduce(0) { max($0, $1.count) }, toMultipleOf: padToMultipleOf)
        var batch = Batch()
        batch["input_ids"] = try _paddedTensor(rows, width: width, side: .right, value: padTokenID, field: "input_ids")
        batch["attention_mask"] = try _maskTensor(lengths: rows.map(\.count), width: width, side: .right)
        if first["margin"] != nil {
            batch["margin"] = try _scalarVector(examples, "margin", collator: "reward", forceFloat: true)
        }
        return batch
    }
}
