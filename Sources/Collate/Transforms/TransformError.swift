/// Why a batch transform could not run: the tensor at fault, what it holds and the fix.
public enum TransformError: Error, Sendable, Hashable {
    /// The batch lacks a tensor the transform needs.
    case missingTensor(String, transform: String)
    /// A tensor has a shape the transform cannot work with.
    case wrongShape(String, shape: [Int], expected: String, transform: String)
}

extension TransformError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .missingTensor(name, transform):
            "the \(transform) transform needs a '\(name)' tensor but the batch has none; "
                + "use a collator that produces '\(name)' or remove the transform"
        case let .wrongShape(name, shape, expected, transform):
            "the \(transform) transform needs '\(name)' to be \(expected), but its shape is \(shape); "
                + "run it on batches from a padding or flattening collator"
        }
    }
}
