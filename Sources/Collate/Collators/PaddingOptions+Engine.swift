// The padding engine as public API: what the built-in padded collators use, for third-party ones.

/// The padding engine the built-in collators share, for a collator of your own: the row
/// width (`padding` strategy, `max_length`, `pad_to_multiple_of`), padded token and label
/// tensors on ``side``, the attention mask, and HF `tokenizer.pad` over whole examples.
///
/// ```swift
/// let padding = PaddingOptions(padTokenID: 0, side: .right, padToMultipleOf: 8)
/// let rows: [[Int32]] = [[5, 6, 7], [8]]
/// let width = try padding.width(forLengths: rows.map(\.count))             // 8
/// let inputIDs = try padding.pad(rows, toWidth: width)                      // [[5, 6, 7, 0, 0, 0, 0, 0], [8, 0, ...]]
/// let mask = try padding.attentionMask(lengths: rows.map(\.count), width: width)
/// let labels = try padding.padLabels([[-100, 6, 7], [8]], toWidth: width)   // padding is -100
/// ```
///
/// Every method throws rather than allocate a tensor above ``maximumBatchElements``.
extension PaddingOptions {
    /// `length` rounded up to a multiple of `multiple` (HF's `pad_to_multiple_of`); `length`
    /// itself when `multiple` is `nil`.
    /// - Parameters:
    ///   - length: A row length.
    ///   - multiple: The multiple, or `nil`.
    /// - Returns: The rounded length.
    /// - Complexity: O(1).
    public static func roundUp(_ length: Int, toMultipleOf multiple: Int?) -> Int {
        _roundUp(length, toMultipleOf: multiple)
    }

    /// The width rows of these lengths are padded to: the longest (``PaddingStrategy/longest``)
    /// or `max_length` (``PaddingStrategy/maxLength(_:)``), rounded up to ``padToMultipleOf``;
    /// under ``PaddingStrategy/doNotPad`` every row must already have the first row's length.
    /// Rows longer than `max_length` stay unpadded, as HF `tokenizer.pad` leaves them, which
    /// stacks only when all rows have that one length (e.g. a single example): the width is then theirs.
    /// - Parameters:
    ///   - lengths: Each row's length, in batch order.
    ///   - field: The field the rows belong to, for errors.
    /// - Returns: The width; 0 for no rows.
    /// - Throws: ``CollateError/exceedsMaxLength(_:example:length:maxLength:)`` naming the first
    ///   row longer than `max_length` when the rows do not all share its length; ``CollateError/cannotStack(_:example:length:firstLength:)``
    ///   for unequal rows under `do_not_pad`.
    /// - Complexity: O(*B*).
    public func width(forLengths lengths: [Int], field: String = "input_ids") throws(CollateError) -> Int {
        switch strategy {
        case .longest:
            return _roundUp(lengths.max() ?? 0, toMultipleOf: padToMultipleOf)
        case .maxLength(let maxLength):
            return try _maxLengthWidth(lengths, width: _roundUp(maxLength, toMultipleOf: padToMultipleOf), field: field)
        case .doNotPad:
            guard let first = lengths.first else { return 0 }
            if let index = lengths.firstIndex(where: { $0 != first }) {
                throw .cannotStack(field, example: index, length: lengths[index], firstLength: first)
            }
            return first
        }
    }

    /// A `[rows.count, width]` tensor: each row on ``side``, padded with `value` (the pad id by default).
    /// - Parameters:
    ///   - rows: The rows, none longer than `width`.
    ///   - width: The padded width, usually from ``width(forLengths:field:)``.
    ///   - value: The padding value; `nil` pads with ``padTokenID``.
    ///   - field: The field the tensor becomes, for errors.
    /// - Returns: The `[B, width]` tensor.
    /// - Throws: ``CollateError/batchTooLarge(_:rows:width:maximum:)``;
    ///   ``CollateError/exceedsMaxLength(_:example:length:maxLength:)`` for a row longer than `width`.
    /// - Complexity: O(*B* × *L*).
    public func pad(_ rows: [[Int32]], toWidth width: Int, with value: Int32? = nil, field: String = "input_ids") throws(CollateError) -> Tensor {
        if let index = rows.firstIndex(where: { $0.count > width }) {
            throw .exceedsMaxLength(field, example: index, length: rows[index].count, maxLength: width)
        }
        return try _paddedTensor(rows, width: max(0, width), side: side, value: value ?? padTokenID, field: field)
    }

