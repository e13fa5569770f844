/// One step of a ``TransformPipeline``: an example-level or a batch-level transform.
public enum Transform: Sendable, CustomStringConvertible {
    /// Runs on each example before sampling.
    case example(any ExampleTransform)
    /// Runs on each batch after collation.
    case batch(any BatchTransform)

    /// The step's spec type.
    public var name: String {
        switch self {
        case .example(let transform): transform.name
        case .batch(let transform): transform.name
        }
    }

    public var description: String {
        switch self {
        case .example(let transform): transform.description
        case .batch(let transform): transform.description
        }
    }
}
