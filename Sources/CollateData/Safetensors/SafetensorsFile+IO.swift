import Collate
import Foundation

extension SafetensorsFile {
    /// Writes the file atomically: to a temporary file in the same folder, flushed, then renamed
    /// over `url`, so a reader (or a resumed export) never sees a partial file.
    /// - Throws: ``SafetensorsError`` for a bad name; ``AtomicFile/WriteError`` naming the path
    ///   and the cause for I/O failures (a full disk, a folder where the file goes).
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
