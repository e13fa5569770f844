import Collate

extension Tensor.DType {
    /// The safetensors dtype string: `I64` or `I32`.
    public var safetensorsName: String {
        switch self {
        case .int64: "I64"
        case .int32: "I32"
        }
    }

    /// Bytes per element on disk.
    public var safetensorsItemSize: Int {
        switch self {
        case .int64: 8
        case .int32: 4
        }
    }
}
