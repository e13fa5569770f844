import Collate
import Foundation

extension SafetensorsFile {
    /// The file's bytes.
    /// - Throws: ``SafetensorsError/invalidName(_:)`` for an empty or reserved tensor name.
    /// - Complexity: O(*N*) in the total number of elements.
    public func encoded() throws(SafetensorsError) -> [UInt8] {
        var entries: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            entries.append(("__metadata__", .object(JSONObject(metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))))
        }
        var offset = 0
        for (name, tensor) in zip(batch.names, batch.tensors) {
            guard !name.isEmpty, name != "__metadata__" else { throw .invalidName(name) }
            let size = tensor.scalars.count * tensor.dtype.safetensorsItemSize
            entries.append((name, .object(JSONObject([
                ("dtype", .string(tensor.dtype.safetensorsName)),
                ("shape", .array(tensor.shape.map { .integer(Int64($0)) })),
                ("data_offsets", .array([.integer(Int64(offset)), .integer(Int64(offset + size))])),
            ]))))
            offset += size
        }
        var header = Array(JSONValue.object(JSONObject(entries)).jsonText.utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for tensor in batch.tensors {
            switch tensor.dtype {
            case .int64:
                for value in tensor.scalars { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
            case .int32:
                for value in tensor.scalars { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
            }
        }
        return bytes
    }

    /// Writes the file atomically: to a temporary file in the same folder, flushed, then renamed
    /// over `url`, so a reader (or a resumed export) never sees a partial file.
    /// - Throws: ``SafetensorsError`` for a bad name; `CocoaError`/`POSIXError` for I/O failures.
    public func write(to url: URL) throws {
        try AtomicFile.write(try encoded(), to: url)
    }

    /// Reads and validates the file at `url`.
    /// - Throws: ``SafetensorsError`` for bad contents; a Foundation error when it cannot be read.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        self = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(SafetensorsError) in
            try SafetensorsFile(decoding: UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count))
        }
    }
}
