/// A dense integer tensor: a shape and its elements in row-major order.
///
/// Storage is always `Int32`; ``dtype`` says what a PyTorch model expects for it (HF uses
/// int64 for ids, labels and positions, int32 for `cu_seq_lens_*` and `seq_idx`), which is
/// what exporters write.
public struct Tensor: Sendable, Hashable {
    /// The element type a consumer should see.
    public enum DType: String, Sendable, Hashable {
        /// 64-bit signed integers (`torch.long`).
        case int64
        /// 32-bit signed integers (`torch.int32`).
        case int32
    }

    /// The extent of each dimension; empty for a scalar.
    public let shape: [Int]
    /// The elements in row-major order; `scalars.count` is the product of ``shape``.
    public private(set) var scalars: [Int32]
    /// The element type a consumer should see.
    public var dtype: DType

    /// Creates a tensor.
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Int32], dtype: DType = .int64) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor shape \(shape) does not match \(scalars.count) elements")
        self.shape = shape
        self.scalars = scalars
        self.dtype = dtype
    }

    /// Creates a 0-dimensional tensor holding one value.
    public init(scalar: Int32, dtype: DType = .int64) {
        self.init(shape: [], scalars: [scalar], dtype: dtype)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// Row `index` of a 2-D tensor.
    public subscript(row index: Int) -> ArraySlice<Int32> {
        let width = shape.count == 2 ? shape[1] : scalars.count
        return scalars[index * width ..< (index + 1) * width]
    }

    /// The rows of a 2-D tensor as arrays (or the whole tensor as one row for other ranks).
    public var rows: [[Int32]] {
        guard shape.count == 2 else { return [scalars] }
        return (0..<shape[0]).map { Array(self[row: $0]) }
    }

    /// Gives mutable access to the elements without changing the shape.
    public mutating func withUnsafeMutableScalars<R>(_ body: (inout UnsafeMutableBufferPointer<Int32>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}
