/// Token classification: pads inputs with the tokenizer and the examples' per-token labels
/// to the same length with `labelPadTokenID`.
///
/// Byte-identical to transformers' `DataCollatorForTokenClassification`: labels are padded to
/// the padded `input_ids` length, on the tokenizer's padding side, and keep their field name
/// (`labels`, or `label` when the examples use that).
///
/// Spec type `token-classification`; keys `pad_token_id`, `padding_side`, `padding`
/// (`"longest"`, `"max_length"`, `"do_not_pad"` or a boolean), `max_length`,
/// `pad_to_multiple_of`, `label_pad_token_id`, as transformers 5.23 takes them.
public struct TokenClassificationCollator: Collator {
    /// Padding options for the inputs.
    public var padding: PaddingOptions
    /// The value written into padded label positions.
    public var labelPadTokenID: Int32

    /// Creates the collator.
    public init(padding: PaddingOptions, labelPadTokenID: Int32 = ignoreIndex) {
        self.padding = padding
        self.labelPadTokenID = labelPadTokenID
    }

    public var contract: CollatorContract {
        CollatorContract(
            name: "token-classification", reference: "transformers DataCollatorForTokenClassification",
            requiredFields: ["input_ids", "labels"], optionalFields: ["attention_mask", "token_type_ids", "label"],
            producedFields: ["input_ids", "attention_mask", "labels"], labelSource: .examples,
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: false),
            ignoreIndex: labelPadTokenID, fixedLength: padding.fixedLength)
    }

    /// Builds the batch.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard let first = examples.first else { throw .emptyBatch }
        let labelName = first["label"] != nil ? "label" : "labels"
        var (batch, width) = try _tokenizerPad(examples, options: padding, excluding: [labelName], collator: contract.name)
        guard first[labelName] != nil else { return batch }
        var rows: [[Int32]] = []
        rows.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            let row = try example.requireSequence(labelName, example: index, collator: contract.name)
            guard row.count <= width else {
                throw .lengthMismatch(labelName, example: index, length: row.count, expected: "input_ids", expectedLength: example.inputIDs.count)
            }
            rows.append(row)
        }
        batch[labelName] = try _paddedTensor(rows, width: width, side: padding.side, value: labelPadTokenID, field: labelName)
        return batch
    }
}
