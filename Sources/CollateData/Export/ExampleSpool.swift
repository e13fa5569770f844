import Collate
import Foundation

/// Examples kept on disk instead of in memory: appended once in dataset order, then read back
/// by index, in any order, as batches need them.
///
/// The examples go to a temporary file that is unlinked as soon as it is opened, so it never
/// shows in a folder and disappears with the process (even one killed with SIGKILL). In memory
/// stay only an offset, a line number, an `input_ids` length and a hash per example — 28 bytes each —
/// plus a write buffer of a few megabytes: a dataset of any size is exported, packed and
/// shuffled in memory bounded by its batches, not by the dataset.
///
/// ```swift
/// let spool = try ExampleSpool(directory: outputFolder)
/// try spool.append(example, line: 12)
/// try spool.finishWriting()
/// let batch = try spool.examples([3, 0, 7])
/// ```
public final class ExampleSpool: @unchecked Sendable {
    // @unchecked: the descriptor and buffers are used from one thread at a time (an export is
    // sequential); the class is a reference only so the descriptor closes once.

    /// The open, already unlinked, temporary file.
    private let descriptor: Int32
    /// The path the file had, for error messages.
    private let path: String
    /// Where each example starts in the file; one more entry than examples (the end).
    private var offsets: [Int] = [0]
    /// Each example's 1-based line in the dataset file.
    public private(set) var lines: [Int] = []
    /// Each example's `input_ids` length, or -1 when it has no `input_ids` sequence.
    public private(set) var lengths: [Int32] = []
    /// Each example's XXH64 over its bytes in the spool, taken as it is appended (the bytes are
    /// in memory then): the export's fingerprint combines these instead of reading every
    /// example back.
    private(set) var hashes: [UInt64] = []
    /// Bytes already in the file.
    private var flushed = 0
    /// Encoded examples not yet written.
    private var pending: [UInt8] = []
    /// The field names read so far, with their UTF-8 bytes, so decoding does not make a new
    /// string (or array) per field: datasets name the same few fields on every line.
    private var knownNames: [(bytes: [UInt8], name: String)] = []

    /// How many bytes are buffered before a write.
    static let flushThreshold = 4 << 20

