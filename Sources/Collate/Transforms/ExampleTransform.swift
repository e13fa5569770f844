/// A step that rewrites one example before sampling and collation: truncation, an appended
/// EOS, dropping examples that cannot train.
///
/// Example transforms run before the sampler, so lengths seen by packing and length grouping
/// are the lengths after truncation. A transform is a value: configure it, then call it from
/// any thread.
///
/// ```swift
/// var example = Example(inputIDs: [5, 6, 7, 8])
/// _ = try Truncate(maxLength: 2).apply(to: &example, index: 0)   // .modified
/// // example.inputIDs == [5, 6]
/// ```
public protocol ExampleTransform: Sendable, CustomStringConvertible {
    /// The transform's spec type, e.g. `"truncate"`; the key its counts are reported under.
    var name: String { get }

    /// Rewrites `example` in place or decides to drop it.
    /// - Parameters:
    ///   - example: The example, rewritten in place.
    ///   - index: Its position in the dataset, for error messages.
    /// - Returns: Whether the example was kept as is, modified, or must be dropped.
    /// - Throws: An error naming the example when it cannot be transformed.
    func apply(to example: inout Example, index: Int) throws -> ExampleTransformOutcome
}

/// What an ``ExampleTransform`` did to one example.
public enum ExampleTransformOutcome: Sendable, Hashable {
    /// The example was left as it was.
    case unchanged
    /// The example was rewritten.
    case modified
    /// The example must be removed from the dataset.
    case dropped
}

/// A step that rewrites a whole batch after collation: padding to a multiple, position ids,
/// the trainable-token count.
public protocol BatchTransform: Sendable, CustomStringConvertible {
    /// The transform's spec type, e.g. `"pad-to-multiple"`.
    var name: String { get }

    /// Returns the rewritten batch.
    /// - Throws: An error naming the tensor at fault when the batch cannot be transformed.
    func apply(to batch: Batch) throws -> Batch
}
