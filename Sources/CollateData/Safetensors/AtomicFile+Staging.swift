import Foundation

extension AtomicFile {
    /// Folders filled under hidden names that take their names at the end, all at once: one
    /// `rename` per folder instead of one per file.
    ///
    /// ```
    ///   OUT/.rank-00000.TOKEN.tmp/batch-000000.safetensors   written (and patched) under the hidden folder
    ///   OUT/.rank-00001.TOKEN.tmp/...
    ///        commit: syncfs ─► rename each hidden folder to its name ─► fsync OUT
    ///   OUT/rank-00000/batch-000000.safetensors              a name only ever holds a complete, durable file
    /// ```
    ///
    /// Each file is created with its final name inside its hidden folder (`openat` through the
    /// folder's descriptor: no path walk, no per-file temporary name), so a folder's name only
    /// ever holds complete, durable files, as ``AtomicFile/Group`` guarantees per file. A stop
    /// signal (``AtomicFile/removeTemporariesOnSignals()``) removes the hidden folders with what
    /// they hold; a SIGKILL leaves them, and ``removeStale(in:)`` clears them on the next run.
    ///
    /// The final folders must not exist or be empty (a `rename` replaces an empty folder).
    final class StagedFolders: @unchecked Sendable {
        // @unchecked: `descriptors` and `committed` change only in `commit` and `discard`,
        // which the owner calls once every writer is done; `create` and `patch` only read them.

        /// The folder that holds the staged folders and, at the end, the final ones.
        let parent: String
        /// Each folder's final path.
        let targets: [String]
        /// Each hidden folder's path (`PARENT/.NAME.TOKEN.tmp`).
        let staged: [String]
        /// Each hidden folder's descriptor (`O_DIRECTORY`), or -1 once it is closed.
        private var descriptors: [Int32]
        /// Folders renamed to their final names so far.
        private var committed = 0

        /// Makes a hidden folder for each of `names` in `parent`, registered with the stop-signal cleanup.
        /// - Parameters:
        ///   - parent: The folder the final folders go in (it must exist).
        ///   - names: The final folders' names.
        /// - Throws: ``WriteError`` naming the folder that could not be made (permissions, a full
        ///   disk, a process stopping on a signal); the folders made so far are removed.
        init(in parent: String, names: [String]) throws {
            self.parent = parent
            let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            targets = names.map { parent + "/" + $0 }
            staged = names.map { parent + "/." + $0 + "." + token + ".tmp" }
            descriptors = []
            descriptors.reserveCapacity(names.count)
            for (path, target) in zip(staged, targets) {
                let (descriptor, code) = _PendingTemporaries.makeFolder(path)
                guard descriptor >= 0 else {
                    discard()
                    if code == EINTR { throw WriteError(path: target, step: "making its folder", code: EINTR, detail: "the process is stopping on a signal") }
                    throw WriteError(path: target, step: "making a hidden folder beside it", code: code)
                }
                descriptors.append(descriptor)
            }
        }

        /// Creates the file `name` in hidden folder `folder`, writes `bytes` (one `write`) and
        /// closes it; the file is removed again when a step fails. Safe to call from several
        /// threads at once.
        /// - Throws: ``WriteError`` naming the file's final path.
        func write(_ bytes: UnsafeRawBufferPointer, name: String, inFolder folder: Int) throws {
            let (descriptor, code) = _PendingTemporaries.create(name, in: descriptors[folder])
            guard descriptor >= 0 else {
                let target = targets[folder] + "/" + name
                if code == EINTR { throw WriteError(path: target, step: "write", code: EINTR, detail: "the process is stopping on a signal") }
                throw WriteError(path: target, step: "creating it in a hidden folder", code: code)
            }
            var failure = AtomicFile.writeAll(bytes, to: descriptor, for: targets[folder] + "/" + name)
            if close(descriptor) != 0, failure == nil { failure = WriteError(path: targets[folder] + "/" + name, step: "close", code: errno) }
            if let failure {
                unlinkat(descriptors[folder], name, 0)
                throw failure
            }
        }

        /// Writes `replacement` at `offset` of the file `name` in hidden folder `folder` (one
        /// `openat`, `pwrite`, `close`); safe to call from several threads at once.
        /// - Throws: ``WriteError`` naming the file's final path.
        func patch(_ name: String, inFolder folder: Int, at offset: Int, with replacement: [UInt8]) throws {
            let descriptor = openat(descriptors[folder], name, O_WRONLY | O_CLOEXEC)
            let target = targets[folder] + "/" + name
            guard descriptor >= 0 else { throw WriteError(path: target, step: "opening it to complete it", code: errno) }
            var failure = replacement.withUnsafeBytes { AtomicFile.writeAll($0, to: descriptor, at: offset, for: target) }
            if close(descriptor) != 0, failure == nil { failure = WriteError(path: target, step: "close", code: errno) }
            if let failure { throw failure }
        }