    /// Opens a new spool in `directory` (the file is unlinked at once).
    /// - Parameter directory: A folder on a disk with room for the examples in binary (about
    ///   4 bytes a token).
    /// - Throws: ``AtomicFile/WriteError`` naming the path when the file cannot be made.
    public init(directory: URL) throws {
        let url = directory.appendingPathComponent(".collate-spool-\(UUID().uuidString).tmp")
        path = url.path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AtomicFile.WriteError(path: path, step: "creating a temporary example file", code: errno) }
        _ = unlink(path)
        pending.reserveCapacity(Self.flushThreshold + (1 << 16))
    }

    deinit { _ = close(descriptor) }

    /// The number of examples appended.
    public var count: Int { lines.count }

    /// Appends an example.
    /// - Parameters:
    ///   - example: The example.
    ///   - line: Its 1-based line in the dataset file.
    /// - Throws: ``AtomicFile/WriteError`` when the disk is full.
    public func append(_ example: Example, line: Int) throws {
        lines.append(line)
        lengths.append(example.sequence("input_ids").map { Int32(clamping: $0.count) } ?? -1)
        let before = pending.count
        Self.encode(example, into: &pending)
        let after = pending.count
        hashes.append(pending.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[before..<after])) })
        offsets.append((offsets.last ?? 0) + after - before)
        if pending.count >= Self.flushThreshold { try flush() }
    }

    /// Writes what is buffered; call once every example is appended, before reading.
    /// - Throws: ``AtomicFile/WriteError`` when the disk is full.
    public func finishWriting() throws {
        try flush()
        pending = []
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        let start = flushed
        try pending.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count, let base = raw.baseAddress {
                let result = pwrite(descriptor, base + done, raw.count - done, off_t(start + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.WriteError(path: path, step: "write", code: errno)
                }
                done += result
            }
        }
        flushed += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads example `index` back.
    /// - Throws: ``AtomicFile/WriteError`` (step `read`) when the file cannot be read.
    public func example(_ index: Int) throws -> Example {
        try examples(index..<index + 1)[0]
    }

    /// Reads examples back, in the order given.
    /// - Throws: ``AtomicFile/WriteError`` (step `read`) when the file cannot be read.
    /// - Complexity: one `pread` per run of consecutive indices.
    public func examples(_ indices: some Collection<Int>) throws -> [Example] {
        var result: [Example] = []
        result.reserveCapacity(indices.count)
        var buffer: [UInt8] = []
        var position = indices.startIndex
        while position != indices.endIndex {
            // One read for a run of consecutive examples (the usual case without shuffling).
            let first = indices[position]
            var last = first
            var next = indices.index(after: position)
            while next != indices.endIndex, indices[next] == last + 1 {
                last += 1
                next = indices.index(after: next)
            }
            let begin = offsets[first], end = offsets[last + 1]
            if buffer.count < end - begin { buffer = [UInt8](repeating: 0, count: end - begin) }
            try buffer.withUnsafeMutableBytes { raw in
                var done = 0
                while done < end - begin, let base = raw.baseAddress {
                    let result = pread(descriptor, base + done, end - begin - done, off_t(begin + done))
                    if result < 0, errno == EINTR { continue }
                    guard result > 0 else { throw AtomicFile.WriteError(path: path, step: "read", code: result < 0 ? errno : EIO) }
                    done += result
                }
            }
            buffer.withUnsafeBytes { raw in
                for index in first...last {
                    var cursor = offsets[index] - begin
                    result.append(decode(raw, at: &cursor))
                }
            }
            position = next
        }
        return result
    }

    // MARK: - Encoding

    /// Field kinds on disk.
    private enum Kind: UInt8 { case sequence = 1, scalar, float, bool, null }

    static func encode(_ example: Example, into bytes: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        put(UInt32(example.names.count))
        for (name, value) in zip(example.names, example.values) {
            put(UInt32(name.utf8.count))
            bytes.append(contentsOf: name.utf8)
            switch value {
            case .sequence(let tokens):
                bytes.append(Kind.sequence.rawValue)
                put(UInt32(tokens.count))
                tokens.withUnsafeBytes { bytes.append(contentsOf: $0) }
            case .scalar(let scalar):
                bytes.append(Kind.scalar.rawValue)
                put(scalar)
            case .float(let float):
                bytes.append(Kind.float.rawValue)
                put(float.bitPattern)
            case .bool(let flag):
                bytes.append(Kind.bool.rawValue)
                bytes.append(flag ? 1 : 0)
            case .null:
                bytes.append(Kind.null.rawValue)
            }
        }
    }

    private func decode(_ raw: UnsafeRawBufferPointer, at cursor: inout Int) -> Example {
        func take<T: FixedWidthInteger>(_: T.Type) -> T {
            defer { cursor += MemoryLayout<T>.size }
            return raw.loadUnaligned(fromByteOffset: cursor, as: T.self)
        }
        let fields = Int(take(UInt32.self))
        var names: [String] = [], values: [Example.Value] = []
        names.reserveCapacity(fields)
        values.reserveCapacity(fields)
        for _ in 0..<fields {
            let length = Int(take(UInt32.self))
            let nameBytes = UnsafeRawBufferPointer(rebasing: raw[cursor..<cursor + length])
            cursor += length
            let name: String
            if let known = knownNames.first(where: { $0.bytes.elementsEqual(nameBytes) }) {
                name = known.name
            } else {
                name = String(decoding: nameBytes, as: UTF8.self)
                if knownNames.count < 64 { knownNames.append(([UInt8](nameBytes), name)) }
            }
            names.append(name)
            let kind = Kind(rawValue: take(UInt8.self)) ?? .null
            switch kind {
            case .sequence:
                let count = Int(take(UInt32.self))
                let tokens = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                    if let base = buffer.baseAddress, let source = raw.baseAddress, count > 0 {
                        UnsafeMutableRawPointer(base).copyMemory(from: source + cursor, byteCount: count * 4)
                    }
                    initialized = count
                }
                cursor += count * 4
                values.append(.sequence(tokens))
            case .scalar: values.append(.scalar(take(Int32.self)))
            case .float: values.append(.float(Float(bitPattern: take(UInt32.self))))
            case .bool: values.append(.bool(take(UInt8.self) != 0))
            case .null: values.append(.null)
            }
        }
        // Linear in the fields (a line may have 50,000); the names are an example's, so distinct.
        return Example(names: names, values: values)
    }
}
