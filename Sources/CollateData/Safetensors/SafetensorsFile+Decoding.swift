import Collate

extension SafetensorsFile {
    /// Reads and strictly validates a safetensors file's bytes.
    ///
    /// Checks: the header length fits the file and the format's limit; the header is a JSON
    /// object starting with `{`; every entry has exactly `dtype`, `shape` and `data_offsets`;
    /// the dtype is `I64` or `I32`; the shape's byte size equals the offsets' span; the tensors
    /// cover the data section back to back, with no overlap, hole or trailing bytes; `I64`
    /// values fit in 32 bits. Tensors come back in data order.
    /// - Throws: ``SafetensorsError`` naming the tensor at fault.
    /// - Complexity: O(*N*) in the file size, plus O(*t* log *t*) to order *t* tensors.
    public init(decoding bytes: UnsafeBufferPointer<UInt8>) throws(SafetensorsError) {
        guard bytes.count >= 8 else { throw .truncated(byteCount: bytes.count, needed: 8) }
        var length: UInt64 = 0
        for index in 0..<8 { length |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        guard length <= Self.maximumHeaderLength else { throw .headerTooLarge(length: length) }
        guard length <= UInt64(bytes.count - 8) else { throw .truncated(byteCount: bytes.count, needed: 8 + Int(length)) }
        let headerBytes = UnsafeBufferPointer(rebasing: bytes[8 ..< 8 + Int(length)])
        guard headerBytes.first == UInt8(ascii: "{") else { throw .invalidHeader(reason: "it must start with '{'") }
        let header: JSONValue
        do {
            header = try JSONParser.parse(headerBytes)
        } catch {
            throw .invalidHeader(reason: error.description)
        }
        guard case .object(let object) = header else { throw .invalidHeader(reason: "it must be a JSON object") }

        let data = UnsafeBufferPointer(rebasing: bytes[(8 + Int(length))...])
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: Tensor.DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in object.members {
            if name == "__metadata__" {
                guard case .object(let members) = value else { throw .invalidHeader(reason: "__metadata__ must be an object of strings") }
                for (key, item) in members.members {
                    guard case .string(let text) = item else {
                        throw .invalidHeader(reason: "__metadata__ value for \"\(key)\" must be a string, found \(item.typeName)")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try Self.entry(name, value, dataSize: data.count))
        }
        entries.sort { $0.begin != $1.begin ? $0.begin < $1.begin : $0.end < $1.end }
        var expected = 0
        for entry in entries {
            guard entry.begin == expected else { throw .notContiguous(tensor: entry.name, begin: entry.begin, expectedBegin: expected) }
            expected = entry.end
        }
        guard expected == data.count else { throw .trailingBytes(dataSize: data.count, used: expected) }

        var batch = Batch()
        for entry in entries {
            let count = entry.shape.reduce(1, *)
            var scalars = [Int32]()
            scalars.reserveCapacity(count)
            let raw = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(data)[entry.begin ..< entry.end])
            switch entry.dtype {
            case .int64:
                for index in 0..<count {
                    let value = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                    guard let narrowed = Int32(exactly: value) else { throw .valueOutOfRange(tensor: entry.name, index: index, value: value) }
                    scalars.append(narrowed)
                }
            case .int32:
                for index in 0..<count {
                    scalars.append(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                }
            case .float32:
                var floats = [Float]()
                floats.reserveCapacity(count)
                for index in 0..<count {
                    floats.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))))
                }
                batch[entry.name] = Tensor(shape: entry.shape, floats: floats)
                continue
            case .bool:
                for index in 0..<count {
                    let byte = raw[index]
                    guard byte <= 1 else { throw .valueOutOfRange(tensor: entry.name, index: index, value: Int64(byte)) }
                    scalars.append(Int32(byte))
                }
            }
            batch._appendNew(entry.name, Tensor(shape: entry.shape, scalars: scalars, dtype: entry.dtype))  // names are distinct JSON keys
        }
        self.init(batch: batch, metadata: metadata)
    }

    /// Reads and validates a safetensors file's bytes.
    /// - Throws: ``SafetensorsError`` naming the tensor at fault.
    public init(decoding bytes: [UInt8]) throws(SafetensorsError) {
        self = try bytes.withUnsafeBufferPointer { (buffer) throws(SafetensorsError) in try SafetensorsFile(decoding: buffer) }
    }

    private static func entry(_ name: String, _ value: JSONValue, dataSize: Int) throws(SafetensorsError)
        -> (name: String, dtype: Tensor.DType, shape: [Int], begin: Int, end: Int)
    {
        guard case .object(let fields) = value else {
            throw .invalidEntry(tensor: name, reason: "its entry must be an object with dtype, shape and data_offsets, found \(value.typeName)")
        }
        if let extra = fields.keys.first(where: { !["dtype", "shape", "data_offsets"].contains($0) }) {
            throw .invalidEntry(tensor: name, reason: "unexpected key \"\(extra)\"; an entry holds only dtype, shape and data_offsets")
        }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw .invalidEntry(tensor: name, reason: "missing string \"dtype\"") }
        guard let dtype = Tensor.DType(safetensorsName: dtypeName) else { throw .unsupportedDType(tensor: name, dtype: dtypeName) }
        guard case .array(let dims)? = fields["shape"] else { throw .invalidEntry(tensor: name, reason: "missing array \"shape\"") }
        var shape: [Int] = []
        var elements = 1
        for dim in dims {
            guard case .integer(let extent) = dim, extent >= 0, extent <= Int64(Int32.max) else {
                throw .invalidEntry(tensor: name, reason: "shape entries must be non-negative integers, found \(dim.preview())")
            }
            shape.append(Int(extent))
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(extent))
            guard !overflow, product <= dataSize else {
                throw .sizeMismatch(tensor: name, shape: shape, dtype: dtypeName, bytes: dataSize)
            }
            elements = product
        }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2,
              case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1] else {
            throw .invalidEntry(tensor: name, reason: "\"data_offsets\" must be [begin, end] integers")
        }
        guard begin >= 0, end >= begin, end <= Int64(dataSize) else {
            throw .offsetsOutOfBounds(tensor: name, begin: Int(clamping: begin), end: Int(clamping: end), dataSize: dataSize)
        }
        guard Int(end - begin) == elements * dtype.safetensorsItemSize else {
            throw .sizeMismatch(tensor: name, shape: shape, dtype: dtypeName, bytes: Int(end - begin))
        }
        return (name, dtype, shape, Int(begin), Int(end))
    }
}
