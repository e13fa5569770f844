import Collate
import Foundation

/// Reads a JSON Lines file line by line without loading it whole.
///
/// Lines end with `\n`; a trailing `\r` (CRLF files) and a UTF-8 byte-order mark at the start
/// of the file are dropped; blank lines are skipped (as HF `datasets` does) but still counted,
/// so line numbers in errors match an editor's.
public struct JSONLinesReader: Sendable {
    /// The file's URL.
    public let url: URL
    /// Size of each read from disk.
    public var chunkSize = 1 << 20

    /// Creates a reader for the file at `url`.
    public init(url: URL) {
        self.url = url
    }

    /// Calls `body` with each non-blank line's 1-based number and bytes (valid only during the call).
    /// - Throws: ``InputError`` when the file cannot be read; whatever `body` throws.
    public func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw InputError(file: url.path, line: nil, reason: "cannot open the file; check the path and permissions")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var lineNumber = 0
        var atFileStart = true

        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            var slice = line[...]
            if atFileStart {
                atFileStart = false
                if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
            }
            if slice.last == 0x0D { slice = slice.dropLast() }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            try body(lineNumber, UnsafeBufferPointer(rebasing: slice))
        }

        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw InputError(file: url.path, line: lineNumber + 1, reason: "read failed: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let bytes = raw.bindMemory(to: UInt8.self)
                var start = 0
                while let newline = bytes[start...].firstIndex(of: 0x0A) {
                    if pending.isEmpty {
                        try emit(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
                    } else {
                        pending.append(contentsOf: bytes[start..<newline])
                        try pending.withUnsafeBufferPointer { try emit($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = newline + 1
                }
                pending.append(contentsOf: bytes[start...])
            }
        }
        if !pending.isEmpty {
            try pending.withUnsafeBufferPointer { try emit($0) }
        }
    }
}
