import Collate

/// The contents of a safetensors file: named integer tensors in order, and the optional
/// string-to-string `__metadata__`.
///
/// The format (huggingface/safetensors): an 8-byte little-endian header length *N*; *N* bytes
/// of JSON mapping each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}`
/// (plus `__metadata__`), padded with spaces so the data starts 8-byte aligned; then the
/// tensors' little-endian bytes, back to back. Collate writes `I64` for ``Tensor/DType/int64``
/// tensors and `I32` for ``Tensor/DType/int32`` ones, so PyTorch sees HF's dtypes.
///
/// ```swift
/// let bytes = try SafetensorsFile(batch: batch, metadata: ["rank": "0"]).encoded()
/// let back = try SafetensorsFile(decoding: bytes)     // back.batch == batch
/// ```
public struct SafetensorsFile: Sendable, Hashable {
    /// The tensors, in file order.
    public var batch: Batch
    /// The `__metadata__` entries.
    public var metadata: [String: String]

    /// Creates file contents.
    public init(batch: Batch, metadata: [String: String] = [:]) {
        self.batch = batch
        self.metadata = metadata
    }

    /// The largest header the format allows.
    public static let maximumHeaderLength: UInt64 = 100_000_000
}
