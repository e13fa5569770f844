/// Builds a ``TransformPipeline`` from a list of transforms, with `if`, `if`/`else` and `for`.
///
/// ```swift
/// let pipeline = TransformPipeline {
///     Truncate(maxLength: 2048, side: .keepEnd)
///     if addEOS { AddEOS(eosTokenID: 2) }
///     DropUntrainable()
///     PadToMultiple(multiple: 8)
///     NumItemsInBatch()
/// }
/// ```
@resultBuilder
public enum TransformBuilder {
    /// An example-level transform.
    public static func buildExpression(_ transform: some ExampleTransform) -> [Transform] { [.example(transform)] }
    /// A batch-level transform.
    public static func buildExpression(_ transform: some BatchTransform) -> [Transform] { [.batch(transform)] }
    /// A prepared step.
    public static func buildExpression(_ transform: Transform) -> [Transform] { [transform] }
    /// Prepared steps, e.g. another pipeline's ``TransformPipeline/steps``.
    public static func buildExpression(_ transforms: [Transform]) -> [Transform] { transforms }
    /// The statements of a block, in order.
    public static func buildBlock(_ components: [Transform]...) -> [Transform] { components.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ component: [Transform]?) -> [Transform] { component ?? [] }
    /// The `if` branch of an `if`/`else`.
    public static func buildEither(first component: [Transform]) -> [Transform] { component }
    /// The `else` branch of an `if`/`else`.
    public static func buildEither(second component: [Transform]) -> [Transform] { component }
    /// A `for` loop.
    public static func buildArray(_ components: [[Transform]]) -> [Transform] { components.flatMap { $0 } }
    /// `#available` branches.
    public static func buildLimitedAvailability(_ component: [Transform]) -> [Transform] { component }
}
