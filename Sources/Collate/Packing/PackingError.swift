/// Why a set of sequences could not be packed: the example and length at fault and the fix.
public enum PackingError: Error, Sendable, Hashable {
    /// A sequence is longer than a bin, and the overflow policy is to refuse.
    case sequenceTooLong(example: Int, length: Int, capacity: Int)
    /// A sequence has no tokens.
    case emptySequence(example: Int)
    /// The bin capacity is not a usable token count.
    case invalidCapacity(Int)
    /// A field to be packed into rows is not a list in some example (rows concatenate list
    /// fields only, as TRL's `pack_dataset` requires).
    case fieldNotAList(String, example: Int)
    /// A list field's length differs from the first list field's in some example.
    case fieldLengthMismatch(String, example: Int, length: Int, expected: String, expectedLength: Int)
    /// The group size is not a positive number of examples.
    case invalidGroupSize(Int)
    /// An example already has a field the packed rows add (`seq_lengths` for every strategy
    /// but `wrapped`): the row would hold that name twice (TRL 1.16 fails with `KeyError:
    /// 'Field "seq_lengths" exists 2 times in schema'`).
    case reservedField(String, example: Int)
}

extension PackingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .sequenceTooLong(example, length, capacity):
            "example \(example) has \(length) tokens, more than the packing capacity of \(capacity); "
                + "raise the capacity, truncate first (a truncate transform, or the packer's truncate policy), or drop the example"
        case let .emptySequence(example):
            "example \(example) has no tokens; drop empty examples before packing (the drop-empty transform)"
        case let .invalidCapacity(capacity):
            "packing capacity \(capacity) is not usable; give a positive token count up to \(Packer.maximumCapacity)"
        case let .fieldNotAList(field, example):
            "example \(example): field '\(field)' is not a list of integers (or is missing or null); packed rows concatenate list fields, "
                + "so every example needs the first example's list fields and no other kind of field (drop scalar fields before packing, as TRL's pack_dataset requires)"
        case let .fieldLengthMismatch(field, example, length, expected, expectedLength):
            "example \(example): field '\(field)' has \(length) values but '\(expected)' has \(expectedLength); "
                + "every list field of an example must have one value per token to be packed"
        case let .invalidGroupSize(size):
            "group size \(size) is not usable; give a positive number of examples (TRL packs datasets.map batches of 1000)"
        case let .reservedField(field, example):
            "example \(example) already has a field '\(field)', which the packed rows add themselves (the packed sequences' lengths); "
                + "rename or drop it before packing (rows that are already packed keep their '\(field)': pack the original examples instead)"
        }
    }
}

extension PackingError {
    /// The index of the example at fault, if the error names one.
    public var exampleIndex: Int? {
        switch self {
        case let .sequenceTooLong(example, _, _), let .emptySequence(example), let .fieldNotAList(_, example),
             let .fieldLengthMismatch(_, example, _, _, _), let .reservedField(_, example): example
        case .invalidCapacity, .invalidGroupSize: nil
        }
    }
}