    /// Label rows padded with the ignore index on ``side`` — never with the pad id, which would
    /// train the model to predict padding.
    /// - Parameters:
    ///   - rows: One label row per example, each as long as its `input_ids`.
    ///   - width: The padded width of `input_ids`.
    ///   - ignoreIndex: The label of untrained positions.
    /// - Returns: The `[B, width]` labels tensor.
    /// - Throws: as ``pad(_:toWidth:with:field:)``, naming `labels`.
    /// - Complexity: O(*B* × *L*).
    public func padLabels(_ rows: [[Int32]], toWidth width: Int, ignoreIndex: Int32 = Collate.ignoreIndex) throws(CollateError) -> Tensor {
        try pad(rows, toWidth: width, with: ignoreIndex, field: "labels")
    }

    /// The `[lengths.count, width]` attention mask: 1 over each row's tokens, 0 over its padding on ``side``.
    /// - Parameters:
    ///   - lengths: Each row's token count.
    ///   - width: The padded width.
    /// - Returns: The `[B, width]` mask.
    /// - Throws: ``CollateError/batchTooLarge(_:rows:width:maximum:)``.
    /// - Complexity: O(*B* × *L*).
    public func attentionMask(lengths: [Int], width: Int) throws(CollateError) -> Tensor {
        try _maskTensor(lengths: lengths.map { min($0, width) }, width: max(0, width), side: side)
    }

    /// HF `tokenizer.pad` over examples, as the built-in collators pad: `input_ids` with the pad
    /// id, `attention_mask` (made from lengths when the examples have none), `token_type_ids`
    /// with 0 and `special_tokens_mask` with 1; other sequence fields must have equal lengths
    /// (HF would fail to stack them); scalars become a `[B]` vector. Keys follow the first
    /// example's order, `attention_mask` after them when made here.
    /// - Parameters:
    ///   - examples: The batch's examples.
    ///   - excluding: Fields you build yourself (e.g. `labels`, or a scalar like `prefix_length`).
    ///   - collator: Your contract's name, which errors name.
    /// - Returns: The batch and the padded width.
    /// - Throws: ``CollateError`` naming the example and field (missing `input_ids`, a field of
    ///   the wrong kind or length, a row over `max_length`, an empty batch).
    /// - Complexity: O(*B* × *L*).
    public func pad(_ examples: [Example], excluding: Set<String> = [], collator: String) throws(CollateError) -> (batch: Batch, width: Int) {
        try _tokenizerPad(examples, options: self, excluding: excluding, collator: collator)
    }
}

extension Example {
    /// The integer `name` of the example at `index` in a batch, or an error naming both.
    ///
    /// - Parameters:
    ///   - name: The field.
    ///   - index: The example's index in the batch, for the error.
    ///   - collator: The collator's contract name, for the error.
    /// - Returns: The integer.
    /// - Throws: ``CollateError/missingField(_:example:collator:)`` when absent or null,
    ///   ``CollateError/wrongFieldKind(_:example:expected:)`` when it holds anything but one integer.
    public func requireScalar(_ name: String, example index: Int, collator: String) throws(CollateError) -> Int32 {
        switch self[name] {
        case .scalar(let value): return value
        case .sequence, .float, .bool: throw .wrongFieldKind(name, example: index, expected: "one integer")
        case .null, nil: throw .missingField(name, example: index, collator: collator)
        }
    }
}
