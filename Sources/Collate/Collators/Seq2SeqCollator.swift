/// Sequence-to-sequence: pads inputs with the tokenizer, and pads the examples' own `labels`
/// separately with `labelPadTokenID`.
///
/// Byte-identical to transformers' `DataCollatorForSeq2Seq` (without a model, so no
/// `decoder_input_ids`), quirks included: labels are padded to their own longest length (or
/// `max_length`), which can differ from the inputs' length, and on the tokenizer's padding
/// side. Examples without labels give a batch without labels — HF's `labels=None`, after which
/// the model returns only logits; the validator reports `missing-field` before that happens.
///
/// Spec type `seq2seq`; keys `pad_token_id`, `padding_side`, `padding`, `max_length`,
/// `pad_to_multiple_of`, `label_pad_token_id`.
public struct Seq2SeqCollator: Collator {
    /// Padding options for the inputs (and the label length rule).
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
            name: "seq2seq", reference: "transformers DataCollatorForSeq2Seq",
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
        var (batch, _) = try _tokenizerPad(examples, options: padding, excluding: [labelName], collator: contract.name)
        guard first[labelName] != nil, examples.contains(where: { $0.has(labelName) }) else {
            return batch  // HF: labels = None
        }
        if case .scalar = first[labelName] {
            var values: [Int32] = []
            for (index, example) in examples.enumerated() {
                guard let value = example.scalar(labelName) else {
                    throw .wrongFieldKind(labelName, example: index, expected: "an integer, as in example 0")
                }
                values.append(value)
            }
            batch["labels"] = Tensor(shape: [values.count], scalars: values)
            return batch
        }
        var rows: [[Int32]] = []
        rows.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            rows.append(try example.requireSequence(labelName, example: index, collator: contract.name))
        }
        let width: Int
        switch padding.strategy {
        case .maxLength(let maxLength):
            width = try _maxLengthWidth(rows.map(\.count), width: _roundUpLabels(maxLength), field: labelName)
        case .longest:
            width = _roundUpLabels(rows.reduce(0) { max($0, $1.count) })
        case .doNotPad:
            width = rows[0].count
            if let index = rows.firstIndex(where: { $0.count != width }) {
                throw .cannotStack(labelName, example: index, length: rows[index].count, firstLength: width)
            }
        }
        batch["labels"] = try _paddedTensor(rows, width: width, side: padding.side, value: labelPadTokenID, field: labelName)
        return batch
    }

    /// HF rounds the label length with `(n + m - 1) // m * m`.
    private func _roundUpLabels(_ length: Int) -> Int {
        guard let multiple = padding.padToMultipleOf, multiple > 0 else { return length }
        return (length + multiple - 1) / multiple * multiple
    }
}
