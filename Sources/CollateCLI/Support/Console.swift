import Foundation
import Synchronization

/// Where the CLI writes: results to stdout (buffered), messages to stderr.
///
/// The buffer is lock-guarded: tests run commands in-process and in parallel.
enum Console {
    private static let buffer = Mutex<[UInt8]>([])

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

    private static func write(_ buffer: inout [UInt8]) {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Whether to colour stdout: only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    static var colorsEnabled: Bool {
        if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
        return isatty(STDOUT_FILENO) != 0
    }

    /// Writes a human message to stderr.
    static func message(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// Exit statuses of every subcommand (DESIGN.md's command-line contract).
enum ExitStatus {
    static let success: Int32 = 0
    static let rejected: Int32 = 1
    static let usage: Int32 = 2
}
