import Collate
import CollateData
import Foundation

/// A model backend in another process — typically a PyTorch / transformers model driven by
/// `Sources/CollateBackends/Worker/collate_worker.py` — spoken to over stdin and stdout.
///
/// ```
///   ExternalBackend ── u64 length + safetensors(batch, __metadata__ {op, ...}) ──► worker stdin
///                   ◄─────────────── one JSON line {"ok": true, "loss", ...} ───── worker stdout
/// ```
///
/// Starting the backend launches the worker and performs the version handshake; each
/// ``forward(_:)``, ``accumulateGradients(_:numItemsInBatch:)`` and ``takeStep(learningRate:)``
/// is one request and one reply (protocol in `Guides/Backends.md`). Every request is bounded by
/// a timeout. When the worker crashes, hangs, answers with something that is not a reply, or
/// speaks another protocol version, the backend kills it and throws
/// ``ExternalBackendError``; later calls throw ``ExternalBackendError/notRunning(reason:)``
/// rather than continuing from a half-done request.
///
/// ```swift
/// let backend = try ExternalBackend(configuration: .init(
///     command: ["python3", "Sources/CollateBackends/Worker/collate_worker.py", "--config", "tiny.json"],
///     requiredInputs: ["input_ids", "labels"]))
/// let report = try backend.probeBoundaries()        // packed vs alone, per sequence
/// let output = try backend.forward(batch)            // ModelOutput(loss: ...)
/// backend.close()
/// ```
///
/// The backend is a class — it owns a process — and serialises requests with a lock, so it
/// may be shared between tasks.
public final class ExternalBackend: TrainableBackend, @unchecked Sendable {
    /// The protocol version this Collate speaks; the handshake refuses any other.
    public static let protocolVersion = 1

    /// How the worker was started.
    public let configuration: Configuration
    /// What the worker said about itself in the handshake.
    public let worker: WorkerInfo

    private let lock = NSLock()
    private var process: _WorkerProcess?
    private var stoppedReason: String?
    private var _boundaryReport: BoundaryProbeReport?
    private var _stepCount = 0

    /// Starts the worker and performs the handshake.
    /// - Throws: ``ExternalBackendError``: `.launchFailed`, or `.workerExited`, `.timedOut`,
    ///   `.malformedReply`, `.versionMismatch`, `.workerError` from the handshake (the worker is
    ///   killed in every case).
    public init(configuration: Configuration) throws(ExternalBackendError) {
        self.configuration = configuration
        let started: _WorkerProcess
        do {
            started = try _WorkerProcess(command: configuration.command, environment: configuration.environment)
        } catch {
            if case .launch(let reason) = error { throw .launchFailed(command: configuration.command, reason: reason) }
            throw .launchFailed(command: configuration.command, reason: "\(error)")
        }
        // An empty batch with string metadata always encodes.
        let hello = (try? Batch().safetensorsBytes(metadata: ["op": "hello", "protocol": String(Self.protocolVersion)])) ?? []
        let object = try Self.exchange(started, frame: hello, operation: "hello", timeout: configuration.startupTimeout,
                                       maximumBytes: configuration.maximumReplyBytes)
        do {
            worker = try Self.workerInfo(object)
        } catch {
            started.kill()
            throw error
        }
        process = started
    }

    /// Starts `command` with default settings.
    /// - Throws: ``ExternalBackendError``.
    public convenience init(command: [String]) throws(ExternalBackendError) {
        try self.init(configuration: Configuration(command: command))
    }

    deinit {
        lock.lock()
        defer { lock.unlock() }
        if let process { Self.shutDown(process, timeout: configuration.shutdownTimeout) }
    }

    /// The boundary probe's result, once ``probeBoundaries(_:)`` ran.
    public var boundaryReport: BoundaryProbeReport? {
        lock.lock()
        defer { lock.unlock() }
        return _boundaryReport
    }

