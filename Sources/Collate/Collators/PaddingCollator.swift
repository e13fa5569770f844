/// Pads a batch and nothing more; per-example class labels (`label` / `label_ids`) become
/// `labels` of shape [B].
///
/// Byte-identical to transformers' `DataCollatorWithPadding`. It makes no token labels, so a
/// causal LM fed by it returns no loss — the seed failure; the validator reports
/// `missing-labels` for such a pipeline.
///
/// Spec type `padding`; keys `pad_token_id`, `padding_side`, `padding`, `max_length`, `pad_to_multiple_of`.
public struct PaddingCollator: Collator {
    /// Padding options.
    public var padding: PaddingOptions

    /// Creates the collator.
    public init(padding: PaddingOptions) {
        self.padding = padding
    }

    public var contract: CollatorContract {
        CollatorContract(
            name: "padding", reference: "transformers DataCollatorWithPadding",
            requiredFields: ["input_ids"],
            optionalFields: ["attention_mask", "token_type_ids", "special_tokens_mask", "label", "label_ids"],
            producedFields: ["input_ids", "attention_mask"], labelSource: .sequenceClassLabels,
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: false),
            fixedLength: padding.fixedLength)
    }

    /// Builds the batch.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        var (batch, _) = try _tokenizerPad(examples, options: padding, excluding: [], collator: contract.name)
        // HF renames after padding, so the label vector ends up last.
        for name in ["label", "label_ids"] {
            if let labels = batch[name] {
                batch[name] = nil
                batch["labels"] = labels
            }
        }
        return batch
    }
}
