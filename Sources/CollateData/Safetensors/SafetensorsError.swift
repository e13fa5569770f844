import Collate

/// Why bytes are not a safetensors file Collate can read; each case names the tensor at
/// fault and says what is wrong.
public enum SafetensorsError: Error, Sendable, Hashable {
    /// Fewer than 8 bytes, or fewer than the header length promises.
    case truncated(byteCount: Int, needed: Int)
    /// The header is larger than the limit the safetensors format sets (100 MB).
    case headerTooLarge(length: UInt64)
    /// The header is not a JSON object of tensor entries.
    case invalidHeader(reason: String)
    /// A tensor entry lacks a key or holds a bad value.
    case invalidEntry(tensor: String, reason: String)
    /// A dtype the format knows but Collate's integer tensors cannot hold, or an unknown one.
    case unsupportedDType(tensor: String, dtype: String)
    /// The byte range does not match the shape and dtype.
    case sizeMismatch(tensor: String, shape: [Int], dtype: String, bytes: Int)
    /// The byte range lies outside the data section.
    case offsetsOutOfBounds(tensor: String, begin: Int, end: Int, dataSize: Int)
    /// A tensor's bytes overlap another's, or leave a hole before it.
    case notContiguous(tensor: String, begin: Int, expectedBegin: Int)
    /// The data section has bytes after the last tensor.
    case trailingBytes(dataSize: Int, used: Int)
    /// An I64 value does not fit Collate's 32-bit storage.
    case valueOutOfRange(tensor: String, index: Int, value: Int64)
    /// A tensor name cannot be written (empty, or the reserved `__metadata__`).
    case invalidName(String)
}

extension SafetensorsError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .truncated(count, needed):
            "the file has \(count) bytes but needs at least \(needed); it was cut short (an interrupted write?) — re-export it"
        case let .headerTooLarge(length):
            "the header claims \(length) bytes, more than the 100 MB safetensors allows; this is not a safetensors file"
        case let .invalidHeader(reason):
            "invalid safetensors header: \(reason)"
        case let .invalidEntry(tensor, reason):
            "tensor '\(tensor)': \(reason)"
        case let .unsupportedDType(tensor, dtype):
            "tensor '\(tensor)' has dtype \(dtype); Collate reads I64, I32, F32 and BOOL tensors only — convert it or leave it out"
        case let .sizeMismatch(tensor, shape, dtype, bytes):
            "tensor '\(tensor)': shape \(shape) of \(dtype) needs \(Self.byteCount(shape, itemSize: Tensor.DType(safetensorsName: dtype)?.safetensorsItemSize ?? 4)) bytes but its data_offsets span \(bytes); the header is corrupt"
        case let .offsetsOutOfBounds(tensor, begin, end, size):
            "tensor '\(tensor)': data_offsets [\(begin), \(end)] fall outside the \(size)-byte data section; the file is truncated or corrupt"
        case let .notContiguous(tensor, begin, expected):
            "tensor '\(tensor)' starts at byte \(begin) but the previous tensor ends at \(expected); "
                + (begin < expected ? "tensors overlap" : "the data has a hole") + ", which the safetensors format forbids"
        case let .trailingBytes(size, used):
            "the data section has \(size) bytes but tensors use only \(used); the file is corrupt"
        case let .valueOutOfRange(tensor, index, value):
            "tensor '\(tensor)' element \(index) = \(value) does not fit its dtype (integers must fit in 32 bits, Collate holds token ids as Int32; BOOL bytes must be 0 or 1)"
        case let .invalidName(name):
            "cannot write a tensor named \"\(name)\"; names must be non-empty and not \"__metadata__\""
        }
    }

    /// The bytes a shape needs, in words: a corrupt header's shape can overflow `Int`.
    private static func byteCount(_ shape: [Int], itemSize: Int) -> String {
        var total = itemSize
        for extent in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            if overflow { return "more than \(Int.max)" }
            total = product
        }
        return String(total)
    }
}
