#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import CollateData
import Synchronization

/// The process groups of the workers that may be running, so a signal to the host can end them.
///
/// A worker leads its own process group (so a terminal's Ctrl-C does not reach it half-way
/// through a reply); the price is that nothing ends it when the host is stopped — a GPU worker
/// would keep its memory. ``install()`` makes SIGTERM, SIGINT and SIGHUP end every registered
/// group first (SIGTERM, then SIGKILL after a short grace), then the host, by the same signal.
enum _LiveWorkers {
    private static let groups = Mutex<Set<pid_t>>([])
    private static let installed = Mutex<[any DispatchSourceSignal]>([])
    private static let ending = Atomic<Bool>(false)

    /// Whether a signal is ending the host: a worker that dies now was killed by the handler,
    /// and the thread that notices must not report it as a failure and exit 1 first.
    static var isEnding: Bool { ending.load(ordering: .acquiring) }

    /// Parks the calling thread while the signal handler ends the workers and the host.
    static func parkWhileEnding() {
        guard isEnding else { return }
        while true { sleep(60) }
    }

    /// How long the workers get to exit after SIGTERM before SIGKILL.
    static let grace: Duration = .seconds(2)

    static func register(_ group: pid_t) {
        groups.withLock { _ = $0.insert(group) }
    }

    static func unregister(_ group: pid_t) {
        groups.withLock { _ = $0.remove(group) }
    }

    /// The groups registered now.
    static var registered: Set<pid_t> { groups.withLock { $0 } }

    /// Installs the handlers once; later calls do nothing.
    static func install() {
        installed.withLock { sources in
            if sources.isEmpty { sources = _StopSignals.makeSources { endAll(then: $0) } }
        }
    }

    /// Ends every registered worker group, then the host with `signalNumber`.
    static func endAll(then signalNumber: Int32) {
        ending.store(true, ordering: .releasing)
        let targets = groups.withLock { $0 }
        for group in targets { _ = kill(-group, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        func alive(_ group: pid_t) -> Bool {
            // Reap the group's exited children first: a zombie still counts for kill(2).
            var status: Int32 = 0
            while waitpid(-group, &status, WNOHANG) > 0 {}
            return kill(-group, 0) == 0
        }
        while ContinuousClock.now < deadline, targets.contains(where: alive) {
            usleep(20_000)
        }
        for group in targets { _ = kill(-group, SIGKILL) }
        _StopSignals.die(by: signalNumber)
    }
}
