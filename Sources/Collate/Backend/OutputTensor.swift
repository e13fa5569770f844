/// A dense floating-point tensor a backend returns (logits, hidden states, ...).
public struct OutputTensor: Sendable, Hashable {
    /// The extent of each dimension, e.g. `[B, L, V]` for logits.
    public var shape: [Int]
    /// The elements in row-major order.
    public var values: [Float]

    /// Creates a tensor.
    /// - Precondition: `values.count` equals the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "OutputTensor shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }
}
