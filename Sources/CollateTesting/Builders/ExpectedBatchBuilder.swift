import Collate

/// One row of an ``ExpectedBatch``: a value per tensor it names, written as literals.
///
/// ```swift
/// Row(["input_ids": [8, 0, 0], "attention_mask": [1, 0, 0], "labels": [8, -100, -100]])
/// ```
public struct Row: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The row's values by tensor name, in order.
    public var fields: [(name: String, value: TensorLiteral)] {
        zip(names, values).map { (name: $0, value: $1) }
    }

    private var names: [String]
    private var values: [TensorLiteral]

    /// Creates a row from named values.
    public init(_ row: Row) {
        self = row
    }

    /// Creates a row from named values: `["input_ids": [1, 2], "labels": [1, 2]]`.
    public init(dictionaryLiteral elements: (String, TensorLiteral)...) {
        names = elements.map(\.0)
        values = elements.map(\.1)
    }

    /// The value given for `name`, if any.
    public subscript(name: String) -> TensorLiteral? {
        names.firstIndex(of: name).map { values[$0] }
    }
}

/// A whole tensor of an ``ExpectedBatch`` written row-wise: one not stacked from rows
/// (`cu_seq_lens_q`, `max_length_q`, a `[B]` label vector).
///
/// ```swift
/// Field("cu_seq_lens_q", [0, 3, 4], dtype: .int32)
/// ```
public struct Field: Sendable, Hashable {
    /// The tensor's name.
    public var name: String
    /// Its contents.
    public var literal: TensorLiteral
    /// Its element type, or `nil` to not check it.
    public var dtype: Tensor.DType?

    /// Creates a field.
    public init(_ name: String, _ literal: TensorLiteral, dtype: Tensor.DType? = nil) {
        self.name = name
        self.literal = literal
        self.dtype = dtype
    }
}

/// What an ``ExpectedBatchBuilder`` block lists.
public enum ExpectedBatchComponent: Sendable, Hashable {
    /// One row of the row-wise tensors.
    case row(Row)
    /// A whole tensor.
    case field(Field)
}

/// Builds an ``ExpectedBatch`` from ``Row``s and ``Field``s, with `if`, `if`/`else` and `for`.
@resultBuilder
public enum ExpectedBatchBuilder {
    /// A row.
    public static func buildExpression(_ row: Row) -> [ExpectedBatchComponent] { [.row(row)] }
    /// A whole tensor.
    public static func buildExpression(_ field: Field) -> [ExpectedBatchComponent] { [.field(field)] }
    /// Several components (e.g. from a helper).
    public static func buildExpression(_ components: [ExpectedBatchComponent]) -> [ExpectedBatchComponent] { components }
    /// A block.
    public static func buildBlock(_ parts: [ExpectedBatchComponent]...) -> [ExpectedBatchComponent] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [ExpectedBatchComponent]?) -> [ExpectedBatchComponent] { part ?? [] }
    /// The first branch of an `if`/`else`.
    public static func buildEither(first part: [ExpectedBatchComponent]) -> [ExpectedBatchComponent] { part }
    /// The second branch of an `if`/`else`.
    public static func buildEither(second part: [ExpectedBatchComponent]) -> [ExpectedBatchComponent] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[ExpectedBatchComponent]]) -> [ExpectedBatchComponent] { parts.flatMap { $0 } }
}
