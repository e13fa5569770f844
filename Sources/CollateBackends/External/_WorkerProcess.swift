#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One worker child process and its three streams, with every read and write bounded by a
/// deadline. Not thread-safe; ``ExternalBackend`` serialises access.
///
/// - stdin is one end of a Unix socket pair, written with `MSG_NOSIGNAL` (`SO_NOSIGPIPE` on
///   Darwin) so a dead worker is an `EPIPE` error, never a `SIGPIPE` that kills the host.
/// - stdout is a pipe read with `poll`, so a silent worker is a timeout, never a hang.
/// - stderr goes to a temporary file, whose tail is quoted when the worker fails.
/// - The worker leads its own process group; ``kill()`` signals the whole group, and so does
///   a SIGTERM, SIGINT or SIGHUP to the host once ``ExternalBackend/endWorkersOnSignals()``
///   ran (the group is registered in ``_LiveWorkers`` while it may be alive).
/// - Waits on the worker's output also watch the worker itself: a worker that exits while a
///   child it started still holds its stdout ends the wait (the pipe alone would stay open).
final class _WorkerProcess {
    enum Failure: Error {
        case launch(String)
        case timedOut
        case closed(ioError: String?)
        case replyTooLarge(Int)
    }

    let pid: pid_t
    private let input: Int32
    private let output: Int32
    let standardErrorURL: URL
    private var pending: [UInt8] = []
    private var reaped: Int32?
    private var groupKilled = false

    init(command: [String], environment: [String: String]) throws(Failure) {
        guard let executable = command.first, !executable.isEmpty else { throw .launch("the worker command is empty") }
        var socketPair: [Int32] = [-1, -1]
        #if canImport(Darwin)
        guard socketpair(AF_UNIX, SOCK_STREAM, 0, &socketPair) == 0 else { throw .launch("socketpair failed: \(Self.errnoText())") }
        var one: Int32 = 1
        setsockopt(socketPair[0], SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        for fd in socketPair { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        #else
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &socketPair) == 0 else {
            throw .launch("socketpair failed: \(Self.errnoText())")
        }
        #endif
        var pipeFDs: [Int32] = [-1, -1]
        // Close-on-exec from creation where the platform allows: set afterwards, a worker
        // started at the same moment by another thread could inherit this one's stdout and
        // keep it open after this worker exits, hiding the exit behind a timeout.
        #if canImport(Darwin)
        guard pipe(&pipeFDs) == 0 else {
            socketPair.forEach { _ = close($0) }
            throw .launch("pipe failed: \(Self.errnoText())")
        }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        #else
        // Glibc's module does not export pipe2; a socket pair is created close-on-exec and
        // reads like a pipe (end of output when the worker exits).
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipeFDs) == 0 else {
            socketPair.forEach { _ = close($0) }
            throw .launch("socketpair failed: \(Self.errnoText())")
        }
        #endif
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("collate-worker-\(UUID().uuidString).stderr")
        let errFD = open(errURL.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard errFD >= 0 else {
            (socketPair + pipeFDs).forEach { _ = close($0) }
            throw .launch("cannot create \(errURL.path) for the worker's stderr: \(Self.errnoText())")
        }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, socketPair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errFD, 2)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        // The host may ignore these (``_LiveWorkers`` does, to catch them); an ignored signal
        // stays ignored across exec, and the worker must be stoppable by them.
        for signalNumber in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // A thread of the host may block signals; the worker starts with none blocked, so
        // SIGTERM on shutdown reaches it.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawnp(&child, executable, &actions, &attributes, argv, envp)
        _ = close(socketPair[1])
        _ = close(pipeFDs[1])
        _ = close(errFD)
        guard status == 0 else {
            _ = close(socketPair[0])
            _ = close(pipeFDs[0])
            try? FileManager.default.removeItem(at: errURL)
            throw .launch("cannot start '\(executable)': \(String(cString: strerror(status)))")
        }
        pid = child
        _LiveWorkers.register(child)
        input = socketPair[0]
        output = pipeFDs[0]
        standardErrorURL = errURL
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        kill()
        _ = close(input)
        _ = close(output)
        try? FileManager.default.removeItem(at: standardErrorURL)
    }

