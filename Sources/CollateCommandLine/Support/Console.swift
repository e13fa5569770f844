import Foundation
import Synchronization

/// Where the CLI writes: results to stdout (buffered), messages to stderr.
///
/// The buffer is lock-guarded: tests run commands in-process and in parallel.
///
/// Output goes through `write(2)`, not `FileHandle`, whose `write` traps on an I/O error: a
/// stdout that cannot be written (`> /dev/full`, a closed descriptor, a full disk) ends the
/// process with exit status 1 and a message naming the cause, never a crash. A reader that
/// closed its end of a pipe (`collate batch ... | head -1`) ends it with `SIGPIPE`, silently,
/// as `cat` does.
///
/// Inside a test runner (tests call the commands in-process), nothing reaches the real stdout
/// or stderr: it goes to ``transcript`` instead, so `swift test` shows test results rather than
/// the expected error messages of every rejected input.
enum Console {
    private static let buffer = Mutex<[UInt8]>([])
    private static let captured = Mutex<[UInt8]>([])

    /// Whether this process is a test runner (an `.xctest` bundle or SwiftPM's testing helper)
    /// rather than the `collate` executable.
    static let isTestProcess: Bool = {
        let name = ProcessInfo.processInfo.processName
        return name.hasSuffix(".xctest") || name.hasSuffix("PackageTests") || name == "swiftpm-testing-helper"
    }()

    /// In a test runner, the last 1 MiB of what the commands wrote to stdout and stderr.
    static var transcript: String { captured.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Whether stdout was closed when the command started (`collate batch ... >&-`).
    ///
    /// `open(2)` returns the lowest free descriptor, so the first file a command opens (a spool,
    /// a shard) would become descriptor 1 and the output would go into it, silently. The first
    /// use occupies every closed standard descriptor with `/dev/null`; writes meant for a closed
    /// stdout still fail, with `EBADF`.
    private static let stdoutWasClosed: Bool = {
        guard !isTestProcess else { return false }
        var stdoutClosed = false
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            if descriptor == STDOUT_FILENO { stdoutClosed = true }
            let null = open("/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0, null != descriptor {
                _ = dup2(null, descriptor)
                _ = close(null)
            }
        }
        return stdoutClosed
    }()

    /// Occupies closed standard descriptors (see ``stdoutWasClosed``); call before any file is opened.
    static func claimClosedStandardDescriptors() {
        _ = stdoutWasClosed
    }

    /// Writes `bytes` to `descriptor`, or to ``transcript`` in a test runner.
    private static func emit(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        if descriptor == STDOUT_FILENO, stdoutWasClosed { return EBADF }
        guard isTestProcess else { return writeAll(bytes, to: descriptor) }
        captured.withLock { transcript in
            transcript.append(contentsOf: bytes)
            if transcript.count > 1 << 20 { transcript.removeFirst(transcript.count - (1 << 20)) }
        }
        return nil
    }

    /// Queues `line` plus a newline for stdout, flushing in large chunks.
    static func output(_ line: String) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            if buffer.count > 1 << 20 { write(&buffer) }
        }
    }

    /// Writes what ``output(_:)`` queued.
    static func flush() {
        buffer.withLock { write(&$0) }
    }

    /// Writes `text` to stdout as it is, after anything queued (for commands that build their
    /// whole output first).
    static func write(_ text: String) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            write(&buffer)
        }
    }

    /// Writes `bytes` to stdout as they are, after anything queued (for commands that build
    /// their output as bytes, e.g. JSON rows written straight into a buffer).
    static func write(bytes: [UInt8]) {
        buffer.withLock { buffer in
            buffer.append(contentsOf: bytes)
            write(&buffer)
        }
    }

    private static func write(_ buffer: inout [UInt8]) {
        guard !buffer.isEmpty else { return }
        if let failure = emit(buffer, to: STDOUT_FILENO) {
            message("\(Tool.name): cannot write the output to stdout: \(String(cString: strerror(failure))) (errno \(failure)); "
                + "check the disk or the file stdout is redirected to")
            exit(ExitStatus.rejected)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes every byte of `bytes` to `descriptor`, retrying interrupted and partial writes.
    /// - Returns: The `errno` of a failed write, or `nil` when every byte was written.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw -> Int32? in
            guard let base = raw.baseAddress else { return nil }
            var written = 0
            while written < raw.count {
                let count = Foundation.write(descriptor, base + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return errno
                }
                if count == 0 { return EIO }
                written += count
            }
            return nil
        }
    }

    /// Whether to colour stdout: only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    static var colorsEnabled: Bool {
        if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
        return isatty(STDOUT_FILENO) != 0
    }

    /// Writes a human message to stderr; a stderr that cannot be written loses the message
    /// (there is nowhere left to report it) but never crashes.
    static func message(_ text: String) {
        _ = emit(Array((Arguments.namingStandardInput(text) + "\n").utf8), to: STDERR_FILENO)
    }
}

/// Exit statuses of every subcommand (the README's command-line contract).
enum ExitStatus {
    static let success: Int32 = 0
    static let rejected: Int32 = 1
    static let usage: Int32 = 2
}
