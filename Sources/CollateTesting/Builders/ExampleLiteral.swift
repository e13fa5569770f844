import Collate

/// An example written as a dictionary literal of named fields, in order:
/// `["input_ids": [1, 2, 3], "labels": [-100, 2, 3]]`.
///
/// Pass it to ``Collate/Example/init(_:)-(ExampleLiteral)`` or, for a list, to
/// ``Collate/Example/list(_:)``:
///
/// ```swift
/// let one = Example(["input_ids": [1, 2, 3], "labels": [-100, 2, 3]])
/// let batch = Example.list(
///     ["input_ids": [5, 6, 7]],
///     ["input_ids": [8], "labels": nil],      // labels present but null
///     ["input_ids": [9, 9], "label": 1])      // a scalar class label
/// ```
public struct ExampleLiteral: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The example the literal describes.
    public var example: Example

    /// Creates the example from fields in order; a repeated name keeps its last value.
    public init(dictionaryLiteral elements: (String, FieldLiteral)...) {
        let empty: KeyValuePairs<String, Example.Value> = [:]
        var example = Example(empty)
        for (name, field) in elements { example[name] = field.value }
        self.example = example
    }
}

extension Example {
    /// Creates an example from a literal of named fields:
    /// `Example(["input_ids": [1, 2, 3], "labels": [-100, 2, 3]])`.
    public init(_ literal: ExampleLiteral) {
        self = literal.example
    }

    /// A list of examples written as literals, one per argument.
    ///
    /// ```swift
    /// let examples = Example.list(["input_ids": [1, 2]], ["input_ids": [3]])
    /// ```
    /// - Complexity: O(*n*) in the number of fields written.
    public static func list(_ literals: ExampleLiteral...) -> [Example] {
        literals.map(\.example)
    }
}
