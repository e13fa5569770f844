import Collate

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
        var entry: [UInt8] = []
        if !metadata.isEmpty {
            var text = "\"__metadata__\":{"
            for (index, key) in metadata.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                JSONWriter.writeString(key, into: &text)
                text += ":"
                JSONWriter.writeString(metadata[key] ?? "", into: &text)
            }
            text += "}"
            entry = Array(text.utf8)
        }
        return try Self.encode(batch, metadataEntry: entry)
    }

    /// The bytes of a file holding `batch`, as ``encoded()`` writes them, with the header's
    /// metadata given as its JSON text: `"__metadata__":{...}` (keys sorted), or empty for none.
    /// - Throws: ``SafetensorsError/invalidName(_:)`` for an empty or reserved tensor name.
    /// - Complexity: O(*N*) in the total number of elements.
    static func encode(_ batch: Batch, metadataEntry: [UInt8]) throws(SafetensorsError) -> [UInt8] {
        var headerBytes: [UInt8] = [UInt8(ascii: "{")]
        headerBytes.reserveCapacity(metadataEntry.count + 96 * batch.tensors.count + 16)
        headerBytes += metadataEntry
        var first = metadataEntry.isEmpty
        var offset = 0
        for (name, tensor) in zip(batch.names, batch.tensors) {
            guard !name.isEmpty, name != "__metadata__" else { throw .invalidName(name) }
            if !first { headerBytes.append(UInt8(ascii: ",")) }
            first = false
            let size = tensor.count * tensor.dtype.safetensorsItemSize
            _JSONBytes.appendString(Array(name.utf8), to: &headerBytes)
            headerBytes += #":{"dtype":""#.utf8
            headerBytes += tensor.dtype.safetensorsName.utf8
            headerBytes += #"","shape":["#.utf8
            for (index, extent) in tensor.shape.enumerated() {
                if index > 0 { headerBytes.append(UInt8(ascii: ",")) }
                _JSONBytes.appendInteger(extent, to: &headerBytes)
            }
            headerBytes += #"],"data_offsets":["#.utf8
            _JSONBytes.appendInteger(offset, to: &headerBytes)
            headerBytes.append(UInt8(ascii: ","))
            _JSONBytes.appendInteger(offset + size, to: &headerBytes)
            headerBytes += "]}".utf8
            offset += size
        }
        headerBytes.append(UInt8(ascii: "}"))
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        let total = 8 + headerBytes.count + offset
        // One allocation, filled through raw pointers: a tensor is widened or copied in one
        // tight loop (no per-element appends), so encoding runs at memory speed.
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            var cursor = 0
            UInt64(headerBytes.count).littleEndian.storeBytes(into: base, at: &cursor)
            headerBytes.withUnsafeBufferPointer { header in
                if let source = header.baseAddress { (base + cursor).update(from: source, count: header.count) }
            }
            cursor += headerBytes.count
            for tensor in batch.tensors {
                cursor += Self.encodeElements(of: tensor, into: UnsafeMutableRawPointer(base + cursor))
            }
            initialized = cursor
        }
    }

    /// Writes `tensor`'s elements little-endian at `destination` and returns the bytes written
    /// (`count` × the dtype's item size).
    static func encodeElements(of tensor: Tensor, into destination: UnsafeMutableRawPointer) -> Int {
        switch tensor.dtype {
        case .int64:
            tensor.scalars.withUnsafeBufferPointer { source in
                for (index, value) in source.enumerated() {
                    destination.storeBytes(of: Int64(value).littleEndian, toByteOffset: index &* 8, as: Int64.self)
                }
            }
            return tensor.scalars.count * 8
        case .int32:
            tensor.scalars.withUnsafeBufferPointer { source in
                for (index, value) in source.enumerated() {
                    destination.storeBytes(of: value.littleEndian, toByteOffset: index &* 4, as: Int32.self)
                }
            }
            return tensor.scalars.count * 4
        case .float32:
            tensor.floats.withUnsafeBufferPointer { source in
                for (index, value) in source.enumerated() {
                    destination.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index &* 4, as: UInt32.self)
                }
            }
            return tensor.floats.count * 4
        case .bool:
            tensor.scalars.withUnsafeBufferPointer { source in
                for (index, value) in source.enumerated() {
                    destination.storeBytes(of: value != 0 ? 1 : 0, toByteOffset: index, as: UInt8.self)
                }
            }
            return tensor.scalars.count
        }
    }
}

extension UInt64 {
    /// Stores the value's bytes at `base + cursor` and advances `cursor` past them.
    fileprivate func storeBytes(into base: UnsafeMutablePointer<UInt8>, at cursor: inout Int) {
        UnsafeMutableRawPointer(base + cursor).storeBytes(of: self, as: UInt64.self)
        cursor += 8
    }
}
