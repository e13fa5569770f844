import Foundation

/// Writes files so that they appear whole or not at all, and stay there after a crash.
public enum AtomicFile {
    /// Why a file could not be written: the path, the step that failed and the system's reason.
    public struct WriteError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
        /// The file being written.
        public var path: String
        /// The step that failed, e.g. `write`, `close`, `rename`.
        public var step: String
        /// The system's reason (`strerror`), e.g. `No space left on device`.
        public var cause: String
        /// The `errno` value.
        public var code: Int32

        /// Creates a write error.
        public init(path: String, step: String, code: Int32) {
            self.path = path
            self.step = step
            self.code = code
            self.cause = String(cString: strerror(code))
        }

        public var description: String {
            let hint: String = switch code {
            case ENOSPC, EDQUOT: "; free some space or write to another disk"
            case EACCES, EPERM, EROFS: "; check the folder's permissions"
            case EISDIR: "; a folder stands where the file goes — remove it"
            case ENOENT: "; check that the folder exists"
            default: ""
            }
            return "cannot write \(path): \(step) failed: \(cause)\(hint)"
        }

        public var errorDescription: String? { description }
    }

    /// Writes `bytes` to a temporary file beside `url`, syncs it, renames it over `url` and
    /// syncs the folder, so the new name survives a power loss as well as a crash.
    ///
    /// The temporary file is opened close-on-exec (a worker started meanwhile does not inherit
    /// it), and a failed `close` counts as a failed write (NFS reports errors there).
    /// - Throws: ``WriteError`` naming the path, the step and the cause (a full disk, a folder
    ///   where the file goes, permissions).
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: url.path, step: "creating a temporary file in its folder", code: errno) }
        var failure: WriteError?
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count, let base = raw.baseAddress {
                let result = Foundation.write(descriptor, base + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = WriteError(path: url.path, step: "write", code: errno)
                    return
                }
                written += result
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = WriteError(path: url.path, step: "fsync", code: errno) }
        if close(descriptor) != 0, failure == nil { failure = WriteError(path: url.path, step: "close", code: errno) }
        if failure == nil, rename(temporary.path, url.path) != 0 { failure = WriteError(path: url.path, step: "rename", code: errno) }
        if let failure {
            unlink(temporary.path)
            throw failure
        }
        try syncDirectory(directory, for: url.path)
    }

    /// Removes the file at `url` if there is one and syncs its folder, so the removal is on disk
    /// before anything that depends on it.
    /// - Throws: ``WriteError`` when it cannot be removed (a folder stands there, permissions).
    public static func remove(_ url: URL) throws {
        if unlink(url.path) != 0 {
            let code = errno
            guard code == ENOENT else { throw WriteError(path: url.path, step: "removing it", code: code) }
            return
        }
        try syncDirectory(url.deletingLastPathComponent(), for: url.path)
    }

    /// `fsync`s a folder: a rename or unlink is durable only once its folder is.
    static func syncDirectory(_ directory: URL, for path: String) throws {
        let descriptor = open(directory.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WriteError(path: path, step: "opening its folder to sync it", code: errno) }
        defer { _ = close(descriptor) }
        // Some file systems cannot sync a folder (EINVAL); the data itself is already synced.
        if fsync(descriptor) != 0, errno != EINVAL, errno != EBADF { throw WriteError(path: path, step: "syncing its folder", code: errno) }
    }
}