    /// Optimizer steps the worker has taken through this backend.
    public var stepCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return _stepCount
    }

    /// Whether the worker is running (not closed, not killed after a failure).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return process != nil
    }

    /// The configured inputs, the worker's vocabulary size and maximum length, and padding-free
    /// batches only when ``Configuration/acceptsPaddingFree`` says so or a boundary probe passed
    /// (never after a failed one).
    public var contract: BackendContract {
        let report = boundaryReport
        let paddingFree: Bool = switch report?.passed {
        case false?: false
        case true?: configuration.acceptsPaddingFree ?? true
        case nil: configuration.acceptsPaddingFree ?? false
        }
        return BackendContract(requiredInputs: configuration.requiredInputs, acceptsPaddingFree: paddingFree, shiftsLabels: true,
                               vocabSize: worker.vocabSize, maxLength: worker.maxLength)
    }

    // MARK: - Requests

    /// Runs the model on `batch` (no gradients), asking for ``Configuration/returnedValues``.
    /// - Throws: ``ExternalBackendError``, or ``BoundaryProbeError/refused(_:)`` for a
    ///   padding-free batch after a failed boundary probe.
    public func forward(_ batch: Batch) throws -> ModelOutput {
        try refuseIfProbeFailed(batch)
        return try run(batch, returning: configuration.returnedValues).modelOutput
    }

    /// Runs the model on `batch` and returns the worker's whole reply: loss, trained-target
    /// count, every output's name and shape, and the values of `returning`.
    ///
    /// This is the raw request the boundary probe itself uses, so unlike ``forward(_:)`` it does
    /// not refuse a padding-free batch after a failed probe.
    /// - Parameter returning: Output names whose values to send back (`token_losses`, `logits`).
    /// - Throws: ``ExternalBackendError``.
    public func run(_ batch: Batch, returning: [String] = []) throws(ExternalBackendError) -> WorkerReply {
        var metadata = ["op": "forward"]
        if !returning.isEmpty { metadata["return"] = returning.joined(separator: ",") }
        return try parsed(request(batch, metadata: metadata, operation: "forward"), operation: "forward")
    }

    /// Runs forward and backward on one micro-batch; the worker adds the gradients of
    /// `sum(token losses) / numItemsInBatch` (its own mean when `nil`).
    /// - Throws: ``ExternalBackendError`` or ``BoundaryProbeError/refused(_:)``.
    public func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        try refuseIfProbeFailed(batch)
        var metadata = ["op": "accumulate"]
        if let numItemsInBatch { metadata["num_items_in_batch"] = String(numItemsInBatch) }
        if !configuration.returnedValues.isEmpty { metadata["return"] = configuration.returnedValues.joined(separator: ",") }
        return try parsed(request(batch, metadata: metadata, operation: "accumulate"), operation: "accumulate").modelOutput
    }

    /// Applies the accumulated gradients with the worker's optimizer and clears them.
    /// - Returns: The worker's step count.
    /// - Throws: ``ExternalBackendError``.
    @discardableResult
    public func takeStep(learningRate: Double) throws(ExternalBackendError) -> Int {
        guard learningRate.isFinite, learningRate > 0 else { throw .invalidRequest("learning rate \(learningRate) must be finite and positive") }
        let object = try request(Batch(), metadata: ["op": "step", "learning_rate": "\(learningRate)"], operation: "step")
        guard case .integer(let count)? = object["step"] else {
            throw stopAfter(.malformedReply(operation: "step", reply: JSONValue.object(object).preview(limit: 200), reason: "no integer \"step\""))
        }
        lock.lock()
        _stepCount = Int(count)
        lock.unlock()
        return Int(count)
    }

    /// ``TrainableBackend``'s step: ``takeStep(learningRate:)`` without its result.
    /// - Throws: ``ExternalBackendError``.
    public func step(learningRate: Double) throws(ExternalBackendError) {
        try takeStep(learningRate: learningRate)
    }

    /// Runs `probe` with the worker's per-token losses, remembers the report (a failure makes
    /// the contract refuse padding-free batches) and returns it.
    /// - Throws: ``BoundaryProbeError`` when the probe cannot measure.
    @discardableResult
    public func probeBoundaries(_ probe: BoundaryProbe? = nil) throws(BoundaryProbeError) -> BoundaryProbeReport {
        let vocabSize = worker.vocabSize ?? 1000
        guard probe != nil || vocabSize >= 2 else {
            throw .invalidSequences("the worker reports a vocabulary of \(vocabSize) ids and a probe needs at least 2; pass a BoundaryProbe")
        }
        let probe = probe ?? BoundaryProbe(vocabSize: vocabSize)
        let report = try probe.run(_TokenLossView(backend: self))
        lock.lock()
        _boundaryReport = report
        lock.unlock()
        return report
    }

    /// Asks the worker to exit, waits up to ``Configuration/shutdownTimeout``, then kills it.
    /// Later requests throw ``ExternalBackendError/notRunning(reason:)``.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { return }
        Self.shutDown(process, timeout: configuration.shutdownTimeout)
        self.process = nil
        stoppedReason = "it was closed"
    }

    // MARK: - Internals

    private func refuseIfProbeFailed(_ batch: Batch) throws(BoundaryProbeError) {
        if let diagnostic = boundaryReport?.diagnostic, batch.isPaddingFree { throw .refused(diagnostic) }
    }

    /// Sends one request and returns the reply object of an `ok` reply.
    fileprivate func request(_ batch: Batch, metadata: [String: String], operation: String) throws(ExternalBackendError) -> JSONObject {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { throw .notRunning(reason: stoppedReason ?? "it was never started") }
        let frame: [UInt8]
        do {
            frame = try batch.safetensorsBytes(metadata: metadata)
        } catch {
            throw .invalidRequest("the batch cannot be sent as safetensors: \(error)")
        }
        do {
            return try Self.exchange(process, frame: frame, operation: operation,
                                     timeout: configuration.requestTimeout, maximumBytes: configuration.maximumReplyBytes)
        } catch {
            if case .workerError = error { throw error }
            self.process = nil
            stoppedReason = "it was stopped after: \(error)"
            throw error
        }
    }

    /// Reads a forward/accumulate reply, stopping the worker when it is malformed.
    private func parsed(_ object: JSONObject, operation: String) throws(ExternalBackendError) -> WorkerReply {
        do {
            return try Self.reply(from: object, operation: operation)
        } catch {
            throw stopAfter(error)
        }
    }

    private func stopAfter(_ error: ExternalBackendError) -> ExternalBackendError {
        lock.lock()
        defer { lock.unlock() }
        process?.kill()
        process = nil
        stoppedReason = "it was stopped after: \(error)"
        return error
    }

    /// Writes one frame and reads one reply; on any failure but a worker's error reply the
    /// worker is killed before the error is thrown.
    private static func exchange(_ process: _WorkerProcess, frame: [UInt8], operation: String, timeout: Duration,
                                 maximumBytes: Int) throws(ExternalBackendError) -> JSONObject {
        let deadline = ContinuousClock.now + timeout
        var message: [UInt8] = []
        message.reserveCapacity(8 + frame.count)
        var length = UInt64(frame.count).littleEndian
        withUnsafeBytes(of: &length) { message.append(contentsOf: $0) }
        message += frame
        // One reply line per request: a line nobody asked for would otherwise be read as the
        // answer to the next request, and every later reply would answer the wrong one.
        func extraOutput(_ when: String) -> ExternalBackendError {
            process.kill()
            return .malformedReply(operation: operation, reply: String(decoding: process.unreadOutput.prefix(200), as: UTF8.self),
                                   reason: "the worker wrote a line \(when); a worker writes exactly one reply line per request "
                                       + "and sends everything else (prints, logs) to stderr")
        }
        if process.hasUnrequestedOutput() { throw extraOutput("before this request was sent") }
        let line: [UInt8]
        do {
            try process.write(message, deadline: deadline)
            line = try process.readLine(deadline: deadline, maximumBytes: maximumBytes)
        } catch {
            throw transportError(error, process: process, operation: operation, timeout: timeout)
        }
        let value: JSONValue
        do {
            value = try line.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            process.kill()
            let text = String(decoding: line, as: UTF8.self)
            var reason = error.description
            // Python's json.dumps writes NaN / Infinity, which JSON does not have.
            if text.contains("NaN") || text.contains("Infinity") {
                reason += "; JSON has no NaN or Infinity: send a non-finite loss as null with \"loss_nonfinite\": \"nan\" "
                    + "(collate_worker.encode_reply does), and other non-finite values as null"
            }
            throw .malformedReply(operation: operation, reply: text, reason: reason)
        }
        guard case .object(let object) = value, case .bool(let ok)? = object["ok"] else {
            process.kill()
            throw .malformedReply(operation: operation, reply: value.preview(limit: 200), reason: "not an object with a boolean \"ok\"")
        }
        if operation == "hello", case .integer(let version)? = object["protocol"], version != protocolVersion {
            process.kill()
            throw .versionMismatch(worker: Int(version), expected: protocolVersion)
        }
        guard ok else {
            let text: String = if case .string(let text)? = object["error"] { text } else { value.preview(limit: 200) }
            if operation == "hello" {
                process.kill()
                throw .malformedReply(operation: operation, reply: text, reason: "the worker refused the handshake")
            }
            throw .workerError(operation: operation, message: text)
        }
        if !process.unreadOutput.isEmpty { throw extraOutput("after its reply") }
        return object
    }

    private static func transportError(_ error: _WorkerProcess.Failure, process: _WorkerProcess, operation: String,
                                       timeout: Duration) -> ExternalBackendError {
        // A worker killed because a signal is ending the host is not a failure to report.
        _LiveWorkers.parkWhileEnding()
        switch error {
        case .timedOut:
            process.kill()
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            return .timedOut(operation: operation, seconds: seconds, standardError: process.standardErrorTail())
        case .closed(let ioError):
            let status = process.waitForExit(timeout: .seconds(2))
            process.kill()
            let words = status.map(_WorkerProcess.describe(status:)) ?? "closed its output\(ioError.map { ": \($0)" } ?? "") and was killed"
            return .workerExited(operation: operation, status: words, standardError: process.standardErrorTail())
        case .replyTooLarge(let count):
            process.kill()
            return .malformedReply(operation: operation, reply: "(\(count) bytes without a newline)", reason: "the reply exceeds maximumReplyBytes")
        case .launch(let reason):
            process.kill()
            return .workerExited(operation: operation, status: reason, standardError: process.standardErrorTail())
        }
    }

    private static func shutDown(_ process: _WorkerProcess, timeout: Duration) {
        // An empty batch with string metadata always encodes.
        let bye = (try? Batch().safetensorsBytes(metadata: ["op": "shutdown"])) ?? []
        var message: [UInt8] = []
        var length = UInt64(bye.count).littleEndian
        withUnsafeBytes(of: &length) { message.append(contentsOf: $0) }
        message += bye
        try? process.write(message, deadline: ContinuousClock.now + .seconds(1))
        process.closeInput()
        if process.waitForExit(timeout: timeout) == nil { process.kill() }
    }
}

/// The backend seen through its per-token losses, for the boundary probe.
private struct _TokenLossView: ModelBackend {
    let backend: ExternalBackend
    var contract: BackendContract { backend.contract }
    func forward(_ batch: Batch) throws -> ModelOutput {
        try backend.run(batch, returning: ["token_losses"]).modelOutput
    }
}
