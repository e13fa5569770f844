// Internal, not public: CollateData's safetensors file writer declares its own public
// `Tensor.DType.safetensorsName`; one public spelling per member avoids ambiguity for clients.
extension Tensor.DType {
    /// The safetensors dtype string: `I64` or `I32`.
    var _safetensorsName: String {
        switch self {
        case .int64: "I64"
        case .int32: "I32"
        }
    }

    /// Bytes per element in safetensors data.
    var _byteWidth: Int {
        switch self {
        case .int64: 8
        case .int32: 4
        }
    }

    /// The dtype of a safetensors dtype string, or `nil` for one a ``Batch`` cannot hold.
    init?(_safetensorsName name: String) {
        switch name {
        case "I64": self = .int64
        case "I32": self = .int32
        default: return nil
        }
    }
}

extension Batch {
    /// The batch encoded as safetensors bytes, as `safetensors.torch.save` would write it.
    ///
    /// Layout: an 8-byte little-endian header length *n*, *n* bytes of compact JSON header
    /// `{"__metadata__":{...},name:{"dtype","shape","data_offsets":[begin,end]},...}`
    /// padded with spaces so the data starts 8-byte aligned, then each tensor's elements in
    /// little-endian order, in the batch's order (`safetensors` itself orders by dtype, then name; for a batch already in
    /// that order the bytes are identical to Python's). Each tensor is written with its ``Tensor/dtype``
    /// (`I64` for ids, labels and positions, `I32` for `cu_seq_lens_*` and `seq_idx`); 0-d tensors
    /// such as `max_length_q` have shape `[]`.
    ///
    /// ```swift
    /// let bytes = batch.safetensorsBytes(metadata: ["format": "pt"])
    /// let (same, metadata) = try Batch.decodeSafetensors(bytes)   // same == batch
    /// ```
    /// - Parameter metadata: Written as `__metadata__` (keys sorted); omitted when empty.
    /// - Returns: The encoded bytes.
    /// - Complexity: O(*N*) in the number of elements.
    public func safetensorsBytes(metadata: [String: String] = [:]) -> [UInt8] {
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
        for (name, tensor) in zip(names, tensors) {
            if !first { header += "," }
            first = false
            let size = tensor.scalars.count * tensor.dtype._byteWidth
            JSONWriter.writeString(name, into: &header)
            header += ":{\"dtype\":\"\(tensor.dtype._safetensorsName)\",\"shape\":["
            header += tensor.shape.map(String.init).joined(separator: ",")
            header += "],\"data_offsets\":[\(offset),\(offset + size)]}"
            offset += size
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        Self.appendLittleEndian(UInt64(headerBytes.count), to: &out)
        out += headerBytes
        for tensor in tensors {
            switch tensor.dtype {
            case .int64: for value in tensor.scalars { Self.appendLittleEndian(UInt64(bitPattern: Int64(value)), to: &out) }
            case .int32: for value in tensor.scalars { Self.appendLittleEndian(UInt32(bitPattern: value), to: &out) }
            }
        }
        return out
    }

    /// Reads a batch from safetensors bytes, discarding `__metadata__`.
    /// - Throws: ``SafetensorsFormatError`` naming the bad header entry or length.
    /// - Complexity: O(*N*) in the number of bytes.
    public init(safetensors bytes: [UInt8]) throws(SafetensorsFormatError) {
        self = try Self.decodeSafetensors(bytes).batch
    }

    /// Reads a batch and its `__metadata__` from safetensors bytes.
    ///
    /// Validation is strict: the header must be a JSON object; every entry other than
    /// `__metadata__` needs `dtype` (`I64` or `I32`), `shape` (non-negative integers) and
    /// `data_offsets` spanning exactly the bytes the shape needs; the ranges must tile the data
    /// buffer from byte 0 with no hole, overlap or trailing byte; `I64` values must fit `Int32`.
    /// Tensors come back in the order of their data (the order they were written in).
    /// - Returns: The batch and the metadata (empty when absent).
    /// - Throws: ``SafetensorsFormatError``.
    /// - Complexity: O(*N*) in the number of bytes.
    public static func decodeSafetensors(_ bytes: [UInt8]) throws(SafetensorsFormatError) -> (batch: Batch, metadata: [String: String]) {
        guard bytes.count >= 8 else { throw .truncated(byteCount: bytes.count) }
        var headerLength: UInt64 = 0
        for index in 0..<8 { headerLength |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .headerLengthOutOfRange(headerLength, available: bytes.count - 8)
        }
        let dataStart = 8 + Int(headerLength)
        let parsed: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONSyntaxError) in try JSONParser.parse(UnsafeBufferPointer(rebasing: buffer[8..<dataStart])) }
        }
        let header: JSONValue
        do { header = try parsed.get() } catch { throw .headerNotJSON(error.description) }
        guard case .object(let object) = header else { throw .headerNotObject(header.typeName) }

        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: Tensor.DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in object.members {
            if name == "__metadata__" {
                guard case .object(let members) = value else { throw .invalidMetadata(value.preview()) }
                for (key, item) in members.members {
                    guard case .string(let text) = item else { throw .invalidMetadata(value.preview()) }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try entry(name, value))
        }
        // Tile the buffer in data order; a stable sort keeps header order among empty tensors.
        let ordered = entries.enumerated().sorted { ($0.element.begin, $0.offset) < ($1.element.begin, $1.offset) }.map(\.element)
        var expected = 0
        var batch = Batch()
        for item in ordered {
            guard item.begin == expected else { throw .nonContiguous(name: item.name, begin: item.begin, expected: expected) }
            expected = item.end
            guard dataStart + item.end <= bytes.count else {
                throw .dataLengthMismatch(actual: bytes.count - dataStart, expected: item.end)
            }
            let count = item.shape.reduce(1, *)
            var scalars = [Int32]()
            scalars.reserveCapacity(count)
            var position = dataStart + item.begin
            for _ in 0..<count {
                switch item.dtype {
                case .int64:
                    var raw: UInt64 = 0
                    for byte in 0..<8 { raw |= UInt64(bytes[position + byte]) << (8 * UInt64(byte)) }
                    let value = Int64(bitPattern: raw)
                    guard let narrow = Int32(exactly: value) else { throw .valueOutOfRange(name: item.name, value: value) }
                    scalars.append(narrow)
                case .int32:
                    var raw: UInt32 = 0
                    for byte in 0..<4 { raw |= UInt32(bytes[position + byte]) << (8 * UInt32(byte)) }
                    scalars.append(Int32(bitPattern: raw))
                }
                position += item.dtype._byteWidth
            }
            batch[item.name] = Tensor(shape: item.shape, scalars: scalars, dtype: item.dtype)
        }
        guard bytes.count - dataStart == expected else {
            throw .dataLengthMismatch(actual: bytes.count - dataStart, expected: expected)
        }
        return (batch, metadata)
    }

    private static func entry(_ name: String, _ value: JSONValue) throws(SafetensorsFormatError)
        -> (name: String, dtype: Tensor.DType, shape: [Int], begin: Int, end: Int) {
        guard case .object(let fields) = value else { throw .invalidEntry(name: name, reason: "is a \(value.typeName), not an object") }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw .invalidEntry(name: name, reason: "has no string \"dtype\"") }
        guard case .array(let dims)? = fields["shape"] else { throw .invalidEntry(name: name, reason: "has no array \"shape\"") }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2 else {
            throw .invalidEntry(name: name, reason: "has no two-element \"data_offsets\"")
        }
        var shape: [Int] = []
        var count = 1
        for dim in dims {
            guard case .integer(let extent) = dim, extent >= 0, extent < Int64(Int32.max) else {
                throw .invalidEntry(name: name, reason: "shape \(JSONValue.array(dims).preview()) holds \(dim.preview()), not a non-negative integer")
            }
            shape.append(Int(extent))
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(extent))
            guard !overflow, product < Int(Int32.max) else { throw .invalidEntry(name: name, reason: "shape \(shape) has too many elements") }
            count = product
        }
        guard case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1], begin >= 0, end >= begin,
              end < Int64(Int.max / 2) else {
            throw .invalidEntry(name: name, reason: "data_offsets \(JSONValue.array(offsets).preview()) are not integers 0 ≤ begin ≤ end")
        }
        guard let dtype = Tensor.DType(_safetensorsName: dtypeName) else { throw .unsupportedDType(name: name, dtype: dtypeName) }
        let expectedBytes = count * dtype._byteWidth
        guard Int(end - begin) == expectedBytes else {
            throw .sizeMismatch(name: name, offsets: [Int(begin), Int(end)], expectedBytes: expectedBytes)
        }
        return (name, dtype, shape, Int(begin), Int(end))
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        var remaining = value.littleEndian
        withUnsafeBytes(of: &remaining) { out.append(contentsOf: $0) }
    }
}
