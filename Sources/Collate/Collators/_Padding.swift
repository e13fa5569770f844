// The shared padding engine: HF `PreTrainedTokenizerBase.pad` semantics on Int32 rows.

/// Rounds `length` up to a multiple of `multiple`, as `tokenizer._pad` does.
@inline(__always)
func _roundUp(_ length: Int, toMultipleOf multiple: Int?) -> Int {
    guard let multiple, multiple > 0, length % multiple != 0 else { return length }
    return (length / multiple + 1) * multiple
}

/// Builds a [rows.count, width] tensor, each row padded with `value` on `side`.
func _paddedTensor(_ rows: [[Int32]], width: Int, side: PaddingSide, value: Int32) -> Tensor {
    let count = rows.count * width
    let scalars = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { initialized = 0; return }
        for (index, row) in rows.enumerated() {
            let start = base + index * width
            let padCount = width - row.count
            let tokensAt = side == .right ? start : start + padCount
            let padAt = side == .right ? start + row.count : start
            row.withUnsafeBufferPointer { tokens in
                if let source = tokens.baseAddress { tokensAt.update(from: source, count: row.count) }
            }
            padAt.initialize(repeating: value, count: padCount)
        }
        initialized = count
    }
    return Tensor(shape: [rows.count, width], scalars: scalars)
}

/// Builds a [lengths.count, width] attention mask: 1 over each row's tokens, 0 over padding.
func _maskTensor(lengths: [Int], width: Int, side: PaddingSide) -> Tensor {
    let count = lengths.count * width
    let scalars = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { initialized = 0; return }
        for (index, length) in lengths.enumerated() {
            let start = base + index * width
            let padCount = width - length
            if side == .right {
                start.initialize(repeating: 1, count: length)
                (start + length).initialize(repeating: 0, count: padCount)
            } else {
                start.initialize(repeating: 0, count: padCount)
                (start + padCount).initialize(repeating: 1, count: length)
            }
        }
        initialized = count
    }
    return Tensor(shape: [lengths.count, width], scalars: scalars)
}

/// The value each field `tokenizer.pad` knows is padded with; other fields are not padded.
func _tokenizerPadValue(_ field: String, padTokenID: Int32) -> Int32? {
    switch field {
    case "input_ids": padTokenID
    case "attention_mask": 0
    case "token_type_ids": 0
    case "special_tokens_mask": 1
    default: nil
    }
}

/// HF `tokenizer.pad` over examples: pads `input_ids`, `attention_mask` (made from lengths when
/// absent), `token_type_ids` and `special_tokens_mask`; stacks other fields, which must then
/// have equal lengths; scalars become a [B] vector. Keys follow the first example's order with
/// `attention_mask` after them when it was made here, as HF orders them.
///
/// - Parameter excluding: fields the caller handles itself (e.g. `labels` for seq2seq).
/// - Returns: the batch and the padded width.
func _tokenizerPad(
    _ examples: [Example], options: PaddingOptions, excluding: Set<String>, collator: String
) throws(CollateError) -> (batch: Batch, width: Int) {
    guard let first = examples.first else { throw .emptyBatch }
    var inputRows: [[Int32]] = []
    inputRows.reserveCapacity(examples.count)
    for (index, example) in examples.enumerated() {
        inputRows.append(try example.requireSequence("input_ids", example: index, collator: collator))
    }
    let longest = inputRows.reduce(0) { max($0, $1.count) }
    let width: Int
    switch options.strategy {
    case .longest:
        width = _roundUp(longest, toMultipleOf: options.padToMultipleOf)
    case .maxLength(let maxLength):
        width = _roundUp(maxLength, toMultipleOf: options.padToMultipleOf)
        if let index = inputRows.firstIndex(where: { $0.count > width }) {
            throw .exceedsMaxLength("input_ids", example: index, length: inputRows[index].count, maxLength: width)
        }
    case .doNotPad:
        width = inputRows[0].count
        if let index = inputRows.firstIndex(where: { $0.count != width }) {
            throw .cannotStack("input_ids", example: index, length: inputRows[index].count, firstLength: width)
        }
    }

    var batch = Batch()
    for name in first.names where !excluding.contains(name) {
        if name == "input_ids" {
            batch[name] = _paddedTensor(inputRows, width: width, side: options.side, value: options.padTokenID)
            continue
        }
        switch first[name] {
        case .sequence:
            var rows: [[Int32]] = []
            rows.reserveCapacity(examples.count)
            for (index, example) in examples.enumerated() {
                let row = try example.requireSequence(name, example: index, collator: collator)
                rows.append(row)
            }
            if let padValue = _tokenizerPadValue(name, padTokenID: options.padTokenID) {
                for (index, row) in rows.enumerated() where row.count != inputRows[index].count {
                    throw .lengthMismatch(name, example: index, length: row.count, expected: "input_ids", expectedLength: inputRows[index].count)
                }
                batch[name] = _paddedTensor(rows, width: width, side: options.side, value: padValue)
            } else {
                if let index = rows.firstIndex(where: { $0.count != rows[0].count }) {
                    throw .cannotStack(name, example: index, length: rows[index].count, firstLength: rows[0].count)
                }
                batch[name] = Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0 })
            }
        case .scalar, .float, .bool:
            batch[name] = try _scalarVector(examples, name, collator: collator)
        case .null, nil:
            // An extra field (the collator does not need it) that is null cannot be batched.
            throw .wrongFieldKind(name, example: 0, expected: "an integer or an integer array to be batched (it is null; drop the field or fill it)")
        }
    }
    if !batch.contains("attention_mask") {
        batch["attention_mask"] = _maskTensor(lengths: inputRows.map(\.count), width: width, side: options.side)
    }
    return (batch, width)
}