        /// Makes every file durable (one `syncfs`; else an `fsync` per file and folder), gives
        /// each hidden folder its final name and syncs the parent, so the names survive a power loss.
        /// - Throws: ``WriteError`` naming the folder, the step and the cause (a final folder
        ///   that holds files: `rename` refuses it); the hidden folders not yet renamed are removed.
        func commit() throws {
            do {
                try syncAll()
                while committed < staged.count {
                    if rename(staged[committed], targets[committed]) != 0 {
                        let code = errno
                        let detail = code == ENOTEMPTY || code == EEXIST
                            ? "a folder of that name holds files; remove them or export to a new folder" : nil
                        throw WriteError(path: targets[committed], step: "rename", code: code, detail: detail)
                    }
                    _PendingTemporaries.removeFolder(staged[committed])
                    committed += 1
                }
                try AtomicFile.syncDirectory(URL(fileURLWithPath: parent, isDirectory: true), for: parent)
            } catch {
                discard()
                throw error
            }
            closeDescriptors()
        }

        /// The files' data and the hidden folders' entries made durable.
        private func syncAll() throws {
            if let syncFileSystem, let descriptor = descriptors.first, syncFileSystem(descriptor) == 0 { return }
            for (index, descriptor) in descriptors.enumerated() {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: staged[index])) ?? [] {
                    let file = openat(descriptor, name, O_RDONLY | O_CLOEXEC)
                    guard file >= 0 else { throw WriteError(path: targets[index] + "/" + name, step: "opening it to sync it", code: errno) }
                    defer { _ = close(file) }
                    if fsync(file) != 0 { throw WriteError(path: targets[index] + "/" + name, step: "fsync", code: errno) }
                }
                if fsync(descriptor) != 0, errno != EINVAL, errno != EBADF {
                    throw WriteError(path: targets[index], step: "syncing its folder", code: errno)
                }
            }
        }

        /// Removes the hidden folders not yet renamed, with the files they hold.
        func discard() {
            for index in committed..<staged.count {
                Self.removeFolder(staged[index])
                _PendingTemporaries.removeFolder(staged[index])
            }
            committed = staged.count
            closeDescriptors()
        }

        private func closeDescriptors() {
            for index in descriptors.indices where descriptors[index] >= 0 {
                _ = close(descriptors[index])
                descriptors[index] = -1
            }
        }

        deinit { closeDescriptors() }

        /// Removes the hidden staging folders (`.NAME.TOKEN.tmp` folders) a killed run left in
        /// `parent`, with their files (call holding the folder's export lock).
        static func removeStale(in parent: String) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                var status = stat()
                let path = parent + "/" + name
                guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { continue }
                removeFolder(path)
            }
        }

        /// Removes the files in the folder at `path`, then the folder (not recursive: a
        /// staged folder holds files only).
        static func removeFolder(_ path: String) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { _ = unlink(path + "/" + name) }
            _ = rmdir(path)
        }
    }

    /// Writes all of `raw` to `descriptor` — at `offset` with `pwrite` when set, else with
    /// `write` from the current position (preallocating from 1 MiB) — retrying after `EINTR`.
    /// - Returns: ``WriteError`` naming `target` when a step fails, else `nil`.
    static func writeAll(_ raw: UnsafeRawBufferPointer, to descriptor: Int32, at offset: Int? = nil, for target: String) -> WriteError? {
        #if os(Linux)
        if offset == nil, raw.count >= preallocationThreshold {
            let code = posix_fallocate(descriptor, 0, off_t(raw.count))
            // A file system without fallocate (EOPNOTSUPP, EINVAL) just writes; a full disk is reported now.
            if code == ENOSPC || code == EDQUOT { return WriteError(path: target, step: "reserving space", code: code) }
        }
        #endif
        var written = 0
        while written < raw.count, let base = raw.baseAddress {
            let result = offset.map { pwrite(descriptor, base + written, raw.count - written, off_t($0 + written)) }
                ?? Foundation.write(descriptor, base + written, raw.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return WriteError(path: target, step: "write", code: errno)
            }
            written += result
        }
        return nil
    }
}
