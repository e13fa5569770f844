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
}

/// The temporaries every ``AtomicFile/Group`` of the process has written and not yet renamed
/// or removed, and the signal sources that remove them.
enum _PendingTemporaries {
    private static let paths = Mutex<Set<String>>([])
    private static let sources = Mutex<[any DispatchSourceSignal]>([])
    /// Set once a signal arrived: a group then refuses to write new temporaries.
    static let stopping = Atomic<Bool>(false)

    static func insert(_ path: String) { paths.withLock { _ = $0.insert(path) } }

    /// Creates the file `path` (`O_CREAT | O_EXCL`, close-on-exec) and registers it, both while
    /// holding the lock the signal cleanup holds — so a file never exists unregistered after
    /// the cleanup ran (registering first and creating after, a signal in between left the
    /// file behind), and none is created once the process is stopping.
    /// - Returns: The open descriptor, or -1 and the `errno` value (EINTR when stopping).
    static func create(_ path: String) -> (descriptor: Int32, code: Int32) {
        paths.withLock { paths -> (descriptor: Int32, code: Int32) in
            if stopping.load(ordering: .sequentiallyConsistent) { return (-1, EINTR) }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { return (-1, errno) }
            paths.insert(path)
            return (descriptor, 0)
        }
    }
    static func remove(_ path: String) { paths.withLock { _ = $0.remove(path) } }
    /// Whether `path` is registered (for tests).
    static func isPending(_ path: String) -> Bool { paths.withLock { $0.contains(path) } }

    static func install() {
        sources.withLock { sources in
            if sources.isEmpty { sources = _StopSignals.makeSources { removeAll(then: $0) } }
        }
    }

    /// Removes every pending temporary, then ends the process by `signalNumber`.
    static func removeAll(then signalNumber: Int32) -> Never {
        stopping.store(true, ordering: .sequentiallyConsistent)
        // Holding the lock while unlinking: a group cannot register a new temporary meanwhile.
        paths.withLock { paths in
            for path in paths { unlink(path) }
            paths.removeAll()
        }
        _StopSignals.die(by: signalNumber)
    }
}
