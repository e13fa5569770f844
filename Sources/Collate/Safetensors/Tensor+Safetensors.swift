

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

    /// The dtype of a safetensors dtype string, or `nil` for one Collate's integer tensors cannot hold.
    public init?(safetensorsName name: String) {
        switch name {
        case "I64": self = .int64
        case "I32": self = .int32
        default: return nil
        }
    }
}
