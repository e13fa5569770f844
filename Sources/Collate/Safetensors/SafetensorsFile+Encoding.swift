extension SafetensorsFile {
    /// The bytes of the file, as `safetensors.torch.save` writes them.
    ///
    /// Layout: an 8-byte little-endian header length *n*, *n* bytes of compact JSON header
    /// `{"__metadata__":{...},name:{"dtype","shape","data_offsets":[begin,end]},...}` padded with
    /// spaces so the data starts 8-byte aligned, then each tensor's elements little-endian, in
    /// the batch's order (`safetensors` itself orders by dtype, then name; for a batch already in
    /// that order the bytes are identical to Python's). Metadata keys are sorted.
    /// - Throws: ``SafetensorsError/invalidName(_:)`` for an empty or reserved tensor name.
    /// - Complexity: O(*N*) in the total number of elements.
    public func encoded() throws(SafetensorsError) -> [UInt8] {
        var header = "{"
        var first = true
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            for (index, key) in metadata.keys.sorted().enumerated() {
                if index > 0 { header += "," }
                JSONWriter.writeString(key, into: &header)
                header += ":"
                JSONWriter.writeString(metadata[key] ?? "", into: &header)
            }
            header += "}"
            first = false
        }
        var offset = 0
        for (name, tensor) in zip(batch.names, batch.tensors) {
            guard !name.isEmpty, name != "__metadata__" else { throw .invalidName(name) }
            if !first { header += "," }
            first = false
            let size = tensor.count * tensor.dtype.safetensorsItemSize
            JSONWriter.writeString(name, into: &header)
            header += ":{\"dtype\":\"\(tensor.dtype.safetensorsName)\",\"shape\":["
            header += tensor.shape.map(String.init).joined(separator: ",")
            header += "],\"data_offsets\":[\(offset),\(offset + size)]}"
            offset += size
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += headerBytes
        for tensor in batch.tensors {
            switch tensor.dtype {
            case .int64:
                for value in tensor.scalars { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
            case .int32:
                for value in tensor.scalars { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
            case .float32:
                for value in tensor.floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            case .bool:
                for value in tensor.scalars { bytes.append(value != 0 ? 1 : 0) }
            }
        }
        return bytes
    }
}
