// The shared padding engine: HF `PreTrainedTokenizerBase.pad` semantics on Int32 rows.

/// Rounds `length` up to a multiple of `multiple`, as `tokenizer._pad` does.
@inline(__always)
func _roundUp(_ length: Int, toMultipleOf multiple: Int?) -> Int {
    guard let multiple, multiple > 0, length % multiple != 0 else { return length }
    return (length / multiple + 1) * multiple
}

extension PaddingOptions {
    /// The most values one padded batch tensor may hold: 2^28 (1 GiB of `Int32`), e.g. 2,048
    /// rows of 131,072 tokens. A row is capped at 2^24 tokens by the spec reader, but a batch
    /// of 64 such rows (`pad_to_multiple_of: 16777216`) would allocate gigabytes per tensor; it
    /// is ``CollateError/batchTooLarge(_:rows:width:maximum:)`` instead.
    public static let maximumBatchElements = 1 << 28
}

/// The width rows of `lengths` get under `padding="max_length"`: `width` (max_length rounded
/// up to `pad_to_multiple_of`) when no row is longer. HF `tokenizer.pad` leaves a longer row
/// as it is and pads the others to `width`, so the batch stacks only when every row has that
/// same longer length (always for one example): then the rows' own length, unpadded.
/// - Throws: ``CollateError/exceedsMaxLength(_:example:length:maxLength:)`` naming the first
///   longer row when the rows would not stack.
func _maxLengthWidth(_ lengths: [Int], width: Int, field: String) throws(CollateError) -> Int {
    guard let index = lengths.firstIndex(where: { $0 > width }) else { return width }
    let longer = lengths[index]
    guard lengths.allSatisfy({ $0 == longer }) else {
        throw .exceedsMaxLength(field, example: index, length: longer, maxLength: width)
    }
    return longer
}

/// Throws ``CollateError/batchTooLarge(_:rows:width:maximum:)`` when a `[rows, width]` tensor
/// would exceed ``PaddingOptions/maximumBatchElements``.
func _checkBatchSize(_ field: String, rows: Int, width: Int) throws(CollateError) {
    let (count, overflow) = rows.multipliedReportingOverflow(by: width)
    guard overflow || count > PaddingOptions.maximumBatchElements else { return }
    throw .batchTooLarge(field, rows: rows, width: width, maximum: PaddingOptions.maximumBatchElements)
}

/// Builds a [rows.count, width] tensor, each row padded with `value` on `side`.
/// - Throws: ``CollateError/batchTooLarge(_:rows:width:maximum:)`` (`field` names it).
func _paddedTensor(_ rows: [[Int32]], width: Int, side: PaddingSide, value: Int32, field: String) throws(CollateError) -> Tensor {
    try _checkBatchSize(field, rows: rows.count, width: width)
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
/// - Throws: ``CollateError/batchTooLarge(_:rows:width:maximum:)`` (`field` names it).
func _maskTensor(lengths: [Int], width: Int, side: PaddingSide, field: String = "attention_mask") throws(CollateError) -> Tensor {
    try _checkBatchSize(field, rows: lengths.count, width: width)
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
        width = try _maxLengthWidth(inputRows.map(\.count), width: _roundUp(maxLength, toMultipleOf: options.padToMultipleOf),
                                    field: "input_ids")
    case .doNotPad:
        width = inputRows[0].count
        if let index = inputRows.firstIndex(where: { $0.count != width }) {
            throw .cannotStack("input_ids", example: index, length: inputRows[index].count, firstLength: width)
        }
    }

    var batch = Batch()
    // Fields are visited by position, and each example's field is found at the first
    // example's position when the names line up (they do in a JSONL file written by one
    // program): a by-name lookup per field and example made a line of 50,000 fields quadratic.
    for (position, name) in first.names.enumerated() where !excluding.contains(name) {
        /// Example `index`'s value of this field, by position when it matches, else by name.
        func value(of example: Example) -> Example.Value? {
            if position < example.names.count, example.names[position] == name { return example.values[position] }
            return example[name]
        }
        func sequence(of example: Example, index: Int) throws(CollateError) -> [Int32] {
            switch value(of: example) {
            case .sequence(let tokens)?: return tokens
            case .scalar?, .float?, .bool?: throw .wrongFieldKind(name, example: index, expected: "a sequence of integers")
            case .null?, nil: throw .missingField(name, example: index, collator: collator)
            }
        }
        if name == "input_ids" {
            batch._appendNew(name, try _paddedTensor(inputRows, width: width, side: options.side, value: options.padTokenID, field: name))
            continue
        }
        switch first.values[position] {
        case .sequence:
            var rows: [[Int32]] = []
            rows.reserveCapacity(examples.count)
            for (index, example) in examples.enumerated() {
                rows.append(try sequence(of: example, index: index))
            }
            if let padValue = _tokenizerPadValue(name, padTokenID: options.padTokenID) {
                for (index, row) in rows.enumerated() where row.count != inputRows[index].count {
                    throw .lengthMismatch(name, example: index, length: row.count, expected: "input_ids", expectedLength: inputRows[index].count)
                }
                batch._appendNew(name, try _paddedTensor(rows, width: width, side: options.side, value: padValue, field: name))
            } else {
                if let index = rows.firstIndex(where: { $0.count != rows[0].count }) {
                    throw .cannotStack(name, example: index, length: rows[index].count, firstLength: rows[0].count)
                }
                try _checkBatchSize(name, rows: rows.count, width: rows[0].count)
                batch._appendNew(name, Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0 }))
            }
        case .scalar, .float, .bool:
            batch._appendNew(name, try _scalarVector(examples, name, collator: collator, lookup: value(of:)))
        case .null:
            // An extra field (the collator does not need it) that is null cannot be batched.
            throw .wrongFieldKind(name, example: 0, expected: "an integer or an integer array to be batched (it is null; drop the field or fill it)")
        }
    }
    if !batch.contains("attention_mask") {
        batch["attention_mask"] = try _maskTensor(lengths: inputRows.map(\.count), width: width, side: options.side)
    }
    return (batch, width)
}
