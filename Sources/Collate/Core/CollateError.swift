/// An error raised while building a batch: it names the example and field at fault and says
/// how to fix it.
public enum CollateError: Error, Sendable, Hashable {
    /// The collator needs a field that an example lacks or holds as null.
    case missingField(String, example: Int, collator: String)
    /// A field holds a scalar where a sequence is needed, or the reverse.
    case wrongFieldKind(String, example: Int, expected: String)
    /// Two sequences that must have the same length do not.
    case lengthMismatch(String, example: Int, length: Int, expected: String, expectedLength: Int)
    /// A sequence is longer than the fixed length it must be padded to.
    case exceedsMaxLength(String, example: Int, length: Int, maxLength: Int)
    /// A field that the collator cannot pad has different lengths across the batch.
    case cannotStack(String, example: Int, length: Int, firstLength: Int)
    /// An example with no tokens where the collator needs at least one.
    case emptyExample(example: Int)
    /// A batch with no examples.
    case emptyBatch
    /// Padding would make a `[rows, width]` tensor of more than `maximum` values
    /// (``PaddingOptions/maximumBatchElements``): a huge `pad_to_multiple_of` or `max_length`
    /// times the batch size.
    case batchTooLarge(String, rows: Int, width: Int, maximum: Int)
    /// A collator (usually a third-party one) rejected the batch for a reason no other case
    /// describes: `reason` says what is wrong and how to fix it.
    /// - Parameters:
    ///   - collator: The collator's name (its contract's `name`).
    ///   - example: The index of the example at fault, when one is.
    ///   - reason: What is wrong and how to fix it.
    case collatorFailed(collator: String, example: Int?, reason: String)
}

extension CollateError: CustomStringConvertible {
    /// What went wrong, naming the example and field, and how to fix it.
    public var description: String {
        switch self {
        case let .missingField(field, example, collator):
            "example \(example) has no '\(field)' (absent or null), which the \(collator) collator requires; "
                + "add '\(field)' to every example or choose a collator that does not need it"
        case let .wrongFieldKind(field, example, expected):
            "example \(example): field '\(field)' must be \(expected); fix the data or rename the field"
        case let .lengthMismatch(field, example, length, expected, expectedLength):
            "example \(example): '\(field)' has \(length) tokens but '\(expected)' has \(expectedLength); "
                + "they must be aligned token for token (labels are not shifted by the collator)"
        case let .exceedsMaxLength(field, example, length, maxLength):
            "example \(example): '\(field)' has \(length) tokens, more than max_length \(maxLength) it must be padded to; "
                + "truncate the examples first or raise max_length"
        case let .cannotStack(field, example, length, firstLength):
            "example \(example): '\(field)' has length \(length) but example 0 has \(firstLength), and this collator does not pad '\(field)'; "
                + "remove the field or make it the same length in every example"
        case let .emptyExample(example):
            "example \(example) has no tokens; drop empty examples before collating"
        case .emptyBatch:
            "a batch needs at least one example"
        case let .batchTooLarge(field, rows, width, maximum):
            "'\(field)' would be padded to \(rows) rows × \(width) positions, more than the \(maximum) values one batch tensor may hold; "
                + "lower pad_to_multiple_of or max_length (a typo?), or use a smaller batch size"
        case let .collatorFailed(collator, example?, reason):
            "example \(example): the \(collator) collator: \(reason)"
        case let .collatorFailed(collator, nil, reason):
            "the \(collator) collator: \(reason)"
        }
    }
}

extension CollateError {
    /// The index of the example at fault within the batch, if the error names one.
    public var exampleIndex: Int? {
        switch self {
        case let .missingField(_, example, _), let .wrongFieldKind(_, example, _),
             let .lengthMismatch(_, example, _, _, _), let .exceedsMaxLength(_, example, _, _),
             let .cannotStack(_, example, _, _), let .emptyExample(example):
            example
        case let .collatorFailed(_, example, _):
            example
        case .emptyBatch, .batchTooLarge:
            nil
        }
    }

    /// The same error with its example index shifted by `offset`: turns an index within a
    /// batch into an index within the dataset.
    public func offsettingExample(by offset: Int) -> CollateError {
        switch self {
        case let .missingField(field, example, collator): .missingField(field, example: example + offset, collator: collator)
        case let .wrongFieldKind(field, example, expected): .wrongFieldKind(field, example: example + offset, expected: expected)
        case let .lengthMismatch(field, example, length, other, otherLength):
            .lengthMismatch(field, example: example + offset, length: length, expected: other, expectedLength: otherLength)
        case let .exceedsMaxLength(field, example, length, maxLength):
            .exceedsMaxLength(field, example: example + offset, length: length, maxLength: maxLength)
        case let .cannotStack(field, example, length, firstLength):
            .cannotStack(field, example: example + offset, length: length, firstLength: firstLength)
        case let .emptyExample(example): .emptyExample(example: example + offset)
        case .emptyBatch: .emptyBatch
        case .batchTooLarge: self
        case let .collatorFailed(collator, example, reason): .collatorFailed(collator: collator, example: example.map { $0 + offset }, reason: reason)
        }
    }
}
