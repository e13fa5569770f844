import Foundation
import Synchronization

extension AtomicFile {
    /// Makes SIGTERM, SIGINT and SIGHUP remove the temporaries of every ``Group`` not yet
    /// committed before the process dies by the signal, so a stopped export leaves no hidden
    /// `.NAME.TOKEN-N.tmp` files (a re-run would remove them, but a user who stops for good
    /// would keep them). Call once, before the first group writes; later calls do nothing.
    ///
    /// The process still ends by the same signal (a shell reports 128 + n), and complete files
    /// (committed groups) stay: an export stopped this way resumes where it stopped.
    public static func removeTemporariesOnSignals() {
        _PendingTemporaries.install()
    }

    /// When a stop signal has arrived, waits for its cleanup to end the process by the signal
    /// (at most `limit`, then ends it so itself); returns at once when none arrived.
    ///
    /// A command whose work failed because the process is stopping (a write refused with
    /// "the process is stopping on a signal") calls this before reporting the failure, so the
    /// process still dies by the signal (a shell reports 128 + n) instead of exiting 1 with an
    /// error message, whichever thread the signal's cleanup and the failure ran on.
    /// - Parameter limit: The longest wait for the cleanup.
    package static func waitForStopSignal(limit: Duration = .seconds(10)) {
        guard _PendingTemporaries.stopping.load(ordering: .sequentiallyConsistent) else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline { usleep(10_000) }
        let number = _PendingTemporaries.signalNumber.load(ordering: .sequentiallyConsistent)
        _StopSignals.die(by: number == 0 ? SIGTERM : number)
    }
}

/// The temporaries every ``AtomicFile/Group`` of the process has written and not yet renamed
/// or removed, the hidden folders of every ``AtomicFile/StagedFolders`` not yet renamed, and
/// the signal sources that remove them.
enum _PendingTemporaries {
    private struct Pending {
        var paths: Set<String> = []
        /// Hidden folders: removed with the files they hold.
        var folders: Set<String> = []
    }
    private static let pending = Mutex<Pending>(Pending())
    private static let sources = Mutex<[any DispatchSourceSignal]>([])
    /// Set once a signal arrived: a group then refuses to write new temporaries.
    static let stopping = Atomic<Bool>(false)
    /// The stop signal that arrived (0 before one did).
    static let signalNumber = Atomic<Int32>(0)

    static func insert(_ path: String) { pending.withLock { _ = $0.paths.insert(path) } }

    /// Creates the file `path` (`O_CREAT | O_EXCL`, close-on-exec) and registers it, both while
    /// holding the lock the signal cleanup holds — so a file never exists unregistered after
    /// the cleanup ran (registering first and creating after, a signal in between left the
    /// file behind), and none is created once the process is stopping.
    /// - Returns: The open descriptor, or -1 and the `errno` value (EINTR when stopping).
    static func create(_ path: String) -> (descriptor: Int32, code: Int32) {
        pending.withLock { pending -> (descriptor: Int32, code: Int32) in
            if stopping.load(ordering: .sequentiallyConsistent) { return (-1, EINTR) }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { return (-1, errno) }
            pending.paths.insert(path)
            return (descriptor, 0)
        }
    }

    /// Creates the file `name` (`O_CREAT | O_EXCL`, close-on-exec) in the registered hidden
    /// folder open as `folder`, under the cleanup's lock (none is created once the process is
    /// stopping, so the cleanup, which removes the folder's files, never misses one).
    /// - Returns: The open descriptor, or -1 and the `errno` value (EINTR when stopping).
    static func create(_ name: String, in folder: Int32) -> (descriptor: Int32, code: Int32) {
        pending.withLock { _ -> (descriptor: Int32, code: Int32) in
            if stopping.load(ordering: .sequentiallyConsistent) { return (-1, EINTR) }
            let descriptor = openat(folder, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            return descriptor >= 0 ? (descriptor, 0) : (-1, errno)
        }
    }

    /// Makes the folder `path` (mode 0755) and registers it, under the cleanup's lock.
    /// - Returns: The folder's open descriptor (`O_DIRECTORY`), or -1 and the `errno` value
    ///   (EINTR when stopping).
    static func makeFolder(_ path: String) -> (descriptor: Int32, code: Int32) {
        pending.withLock { pending -> (descriptor: Int32, code: Int32) in
            if stopping.load(ordering: .sequentiallyConsistent) { return (-1, EINTR) }
            guard mkdir(path, 0o755) == 0 else { return (-1, errno) }
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                let code = errno
                _ = rmdir(path)
                return (-1, code)
            }
            pending.folders.insert(path)
            return (descriptor, 0)
        }
    }

    static func remove(_ path: String) { pending.withLock { _ = $0.paths.remove(path) } }
    /// Unregisters a hidden folder (renamed or removed).
    static func removeFolder(_ path: String) { pending.withLock { _ = $0.folders.remove(path) } }
    /// Whether `path` is registered, as a file or a folder (for tests).
    static func isPending(_ path: String) -> Bool { pending.withLock { $0.paths.contains(path) || $0.folders.contains(path) } }

    static func install() {
        sources.withLock { sources in
            if sources.isEmpty { sources = _StopSignals.makeSources { removeAll(then: $0) } }
        }
    }

    /// Removes every pending temporary and hidden folder, then ends the process by `signalNumber`.
    static func removeAll(then signalNumber: Int32) -> Never {
        Self.signalNumber.store(signalNumber, ordering: .sequentiallyConsistent)
        stopping.store(true, ordering: .sequentiallyConsistent)
        // Holding the lock while unlinking: a group cannot register a new temporary meanwhile.
        pending.withLock { pending in
            for path in pending.paths { unlink(path) }
            for folder in pending.folders { AtomicFile.StagedFolders.removeFolder(folder) }
            pending = Pending()
        }
        _StopSignals.die(by: signalNumber)
    }
}
