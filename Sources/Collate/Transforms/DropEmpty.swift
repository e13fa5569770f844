/// Drops examples whose `input_ids` are absent, null or empty.
///
/// Empty examples make collators throw (``CollateError/emptyExample(example:)``) and the
/// validator report `empty-example`; dropping them first, with a count, is the usual fix.
///
/// Spec type `drop-empty`; no keys.
public struct DropEmpty: ExampleTransform, Hashable {
    /// Creates the transform.
    public init() {}

    public var name: String { "drop-empty" }

    public var description: String { "drop-empty" }

    /// - Complexity: O(*f*) in the number of fields.
    public func apply(to example: inout Example, index: Int) -> ExampleTransformOutcome {
        example.sequence("input_ids")?.isEmpty == false ? .unchanged : .dropped
    }
}
