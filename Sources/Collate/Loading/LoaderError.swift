/// Why a ``DataLoader`` could not build a batch.
public enum LoaderError: Error, Sendable, Hashable {
    /// The collator rejected a batch; `example` is the dataset index of the example at fault.
    case collation(CollateError, example: Int?)
    /// The sampler named an example the dataset does not have.
    case indexOutOfRange(Int, count: Int)
}

extension LoaderError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .collation(error, example?):
            "dataset example \(example): \(error)"
        case let .collation(error, nil):
            "\(error)"
        case let .indexOutOfRange(index, count):
            "the sampler asked for example \(index) but the dataset has \(count); build the sampler from this dataset"
        }
    }
}
