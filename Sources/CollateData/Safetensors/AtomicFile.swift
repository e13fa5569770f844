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
        /// What is wrong when no system call failed (the target is not a regular file).
        public var detail: String?

        /// Creates a write error.
        public init(path: String, step: String, code: Int32, detail: String? = nil) {
            self.path = path
            self.step = step
            self.code = code
            self.cause = String(cString: strerror(code))
            self.detail = detail
        }

        public var description: String {
            if let detail { return "cannot write \(path): \(detail)" }
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
        let temporary = try writeTemporary(bytes, for: url, sync: true)
        // Registered until renamed: a stop signal (``removeTemporariesOnSignals()``) removes it.
        defer { _PendingTemporaries.remove(temporary.path) }
        if rename(temporary.path, url.path) != 0 {
            let failure = WriteError(path: url.path, step: "rename", code: errno)
            unlink(temporary.path)
            throw failure
        }
        try syncDirectory(url.deletingLastPathComponent(), for: url.path)
    }

    /// Writes `bytes` to a new temporary file beside `url` (`.NAME.UUID.tmp`) and closes it,
    /// `fsync`ing it first when `sync` is set; the file is removed again when a step fails.
    ///
    /// The temporary is created registered with the stop-signal cleanup
    /// (``removeTemporariesOnSignals()``): a SIGTERM while it is written or synced (an export's
    /// `index.json`: megabytes, one `fsync`) removes it. The caller unregisters it
    /// (`_PendingTemporaries.remove`) once it is renamed or removed.
    /// - Returns: The temporary file.
    /// - Throws: ``WriteError`` naming `url`, the step and the cause.
    static func writeTemporary(_ bytes: [UInt8], for url: URL, sync: Bool) throws -> URL {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let (descriptor, code) = _PendingTemporaries.create(temporary.path)
        guard descriptor >= 0 else {
            if code == EINTR, _PendingTemporaries.stopping.load(ordering: .sequentiallyConsistent) {
                throw WriteError(path: url.path, step: "write", code: EINTR, detail: "the process is stopping on a signal")
            }
            throw WriteError(path: url.path, step: "creating a temporary file in its folder", code: code)
        }
        do {
            try bytes.withUnsafeBytes { raw in try writeNew(raw, at: temporary.path, for: url.path, sync: sync, opened: descriptor) }
        } catch {
            _PendingTemporaries.remove(temporary.path)
            throw error
        }
        return temporary
    }

    /// Files at least this large are preallocated (`posix_fallocate`) before their one write,
    /// so the file system reserves their extent at once; smaller ones are not worth the call.
    static let preallocationThreshold = 1 << 20

    /// Creates the file `path` (which must not exist: `O_EXCL`, close-on-exec), writes `bytes`
    /// with one `write` (more only if the kernel takes part), `fsync`s it when `sync` is set
    /// and closes it; the file is removed again when a step fails.
    /// - Parameter opened: The file's descriptor when the caller already created it.
    /// - Throws: ``WriteError`` naming `target`, the step and the cause.
    static func writeNew(_ raw: UnsafeRawBufferPointer, at path: String, for target: String, sync: Bool, opened: Int32? = nil) throws {
        let descriptor = opened ?? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: target, step: "creating a temporary file in its folder", code: errno) }
        var failure = writeAll(raw, to: descriptor, for: target)
        if sync, failure == nil, fsync(descriptor) != 0 { failure = WriteError(path: target, step: "fsync", code: errno) }
        if close(descriptor) != 0, failure == nil { failure = WriteError(path: target, step: "close", code: errno) }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Files written now and made durable together: one flush of the file system for the whole
    /// group instead of two `fsync`s per file.
    ///
    /// ``write(_:to:)`` puts each file in a temporary beside its target; ``commit()`` makes
    /// every temporary's data durable (Linux `syncfs`, else an `fsync` per file), renames each
    /// over its target and syncs their folders. So a target name only ever holds a complete,
    /// durable file, as with ``AtomicFile/write(_:to:)``; a crash before the commit leaves only
    /// temporaries (named `.NAME.UUID.tmp`), which the next run removes.
    ///
    /// ```swift
    /// var group = AtomicFile.Group()
    /// for (bytes, url) in files {
    ///     try group.write(bytes, to: url)
    ///     if group.bytes >= 128 << 20 { try group.commit() }
    /// }
    /// try group.commit()
    /// ```
    public struct Group {
        /// Each temporary, its target's path and folder. Paths, not URLs: a URL's `path` costs microseconds.
        private var pending: [(temporary: String, target: String, folder: String)] = []
        /// Names this group's temporaries apart from another process's (`.NAME.TOKEN-N.tmp`)
        /// without a UUID per file.
        private let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        private var serial = 0
        /// Bytes written since the last commit.
        public private(set) var bytes = 0
        /// Files written since the last commit.
        public var count: Int { pending.count }

        /// Creates an empty group.
        public init() {}

        /// Writes `bytes` to a temporary file beside `url` — one `open`, one `write`, one
        /// `close` — and the file takes its name at ``commit()``.
        /// - Throws: ``WriteError`` naming the path and the cause (a full disk).
        public mutating func write(_ bytes: [UInt8], to url: URL) throws {
            try write(bytes, folder: url.deletingLastPathComponent().path, name: url.lastPathComponent)
        }

        /// Writes `bytes` to a temporary file in `folder` that takes the name `name` at
        /// ``commit()``, as ``write(_:to:)``.
        mutating func write(_ bytes: [UInt8], folder: String, name: String) throws {
            serial += 1
            let temporary = folder + "/." + name + "." + token + "-" + String(serial) + ".tmp"
            let target = folder + "/" + name
            // Created and registered under one lock, so a signal's cleanup
            // (``AtomicFile/removeTemporariesOnSignals()``) cannot miss it.
            let (descriptor, code) = _PendingTemporaries.create(temporary)
            guard descriptor >= 0 else {
                if code == EINTR, _PendingTemporaries.stopping.load(ordering: .sequentiallyConsistent) {
                    throw WriteError(path: temporary, step: "write", code: EINTR, detail: "the process is stopping on a signal")
                }
                throw WriteError(path: target, step: "creating a temporary file in its folder", code: code)
            }
            do {
                try bytes.withUnsafeBytes { raw in try AtomicFile.writeNew(raw, at: temporary, for: target, sync: false, opened: descriptor) }
            } catch {
                _PendingTemporaries.remove(temporary)
                throw error
            }
            pending.append((temporary, target, folder))
            self.bytes += bytes.count
        }

        /// Makes the written files durable, then gives each its name, durably.
        /// - Throws: ``WriteError`` naming the path, the step and the cause; the temporaries
        ///   not yet renamed are removed.
        public mutating func commit() throws {
            guard !pending.isEmpty else { return }
            defer { discard() }
            var folders: [String] = [], seen: Set<String> = []
            for entry in pending where folders.last != entry.folder && seen.insert(entry.folder).inserted { folders.append(entry.folder) }
            try AtomicFile.syncData(of: pending.map(\.temporary), in: folders.map { URL(fileURLWithPath: $0, isDirectory: true) })
            for (temporary, target, _) in pending {
                if rename(temporary, target) != 0 { throw WriteError(path: target, step: "rename", code: errno) }
                _PendingTemporaries.remove(temporary)
            }
            pending.removeAll()
            for folder in folders { try AtomicFile.syncDirectory(URL(fileURLWithPath: folder, isDirectory: true), for: folder) }
        }

        /// Removes the temporaries not yet committed.
        public mutating func discard() {
            for (temporary, _, _) in pending {
                unlink(temporary)
                _PendingTemporaries.remove(temporary)
            }
            pending.removeAll()
            bytes = 0
        }
    }

    /// `syncfs(2)`, looked up at run time (Glibc's module does not declare it); `nil` elsewhere.
    static let syncFileSystem: (@convention(c) (Int32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Makes the data of `files` (all inside `folders`) durable: on Linux one `syncfs` per file
    /// system, through each folder's descriptor, without opening the files; elsewhere, or
    /// where `syncfs` fails, an `fsync` per file.
    /// - Throws: ``WriteError`` naming the file and the cause.
    static func syncData(of files: [String], in folders: [URL]) throws {
        if let syncFileSystem {
            var synced: Set<UInt64> = []
            var complete = true
            for folder in folders {
                let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard descriptor >= 0 else { complete = false; break }
                defer { _ = close(descriptor) }
                var status = stat()
                guard fstat(descriptor, &status) == 0 else { complete = false; break }
                let device = UInt64(status.st_dev)
                if synced.contains(device) { continue }
                guard syncFileSystem(descriptor) == 0 else { complete = false; break }
                synced.insert(device)
            }
            if complete { return }
        }
        for file in files {
            let descriptor = open(file, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw WriteError(path: file, step: "opening it to sync it", code: errno) }
            defer { _ = close(descriptor) }
            if fsync(descriptor) != 0 { throw WriteError(path: file, step: "fsync", code: errno) }
        }
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

    /// Writes `bytes` to the file a user named, as ``write(_:to:)`` does, but through symbolic
    /// links and never over anything that is not a regular file.
    ///
    /// A rename replaces whatever has the name: a symlink would become a file (and the file it
    /// pointed to stay old), a device node or a FIFO would be replaced by a regular file. So
    /// the links are followed to the file they name, which is then replaced atomically; a
    /// target that exists and is not a regular file (a device, a FIFO, a folder) is refused.
    /// - Returns: The path written (the link's target for a link).
    /// - Throws: ``WriteError`` naming the path and why.
    @discardableResult
    public static func writeThroughLinks(_ bytes: [UInt8], to url: URL) throws -> URL {
        var path = url.path
        for _ in 0..<40 {
            var status = stat()
            guard lstat(path, &status) == 0 else {
                let code = errno
                guard code == ENOENT else { throw WriteError(path: path, step: "checking the target", code: code) }
                break  // a new file (or a link to one not made yet)
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                try write(bytes, to: URL(fileURLWithPath: path))
                return URL(fileURLWithPath: path)
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(path, &buffer, buffer.count - 1)
                guard count >= 0 else { throw WriteError(path: path, step: "reading the link", code: errno) }
                let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                path = target.hasPrefix("/") ? target : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(target).path
                continue
            default:
                throw WriteError(path: path, step: "checking the target", code: EINVAL,
                                 detail: "it is \(kindName(status.st_mode)), not a regular file; give the path of a file to write")
            }
        }
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
            throw WriteError(path: url.path, step: "following links", code: ELOOP)
        }
        try write(bytes, to: URL(fileURLWithPath: path))
        return URL(fileURLWithPath: path)
    }

    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
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
