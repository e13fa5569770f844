import Collate
import Foundation
import Testing
@testable import CollateCommandLine

/// `collate probe`: exit statuses over the reference LM and the counting worker (the command
/// is called in-process; main.swift wiring is the integrator's).
@Suite("collate probe")
struct ProbeCommandTests {
    static let python3: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let fakeWorker = CollateProcess.fixtures.appendingPathComponent("workers/fake_worker.py").path

    @Test func referenceBackendPasses() {
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--vocab-size", "40"]) == 0)
    }

    @Test func usageErrors() {
        #expect(ProbeCommand.run(arguments: []) == 2)
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--tolerance", "-1"]) == 2)
        #expect(ProbeCommand.run(arguments: ["--backend", "'unterminated"]) == 2)
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--vocab-size", "1"]) == 2)
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--format", "xml"]) == 2)
        // Beyond what the reference model holds: a message, not a multi-gigabyte allocation.
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--vocab-size", "100000000000"]) == 1)
    }

    /// The reference model sizes its vocabulary to the probed file's ids (it used to stay at 64,
    /// so any real tokenized data failed with an out-of-range id).
    @Test func referenceProbeOfAFileHoldsItsIDs() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString).jsonl")
        try "{\"input_ids\": [1, 22557, 1526]}\n{\"input_ids\": [1, 851, 2]}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--input", file.path]) == 0)
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--input", file.path, "--vocab-size", "64"]) == 1)
    }

    @Test func textReportNamesEverySequence() {
        let report = BoundaryProbeReport(compared: .tokenLosses, differences: [0, 0.5], tolerance: 0.001, sequenceLengths: [9, 14])
        let lines = ProbeCommand.textReport(report).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("boundary probe failed: max |alone - packed| 0.5 over token_losses, tolerance 0.001"))
        #expect(lines[2] == "  sequence 1 (14 tokens): 0.5  exceeds the tolerance")
        #expect(ProbeCommand.run(arguments: ["--backend", "reference", "--vocab-size", "40", "--format", "text"]) == 0)
    }

    @Test func splitsCommandsLikeAShellWithoutExpansion() throws {
        #expect(try ProbeCommand.splitCommand(#"python3 w.py --config '{"a": 1}' "two words" a\ b"#)
            == ["python3", "w.py", "--config", #"{"a": 1}"#, "two words", "a b"])
        #expect(throws: UsageError.self) { try ProbeCommand.splitCommand("   ") }
    }

    @Test(.enabled(if: python3 != nil, "python3 not found on PATH"))
    func honestWorkerPassesAndLeakingWorkerIsRejected() {
        let python = Self.python3 ?? "python3"
        #expect(ProbeCommand.run(arguments: ["--backend", "\(python) \(Self.fakeWorker)"]) == 0)
        #expect(ProbeCommand.run(arguments: ["--backend", "\(python) \(Self.fakeWorker)", "--flash-attn-kwargs"]) == 0)
        #expect(ProbeCommand.run(arguments: ["--backend", "\(python) \(Self.fakeWorker) --leak"]) == 1)
        #expect(ProbeCommand.run(arguments: ["--backend", "\(python) \(Self.fakeWorker) --crash-on forward"]) == 1)
    }
}
