import Collate

/// The batch a test expects, written as literals: whole tensors by name, or row by row.
///
/// ```swift
/// // Whole tensors:
/// let expected: ExpectedBatch = [
///     "input_ids": [[5, 6, 7], [8, 0, 0]],
///     "labels":    [[5, 6, 7], [8, -100, -100]],
/// ]
///
/// // Row by row, with non-row tensors as fields:
/// let flat = ExpectedBatch {
///     Row(["input_ids": [5, 6, 7], "labels": [5, 6, 7]])
///     Row(["input_ids": [8, 0, 0], "labels": [8, -100, -100]])
///     Field("max_length_q", 3)
/// }
/// ```
///
/// Compare with ``assertBatch(_:equals:options:decode:)`` or ``checkBatch(_:equals:options:decode:)``.
public struct ExpectedBatch: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// One expected tensor.
    public struct Entry: Sendable, Hashable {
        /// The tensor's name.
        public var name: String
        /// Its expected contents; the shape follows the nesting.
        public var literal: TensorLiteral
        /// Its expected element type, or `nil` to not check it.
        public var dtype: Tensor.DType?
        /// Why the expectation itself is malformed (rows that disagree on the fields they name), if it is.
        public var problem: String?

        /// Creates an entry.
        public init(name: String, literal: TensorLiteral, dtype: Tensor.DType? = nil, problem: String? = nil) {
            self.name = name
            self.literal = literal
            self.dtype = dtype
            self.problem = problem
        }
    }

    /// The expected tensors in order.
    public var entries: [Entry]

    /// Creates an expectation from entries in order.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Whole tensors by name: `["input_ids": [[1, 2], [3, 0]], "max_length_q": 2]`.
    public init(dictionaryLiteral elements: (String, TensorLiteral)...) {
        entries = elements.map { Entry(name: $0.0, literal: $0.1) }
    }

    /// Row by row: every ``Row`` gives one row of each tensor it names, stacked into `[B, L]`
    /// (a scalar per row stacks into `[B]`); every ``Field`` gives a whole tensor.
    public init(@ExpectedBatchBuilder _ build: () -> [ExpectedBatchComponent]) {
        self.init(components: build())
    }

    /// The same as the builder form, from components.
    public init(components: [ExpectedBatchComponent]) {
        var names: [String] = []
        var rows: [Row] = []
        var fields: [Field] = []
        for component in components {
            switch component {
            case .row(let row):
                rows.append(row)
                for name in row.fields.map(\.name) where !names.contains(name) { names.append(name) }
            case .field(let field):
                fields.append(field)
                if !names.contains(field.name) { names.append(field.name) }
            }
        }
        entries = names.map { name in
            if let field = fields.last(where: { $0.name == name }) {
                return Entry(name: name, literal: field.literal, dtype: field.dtype)
            }
            var stacked: [TensorLiteral] = []
            var absent: [Int] = []
            for (index, row) in rows.enumerated() {
                if let value = row[name] { stacked.append(value) } else { absent.append(index) }
            }
            let problem = absent.isEmpty ? nil : "rows \(absent.map(String.init).joined(separator: ", ")) of the expectation do not give '\(name)'; give it in every Row"
            return Entry(name: name, literal: .array(stacked), problem: problem)
        }
    }

    /// The names of the expected tensors, in order.
    public var names: [String] { entries.map(\.name) }

    /// The expected tensor named `name`, if any.
    public subscript(name: String) -> Entry? {
        entries.first { $0.name == name }
    }
}

extension ExpectedBatch {
    /// The expectation of exactly `batch`: every tensor, with its dtype. Handy to write a
    /// golden expectation once from a batch that was checked by hand.
    public init(_ batch: Batch) {
        entries = zip(batch.names, batch.tensors).map { name, tensor in
            Entry(name: name, literal: TensorLiteral(tensor), dtype: tensor.dtype)
        }
    }
}

extension TensorLiteral {
    /// The literal of a tensor, nested as its shape.
    public init(_ tensor: Tensor) {
        func nested(_ offset: Int, _ dims: ArraySlice<Int>) -> TensorLiteral {
            guard let outer = dims.first else {
                switch tensor.dtype {
                case .int64, .int32: return .scalar(tensor.scalars[offset])
                case .bool: return .bool(tensor.scalars[offset] != 0)
                case .float32: return .float(Double(tensor.floats[offset]))
                }
            }
            let inner = dims.dropFirst()
            let stride = inner.reduce(1, *)
            return .array((0..<outer).map { nested(offset + $0 * stride, inner) })
        }
        self = nested(0, tensor.shape[...])
    }
}