    /// Writes all of `bytes` before `deadline`.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(Failure) {
        var written = 0
        while written < bytes.count {
            try waitFor(input, events: Int16(POLLOUT), deadline: deadline)
            let count = bytes.withUnsafeBytes { buffer -> Int in
                #if canImport(Darwin)
                send(input, buffer.baseAddress! + written, bytes.count - written, 0)
                #else
                send(input, buffer.baseAddress! + written, bytes.count - written, Int32(MSG_NOSIGNAL))
                #endif
            }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw .closed(ioError: Self.errnoText())
            }
            written += count
        }
    }

    /// Reads one `\n`-terminated line (without the newline) before `deadline`.
    func readLine(deadline: ContinuousClock.Instant, maximumBytes: Int) throws(Failure) -> [UInt8] {
        var searched = 0
        while true {
            if let newline = pending[searched...].firstIndex(of: 0x0A) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                return line
            }
            searched = pending.count
            guard pending.count <= maximumBytes else { throw .replyTooLarge(pending.count) }
            try waitFor(output, events: Int16(POLLIN), deadline: deadline)
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw .closed(ioError: Self.errnoText())
            }
            if count == 0 { throw .closed(ioError: nil) }
            pending += chunk[..<count]
        }
    }

    /// Output read but not yet returned as a line: non-empty after ``readLine(deadline:maximumBytes:)``
    /// only when the worker wrote more than one line.
    var unreadOutput: [UInt8] { pending }

    /// Reads the output already available, without waiting, and returns whether the worker has
    /// written bytes that no request asked for. End of output is not counted (the next write
    /// or read reports the exit).
    func hasUnrequestedOutput() -> Bool {
        if !pending.isEmpty { return true }
        var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0, descriptor.revents & Int16(POLLIN) != 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 12)
        let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        pending += chunk[..<count]
        return true
    }

    private func waitFor(_ fd: Int32, events: Int16, deadline: ContinuousClock.Instant) throws(Failure) {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw .timedOut }
            // Poll in slices of at most 100 ms so the worker's own exit is noticed even when a
            // process it started keeps the pipe open (a deadline alone would wait it out).
            let seconds = min(remaining.components.seconds, 1)
            let milliseconds = min(seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1, 100)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: milliseconds))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .closed(ioError: Self.errnoText())
            }
            if ready > 0 { return }
            if hasExited() { throw .closed(ioError: nil) }
        }
    }

    /// Whether the worker has exited (reaping it, without waiting).
    private func hasExited() -> Bool {
        if reaped != nil { return true }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid || result < 0 else { return false }
        reaped = result == pid ? status : -1
        return true
    }

    /// Closes the worker's stdin (a well-behaved worker exits on end of input).
    func closeInput() {
        _ = shutdown(input, Int32(SHUT_WR))
    }

    /// Waits up to `timeout` for the worker to exit; returns its wait status, or `nil` if it is still running.
    func waitForExit(timeout: Duration) -> Int32? {
        if let reaped { return reaped }
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || result < 0 {
                reaped = result == pid ? status : -1
                return reaped
            }
            if ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
    }

    /// Kills the worker's process group — the processes it started too, even when the worker
    /// itself has already exited — and reaps the worker.
    func kill() {
        if !groupKilled {
            groupKilled = true
            _ = _sendSignal(SIGKILL, toProcessGroup: pid)
            _LiveWorkers.unregister(pid)
        }
        guard reaped == nil else { return }
        _ = _sendSignal(SIGKILL, to: pid)
        _ = waitForExit(timeout: .seconds(5))
    }

    /// The wait status as words: `exit status 3`, `signal 9`.
    static func describe(status: Int32) -> String {
        if status == -1 { return "an unknown status" }
        let signal = status & 0x7F
        if signal == 0 { return "exit status \((status >> 8) & 0xFF)" }
        return "signal \(signal)"
    }

    /// The last `limit` bytes the worker wrote to stderr.
    func standardErrorTail(limit: Int = 2000) -> String {
        // Only the tail is read: a chatty worker's stderr can grow to gigabytes over a run.
        guard let handle = try? FileHandle(forReadingFrom: standardErrorURL) else { return "" }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return "" }
        let start = size > UInt64(limit) ? size - UInt64(limit) : 0
        guard (try? handle.seek(toOffset: start)) != nil, let tail = try? handle.readToEnd() else { return "" }
        return String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

private func _sendSignal(_ signal: Int32, to pid: pid_t) -> Int32 { kill(pid, signal) }

private func _sendSignal(_ signal: Int32, toProcessGroup group: pid_t) -> Int32 { kill(-group, signal) }
