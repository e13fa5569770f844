import Collate

extension Batch {
    /// The batch as safetensors bytes (see ``SafetensorsFile/encoded()``), e.g. one frame of the
    /// external-process backend's protocol.
    /// - Parameter metadata: Written as `__metadata__` (keys sorted); omitted when empty.
    /// - Throws: ``SafetensorsError/invalidName(_:)`` for an empty or reserved tensor name.
    /// - Complexity: O(*N*) in the number of elements.
    public func safetensorsBytes(metadata: [String: String] = [:]) throws(SafetensorsError) -> [UInt8] {
        try SafetensorsFile(batch: self, metadata: metadata).encoded()
    }

    /// Reads a batch from safetensors bytes, discarding `__metadata__`.
    /// - Throws: ``SafetensorsError`` naming the tensor at fault.
    public init(safetensors bytes: [UInt8]) throws(SafetensorsError) {
        self = try SafetensorsFile(decoding: bytes).batch
    }

    /// Reads a batch and its `__metadata__` from safetensors bytes.
    /// - Throws: ``SafetensorsError`` naming the tensor at fault.
    public static func decodeSafetensors(_ bytes: [UInt8]) throws(SafetensorsError) -> (batch: Batch, metadata: [String: String]) {
        let file = try SafetensorsFile(decoding: bytes)
        return (file.batch, file.metadata)
    }
}
