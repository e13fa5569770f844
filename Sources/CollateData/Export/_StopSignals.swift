import Foundation

/// What the package's "clean up, then die by the signal" handlers share: export removing its
/// temporaries, the external backend ending its workers' process groups.
package enum _StopSignals {
    /// The signals that stop a command: SIGTERM, SIGINT (Ctrl-C) and SIGHUP.
    package static let numbers: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Turns off the default action of each stop signal and returns resumed sources that call
    /// `handler` with the signal's number on a global queue. Keep the sources alive.
    package static func makeSources(_ handler: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        numbers.map { signalNumber in
            // A source sees the signal only once its default action is off.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { handler(signalNumber) }
            source.resume()
            return source
        }
    }

    /// Ends the process by `signalNumber`, as it would have ended without a handler (a shell
    /// reports 128 + n). The signal is raised in this thread with it unblocked: a process
    /// started with the signal blocked (a parent's mask is inherited) would otherwise never
    /// receive it.
    package static func die(by signalNumber: Int32) -> Never {
        signal(signalNumber, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signalNumber)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(signalNumber)
        _exit(128 + signalNumber)
    }
}
