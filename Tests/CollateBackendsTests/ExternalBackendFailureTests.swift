import Collate
import CollateBackends
import Foundation
import Testing

/// A worker that crashes, hangs, writes garbage or speaks another version is a clear error,
/// promptly, and the backend does not carry on from the half-done request.
@Suite("External backend failures", .enabled(if: Workers.python3 != nil, Comment(rawValue: Workers.skipMessage)))
struct ExternalBackendFailureTests {
    static let batch = ExternalBackendTests.batch

    static func start(_ arguments: String..., timeout: Duration = .seconds(30)) throws -> ExternalBackend {
        try ExternalBackend(configuration: .init(
            command: [Workers.python3 ?? "python3", Workers.fake] + arguments, startupTimeout: .seconds(30), requestTimeout: timeout))
    }

    @Test func crashDuringForwardReportsStatusAndStderr() throws {
        let backend = try Self.start("--crash-on", "forward")
        #expect {
            try backend.forward(Self.batch)
        } throws: { error in
            guard case let .workerExited(operation, status, standardError) = error as? ExternalBackendError else { return false }
            return operation == "forward" && status == "exit status 3" && standardError.contains("crashing on forward as asked")
        }
        #expect(!backend.isRunning)
        #expect {
            try backend.forward(Self.batch)
        } throws: { error in
            guard case .notRunning(let reason) = error as? ExternalBackendError else { return false }
            return reason.contains("exit status 3")
        }
    }

    @Test func crashDuringHandshake() {
        #expect {
            _ = try Self.start("--crash-on", "hello")
        } throws: { error in
            guard case let .workerExited(operation, status, _) = error as? ExternalBackendError else { return false }
            return operation == "hello" && status == "exit status 3"
        }
    }

    @Test func hangIsATimeoutAndTheWorkerIsKilled() throws {
        let backend = try Self.start("--hang-on", "forward", timeout: .milliseconds(700))
        let clock = ContinuousClock()
        let start = clock.now
        #expect {
            try backend.forward(Self.batch)
        } throws: { error in
            guard case let .timedOut(operation, seconds, _) = error as? ExternalBackendError else { return false }
            return operation == "forward" && seconds == 0.7
        }
        #expect(clock.now - start < .seconds(10))
        #expect(!backend.isRunning)
    }

    @Test func hangDuringStepIsThrownByTheStep() throws {
        let backend = try Self.start("--hang-on", "step", timeout: .milliseconds(500))
        _ = try backend.accumulateGradients(Self.batch, numItemsInBatch: nil)
        #expect {
            try backend.step(learningRate: 0.1)
        } throws: { error in
            if case .timedOut(operation: "step", _, _) = error as? ExternalBackendError { return true }
            return false
        }
    }

    /// A failed optimizer step on the last step of a run stops the Trainer at that step
    /// instead of being recorded as taken (the failure used to wait for the next call).
    @Test func trainerStopsAtAFailedFinalStep() throws {
        var trainer = Trainer(backend: try Self.start("--hang-on", "step", timeout: .milliseconds(500)), configuration: .init(steps: 1))
        var stepsTaken = 0
        #expect {
            _ = try trainer.train([Self.batch]) { _ in stepsTaken += 1 }
        } throws: { error in
            guard case .backendFailed(step: 1, let message) = error as? TrainingError else { return false }
            return message.contains("step")
        }
        #expect(stepsTaken == 0)
    }

    /// Two reply lines for one request: the second must not be taken as the next request's answer.
    @Test func anExtraReplyLineIsMalformedNotTheNextAnswer() throws {
        let backend = try Self.start("--extra-reply-on", "forward")
        var failures: [ExternalBackendError] = []
        for _ in 0..<2 {
            do {
                _ = try backend.forward(Self.batch)
            } catch let error as ExternalBackendError {
                failures.append(error)
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(failures.contains { error in
            guard case .malformedReply(operation: "forward", _, let reason) = error else { return false }
            return reason.contains("exactly one reply line")
        })
        #expect(!backend.isRunning)
    }

    @Test func malformedReplyStopsTheWorker() throws {
        let backend = try Self.start("--malformed-on", "forward")
        #expect {
            try backend.forward(Self.batch)
        } throws: { error in
            guard case let .malformedReply(operation, reply, _) = error as? ExternalBackendError else { return false }
            return operation == "forward" && reply == "this is not a reply"
        }
        #expect(!backend.isRunning)
    }

    @Test func versionMismatchIsRefusedAtTheHandshake() {
        #expect(throws: ExternalBackendError.versionMismatch(worker: 99, expected: 1)) {
            _ = try Self.start("--protocol", "99")
        }
    }

    @Test func missingExecutableIsALaunchError() {
        #expect {
            _ = try ExternalBackend(command: ["/nonexistent/collate-worker"])
        } throws: { error in
            guard case .launchFailed(let command, _) = error as? ExternalBackendError else { return false }
            return command == ["/nonexistent/collate-worker"]
        }
    }

    @Test func workerThatIsNotAWorkerFailsTheHandshake() {
        // `cat` echoes the frame back: binary, not a JSON line.
        #expect {
            _ = try ExternalBackend(configuration: .init(command: ["cat"], startupTimeout: .seconds(2)))
        } throws: { error in
            switch error as? ExternalBackendError {
            case .malformedReply?, .timedOut?: true
            default: false
            }
        }
    }
}
