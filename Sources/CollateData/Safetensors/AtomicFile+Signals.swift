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
    static func remove(_ path: String) { paths.withLock { _ = $0.remove(path) } }

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
