/// Causal language modeling: pads, and makes `labels` a copy of `input_ids` with padding
/// set to the ignore index.
///
/// Byte-identical to transformers' `DataCollatorForLanguageModeling(mlm=False)`, including its
/// quirk: label positions are masked by comparing ids with `padTokenID`, so when the pad id is
/// also a real token (typically pad == eos) those tokens are never trained — the validator
/// reports `pad-masks-eos`. Labels the examples carry are replaced (`labels-overwritten`).
///
/// Spec type `language-modeling`; keys `pad_token_id`, `padding_side`, `pad_to_multiple_of`.
public struct LanguageModelingCollator: Collator {
    /// Padding options (HF pads to the longest sequence).
    public var padding: PaddingOptions

    /// Creates the collator.
    /// - Parameters:
    ///   - padTokenID: The tokenizer's pad id; label positions holding it become -100.
    ///   - paddingSide: The tokenizer's padding side.
    ///   - padToMultipleOf: Round the batch length up to a multiple of this.
    public init(padTokenID: Int32, paddingSide: PaddingSide = .right, padToMultipleOf: Int? = nil) {
        padding = PaddingOptions(padTokenID: padTokenID, side: paddingSide, strategy: .longest, padToMultipleOf: padToMultipleOf)
    }

    public var contract: CollatorContract {
        CollatorContract(
            name: "language-modeling", reference: "transformers DataCollatorForLanguageModeling(mlm=False)",
            requiredFields: ["input_ids"], optionalFields: ["attention_mask", "token_type_ids", "special_tokens_mask"],
            producedFields: ["input_ids", "attention_mask", "labels"], labelSource: .copyOfInputIDs,
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: true))
    }

    /// Builds the batch.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        try collate(examples, reportingAs: contract.name)
    }

    /// Builds the batch; errors name `collator`, so a collator built on this one names itself.
    func collate(_ examples: [Example], reportingAs collator: String) throws(CollateError) -> Batch {
        // HF pops `special_tokens_mask` (only MLM uses it) and assigns `labels` over the
        // examples' own, which keeps their key position.
        let (padded, _) = try _tokenizerPad(examples, options: padding, excluding: ["labels", "special_tokens_mask"], collator: collator)
        guard var labels = padded["input_ids"] else { throw .emptyBatch }
        let padID = padding.padTokenID
        labels.withUnsafeMutableScalars { scalars in
            for index in scalars.indices where scalars[index] == padID {
                scalars[index] = ignoreIndex
            }
        }
        guard examples[0].names.contains("labels") else {
            var batch = padded
            batch["labels"] = labels
            return batch
        }
        var batch = Batch()
        for name in examples[0].names {
            if name == "labels" { batch[name] = labels } else if let tensor = padded[name] { batch[name] = tensor }
        }
        for (name, tensor) in zip(padded.names, padded.tensors) where !batch.contains(name) { batch[name] = tensor }
        return batch
    }
}
