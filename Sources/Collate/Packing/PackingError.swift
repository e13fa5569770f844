/// Why a set of sequences could not be packed: the example and length at fault and the fix.
public enum PackingError: Error, Sendable, Hashable {
    /// A sequence is longer than a bin, and the overflow policy is to refuse.
    case sequenceTooLong(example: Int, length: Int, capacity: Int)
    /// A sequence has no tokens.
    case emptySequence(example: Int)
    /// The bin capacity is not a usable token count.
    case invalidCapacity(Int)
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
        }
    }
}

extension PackingError {
    /// The index of the example at fault, if the error names one.
    public var exampleIndex: Int? {
        switch self {
        case let .sequenceTooLong(example, _, _), let .emptySequence(example): example
        case .invalidCapacity: nil
        }
    }
}
