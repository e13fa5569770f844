import Collate

/// An expected tensor written as nested array literals: `[[1, 2], [3, 0]]` is `[2, 2]`,
/// `[0, 3, 5]` is `[3]`, `7` is a 0-dimensional scalar.
///
/// A ragged literal (rows of different lengths) cannot become a tensor; comparing against it
/// reports ``BatchMismatch/Difference/invalidExpectation(tensor:reason:)`` rather than crashing.
public indirect enum TensorLiteral: Sendable, Hashable, ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral {
    /// One integer.
    case scalar(Int32)
    /// One dimension of nested literals.
    case array([TensorLiteral])

    /// A dimension: `[1, 2, 3]` or `[[1, 2], [3, 4]]`.
    public init(arrayLiteral elements: TensorLiteral...) {
        self = .array(elements)
    }

    /// A scalar: `7`.
    public init(integerLiteral value: Int32) {
        self = .scalar(value)
    }

    /// Wraps a tensor's rows: a 1-D literal for one row, 2-D for several.
    public init(rows: [[Int32]]) {
        self = .array(rows.map { .array($0.map(TensorLiteral.scalar)) })
    }

    /// The literal as a shape and row-major elements.
    /// - Throws: A message naming the first ragged dimension when rows differ in length.
    /// - Complexity: O(*n*) in the number of elements.
    public func shapeAndScalars() throws(TensorLiteralError) -> (shape: [Int], scalars: [Int32]) {
        var scalars: [Int32] = []
        let shape = try Self.flatten(self, into: &scalars, path: "")
        return (shape, scalars)
    }

    /// The tensor the literal describes.
    /// - Throws: ``TensorLiteralError`` for a ragged literal.
    public func tensor(dtype: Tensor.DType = .int64) throws(TensorLiteralError) -> Tensor {
        let (shape, scalars) = try shapeAndScalars()
        return Tensor(shape: shape, scalars: scalars, dtype: dtype)
    }

    private static func flatten(_ literal: TensorLiteral, into scalars: inout [Int32], path: String) throws(TensorLiteralError) -> [Int] {
        switch literal {
        case .scalar(let value):
            scalars.append(value)
            return []
        case .array(let elements):
            var inner: [Int]?
            for (index, element) in elements.enumerated() {
                let shape = try flatten(element, into: &scalars, path: path + "[\(index)]")
                if let expected = inner, expected != shape {
                    throw TensorLiteralError(path: path + "[\(index)]", shape: shape, expectedShape: expected)
                }
                inner = shape
            }
            return [elements.count] + (inner ?? [])
        }
    }
}

/// A nested literal whose rows differ in shape, so it is not a tensor.
public struct TensorLiteralError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the odd element sits, e.g. `[2]`.
    public var path: String
    /// Its shape.
    public var shape: [Int]
    /// The shape of the elements before it.
    public var expectedShape: [Int]

    /// Creates the error.
    public init(path: String, shape: [Int], expectedShape: [Int]) {
        self.path = path
        self.shape = shape
        self.expectedShape = expectedShape
    }

    /// What is ragged and how to fix it.
    public var description: String {
        "element \(path) has shape \(shape) but the ones before it have \(expectedShape); write every row with the same length (padding included)"
    }
}
