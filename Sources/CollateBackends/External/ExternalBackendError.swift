import Foundation

/// Why an ``ExternalBackend`` failed. Every transport failure (crash, hang, malformed reply,
/// version mismatch) stops the worker, so the backend never continues from a half-done
/// request; a worker's own error reply (``workerError(operation:message:)``) leaves it running.
public enum ExternalBackendError: Error, Sendable, Hashable {
    /// The worker command could not be started (empty command, executable not found, ...).
    case launchFailed(command: [String], reason: String)
    /// The worker exited or closed its stdout; carries how it exited and the tail of its stderr.
    case workerExited(operation: String, status: String, standardError: String)
    /// The worker did not answer within the timeout; it was killed.
    case timedOut(operation: String, seconds: Double, standardError: String)
    /// The worker wrote something that is not a protocol reply; it was killed.
    case malformedReply(operation: String, reply: String, reason: String)
    /// The worker speaks another protocol version; it was killed.
    case versionMismatch(worker: Int, expected: Int)
    /// The worker answered the request with `{"ok": false, "error": ...}`; it is still running.
    case workerError(operation: String, message: String)
    /// A call after the worker was stopped (closed, or killed by an earlier failure).
    case notRunning(reason: String)
    /// The batch cannot be encoded for the worker.
    case invalidRequest(String)
}

extension ExternalBackendError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .launchFailed(command, reason):
            "cannot start the worker \(command): \(reason); check the command and that its interpreter is on PATH"
        case let .workerExited(operation, status, standardError):
            "the worker exited during '\(operation)' (\(status))\(Self.quote(standardError)); "
                + (standardError.isEmpty
                    ? "it wrote nothing to stderr: run its command by hand to see why it stops, fix the cause and start a new backend"
                    : "see its stderr above, fix the cause and start a new backend")
        case let .timedOut(operation, seconds, standardError):
            "the worker did not answer '\(operation)' within \(seconds) s and was killed\(Self.quote(standardError)); "
                + "raise the timeout if the model is just slow, or find where the worker hangs"
        case let .malformedReply(operation, reply, reason):
            "the worker's reply to '\(operation)' is not a protocol reply (\(reason)): \(reply.prefix(200)); "
                + "a worker must write only one JSON line per request to stdout — send logs to stderr. The worker was stopped"
        case let .versionMismatch(worker, expected):
            "the worker speaks protocol version \(worker) but this Collate speaks \(expected); "
                + "use the worker script shipped with this Collate version (Sources/CollateBackends/Worker/collate_worker.py)"
        case let .workerError(operation, message):
            "the worker could not run '\(operation)': \(message)"
        case .notRunning(let reason):
            "the worker is not running (\(reason)); start a new ExternalBackend"
        case .invalidRequest(let reason):
            "cannot send the request to the worker: \(reason)"
        }
    }

    private static func quote(_ standardError: String) -> String {
        standardError.isEmpty ? "" : "; its stderr ends with:\n\(standardError)\n"
    }
}

extension ExternalBackendError: LocalizedError {
    public var errorDescription: String? { description }
}
