import Collate

/// An expected tensor written as nested array literals: `[[1, 2], [3, 0]]` is `[2, 2]`,
/// `[0, 3, 5]` is `[3]`, `7` is a 0-dimensional scalar. Float literals (`[0.5, 1.0]`) expect a
/// `float32` tensor and bool literals (`[true, false]`) a `bool` tensor: the dtype is checked.
///
/// A ragged literal (rows of different lengths) cannot become a tensor; comparing against it
/// reports ``BatchMismatch/Difference/invalidExpectation(tensor:reason:)`` rather than crashing.
public indirect enum TensorLiteral: Sendable, Hashable, ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    /// One integer.
    case scalar(Int32)
    /// One float (a `float32` element; compared after rounding to `Float`).
    case float(Double)
    /// One bool.
    case bool(Bool)
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

    /// A float scalar: `0.5`.
    public init(floatLiteral value: Double) {
        self = .float(value)
    }

    /// A bool scalar: `true`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    /// The dtype the literal's elements name: `float32` when any element is a float, `bool`
    /// when all are bools, `nil` for integers (any integer dtype matches) or an empty literal.
    public var impliedDType: Tensor.DType? {
        var sawFloat = false, sawBool = false, sawInteger = false
        func visit(_ literal: TensorLiteral) {
            switch literal {
            case .scalar: sawInteger = true
            case .float: sawFloat = true
            case .bool: sawBool = true
            case .array(let elements): elements.forEach(visit)
            }
        }
        visit(self)
        if sawFloat { return .float32 }
        if sawBool && !sawInteger { return .bool }
        return nil
    }

    /// The literal as a shape and row-major elements as `Double` (bools as 0 and 1), for
    /// comparing float tensors.
    /// - Throws: ``TensorLiteralError`` for a ragged literal.
    public func shapeAndDoubles() throws(TensorLiteralError) -> (shape: [Int], values: [Double]) {
        var values: [Double] = []
        func flatten(_ literal: TensorLiteral, path: String) throws(TensorLiteralError) -> [Int] {
            switch literal {
            case .scalar(let value): values.append(Double(value)); return []
            case .float(let value): values.append(value); return []
            case .bool(let flag): values.append(flag ? 1 : 0); return []
            case .array(let elements):
                var inner: [Int]?
                for (index, element) in elements.enumerated() {
                    let shape = try flatten(element, path: path + "[\(index)]")
                    if let expected = inner, expected != shape {
                        throw TensorLiteralError(path: path + "[\(index)]", shape: shape, expectedShape: expected)
                    }
                    inner = shape
                }
                return [elements.count] + (inner ?? [])
            }
        }
        let shape = try flatten(self, path: "")
        return (shape, values)
    }

    /// Wraps a tensor's rows: a 1-D literal for one row, 2-D for several.
    public init(rows: [[Int32]]) {
        self = .array(rows.map { .array($0.map(TensorLiteral.scalar)) })
    }

    /// The literal as a shape and row-major integer elements (bools as 0 and 1, floats truncated).
    /// - Throws: A message naming the first ragged dimension when rows differ in length.
    /// - Complexity: O(*n*) in the number of elements.
    public func shapeAndScalars() throws(TensorLiteralError) -> (shape: [Int], scalars: [Int32]) {
        var scalars: [Int32] = []
        let shape = try Self.flatten(self, into: &scalars, path: "")
        return (shape, scalars)
    }

    /// The tensor the literal describes: `dtype`, or the literal's own (``impliedDType``) when
    /// it has float or bool elements and `dtype` is an integer type.
    /// - Throws: ``TensorLiteralError`` for a ragged literal.
    public func tensor(dtype: Tensor.DType = .int64) throws(TensorLiteralError) -> Tensor {
        let resolved = (dtype == .int64 || dtype == .int32) ? (impliedDType ?? dtype) : dtype
        if resolved == .float32 {
            let (shape, values) = try shapeAndDoubles()
            return Tensor(shape: shape, floats: values.map { Float($0) })
        }
        let (shape, scalars) = try shapeAndScalars()
        return Tensor(shape: shape, scalars: scalars, dtype: resolved)
    }

    private static func flatten(_ literal: TensorLiteral, into scalars: inout [Int32], path: String) throws(TensorLiteralError) -> [Int] {
        switch literal {
        case .scalar(let value):
            scalars.append(value)
            return []
        case .float(let value):
            scalars.append(Int32(clamping: Int64(value.isFinite ? value.rounded(.towardZero) : 0)))
            return []
        case .bool(let flag):
            scalars.append(flag ? 1 : 0)
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
