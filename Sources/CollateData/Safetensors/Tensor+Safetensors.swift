import Collate



extension Tensor.DType {
    /// The safetensors dtype string: `I64`, `I32`, `F32` or `BOOL`.
    public var safetensorsName: String {
        switch self {
        case .int64: "I64"
        case .int32: "I32"
        case .float32: "F32"
        case .bool: "BOOL"
        }
    }

    /// Bytes per element on disk.
    public var safetensorsItemSize: Int {
        switch self {
        case .int64: 8
        case .int32: 4
        case .float32: 4
        case .bool: 1
        }
    }

    /// The dtype of a safetensors dtype string, or `nil` for one Collate's tensors cannot hold.
    public init?(safetensorsName name: String) {
        switch name {
        case "I64": self = .int64
        case "I32": self = .int32
        case "F32": self = .float32
        case "BOOL": self = .bool
        default: return nil
        }
    }
}
