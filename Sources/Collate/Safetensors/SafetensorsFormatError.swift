import Foundation

/// Why bytes could not be read as a safetensors batch: the offending value and what to do.
///
/// The codec is strict, as the reference Rust implementation is: a header that is not a JSON
/// object, an entry without `dtype` / `shape` / `data_offsets`, offsets that leave holes or
/// overlap, or a data buffer of the wrong length are all errors, never silently skipped.
public enum SafetensorsFormatError: Error, Sendable, Hashable {
    /// Fewer than the 8 bytes of the header length.
    case truncated(byteCount: Int)
    /// The header length field claims more bytes than there are (or an absurd size).
    case headerLengthOutOfRange(UInt64, available: Int)
    /// The header is not valid JSON.
    case headerNotJSON(String)
    /// The header is JSON but not an object.
    case headerNotObject(String)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(String)
    /// A tensor entry lacks a key or holds one of the wrong type.
    case invalidEntry(name: String, reason: String)
    /// A dtype other than `I64` and `I32`.
    case unsupportedDType(name: String, dtype: String)
    /// `data_offsets` do not span exactly the bytes the shape and dtype need.
    case sizeMismatch(name: String, offsets: [Int], expectedBytes: Int)
    /// The tensors' data ranges leave a hole or overlap (they must tile the buffer from 0).
    case nonContiguous(name: String, begin: Int, expected: Int)
    /// The data buffer is longer or shorter than the tensors' ranges.
    case dataLengthMismatch(actual: Int, expected: Int)
    /// An `I64` element does not fit Collate's `Int32` storage.
    case valueOutOfRange(name: String, value: Int64)
}

extension SafetensorsFormatError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .truncated(count):
            "safetensors data has \(count) bytes, fewer than the 8-byte header length; the frame or file is truncated"
        case let .headerLengthOutOfRange(length, available):
            "safetensors header length \(length) exceeds the \(available) bytes after it; the data is truncated or not safetensors"
        case let .headerNotJSON(reason):
            "safetensors header is not valid JSON (\(reason)); the data is not safetensors or is corrupted"
        case let .headerNotObject(type):
            "safetensors header is a JSON \(type), not an object of tensor entries; the data is not safetensors"
        case let .invalidMetadata(preview):
            "safetensors __metadata__ must be an object of strings, got \(preview); write string values only"
        case let .invalidEntry(name, reason):
            "safetensors entry '\(name)': \(reason); each entry needs \"dtype\", \"shape\" (non-negative integers) and \"data_offsets\" [begin, end]"
        case let .unsupportedDType(name, dtype):
            "safetensors tensor '\(name)' has dtype \(dtype); a Batch holds integer tensors only (I64 or I32) — convert it before writing"
        case let .sizeMismatch(name, offsets, expected):
            "safetensors tensor '\(name)' has data_offsets \(offsets) but its shape and dtype need \(expected) bytes; the header is inconsistent"
        case let .nonContiguous(name, begin, expected):
            "safetensors tensor '\(name)' starts at byte \(begin) of the data but the previous tensor ends at \(expected); ranges must tile the buffer without holes or overlaps"
        case let .dataLengthMismatch(actual, expected):
            "safetensors data buffer has \(actual) bytes but the tensors span \(expected); the data is truncated or has trailing bytes"
        case let .valueOutOfRange(name, value):
            "safetensors tensor '\(name)' holds \(value), outside Int32 — token ids and positions must fit 32 bits"
        }
    }
}

extension SafetensorsFormatError: LocalizedError {
    public var errorDescription: String? { description }
}
