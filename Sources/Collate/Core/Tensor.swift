/// A dense typed tensor: a shape, a dtype and its elements in row-major order.
///
/// Integer and bool elements live in ``scalars`` as `Int32` (bools as 0 and 1), so the token
/// paths of every collator stay one flat `[Int32]`; float elements live in ``floats``. ``dtype``
/// says what a PyTorch model expects (HF uses int64 for ids, labels and positions, int32 for
/// `cu_seq_lens_*` and `seq_idx`, float32 for TRL's `margin` and `ref_logps`, bool for KTO's
/// `label`), which is what the JSON writer and the exporters write.
public struct Tensor: Sendable, Hashable {
    /// The element type a consumer should see.
    public enum DType: String, Sendable, Hashable, CaseIterable {
        /// 64-bit signed integers (`torch.long`), stored as `Int32`.
        case int64
        /// 32-bit signed integers (`torch.int32`).
        case int32
        /// 32-bit floats (`torch.float32`), stored in ``Tensor/floats``.
        case float32
        /// Booleans (`torch.bool`), stored as 0 and 1 in ``Tensor/scalars``.
        case bool

        /// Whether the elements live in ``Tensor/scalars`` (every dtype but `float32`).
        public var isStoredAsInt32: Bool { self != .float32 }
    }

    /// The extent of each dimension; empty for a scalar.
    public let shape: [Int]
    /// The integer elements in row-major order (bools as 0 and 1); empty for a `float32` tensor.
    public private(set) var scalars: [Int32]
    /// The float elements in row-major order; empty unless ``dtype`` is `float32`.
    public private(set) var floats: [Float]
    /// The element type a consumer should see. Integer dtypes may be changed into one another
    /// (and into `bool`); a `float32` tensor stays `float32`.
    public var dtype: DType {
        didSet {
            precondition(dtype.isStoredAsInt32 == oldValue.isStoredAsInt32, "Tensor dtype \(oldValue) cannot become \(dtype)")
        }
    }

    /// Creates an integer (or bool) tensor.
    /// - Precondition: `scalars.count` equals the product of `shape`, and `dtype` is not `float32`
    ///   (use ``init(shape:floats:)``).
    public init(shape: [Int], scalars: [Int32], dtype: DType = .int64) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor shape \(shape) does not match \(scalars.count) elements")
        precondition(dtype.isStoredAsInt32, "a float32 tensor is made with Tensor(shape:floats:)")
        self.shape = shape
        self.scalars = scalars
        self.floats = []
        self.dtype = dtype
    }

    /// Creates a `float32` tensor.
    /// - Precondition: `floats.count` equals the product of `shape`.
    public init(shape: [Int], floats: [Float]) {
        precondition(shape.reduce(1, *) == floats.count, "Tensor shape \(shape) does not match \(floats.count) elements")
        self.shape = shape
        self.scalars = []
        self.floats = floats
        self.dtype = .float32
    }

    /// Creates a `bool` tensor.
    /// - Precondition: `bools.count` equals the product of `shape`.
    public init(shape: [Int], bools: [Bool]) {
        self.init(shape: shape, scalars: bools.map { $0 ? 1 : 0 }, dtype: .bool)
    }

    /// Creates a 0-dimensional integer tensor holding one value.
    public init(scalar: Int32, dtype: DType = .int64) {
        self.init(shape: [], scalars: [scalar], dtype: dtype)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of elements (the product of ``shape``), whatever the dtype.
    public var count: Int { dtype == .float32 ? floats.count : scalars.count }

    /// The elements as `Double`s in row-major order, whatever the dtype (bools as 0 and 1).
    public var doubles: [Double] {
        dtype == .float32 ? floats.map(Double.init) : scalars.map(Double.init)
    }

    /// The elements of a `bool` tensor (for other integer dtypes: whether each is non-zero).
    public var bools: [Bool] {
        dtype == .float32 ? floats.map { $0 != 0 } : scalars.map { $0 != 0 }
    }

    /// Row `index` of a 2-D integer tensor.
    public subscript(row index: Int) -> ArraySlice<Int32> {
        let width = shape.count == 2 ? shape[1] : scalars.count
        return scalars[index * width ..< (index + 1) * width]
    }

    /// The rows of a 2-D integer tensor as arrays (or the whole tensor as one row for other ranks).
    public var rows: [[Int32]] {
        guard shape.count == 2 else { return [scalars] }
        return (0..<shape[0]).map { Array(self[row: $0]) }
    }

    /// Gives mutable access to the integer elements without changing the shape.
    public mutating func withUnsafeMutableScalars<R>(_ body: (inout UnsafeMutableBufferPointer<Int32>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}
