import Collate
@testable import CollateCommandLine
import CollateData
import Foundation
import Testing

/// `collate train --backend worker --worker "CMD ..."` and the pipeline file's `backend` key.
///
/// Without torch (always, given a `python3`): `Tests/Fixtures/workers/fake_worker.py`, the
/// shipped protocol layer over a counting model whose losses are computed here by hand, drives
/// the Swift side — step lines, `num_items_in_batch` normalisation over an accumulation window,
/// the boundary probe before padding-free batches and the refusal after a failed one, timeouts,
/// a worker without torch, usage errors. With torch (`COLLATE_PYTHON` importing torch and
/// transformers; torch 2.15, transformers 5.23 here): the shipped worker trains a random-init
/// tiny Llama on CPU from a pipeline file.
@Suite("collate train --backend worker", .serialized)
struct TrainWorkerTests {
    static let root = CollateProcess.repositoryRoot
    static let fake = root.appendingPathComponent("Tests/Fixtures/workers/fake_worker.py").path
    static let worker = root.appendingPathComponent("Sources/CollateBackends/Worker/collate_worker.py").path
    static let data = root.appendingPathComponent("Samples/Data/sft-mistral.jsonl").path
    static let flattening = root.appendingPathComponent("Samples/Data/flattening.json").path
    static let seq2seq = root.appendingPathComponent("Samples/Data/seq2seq.json").path

    /// What one `collate train` run printed.
    struct Run {
        var status: Int32
        var lines: [String]
        var messages: [String]
        var text: String { messages.joined(separator: "\n") }
    }

    /// Runs `collate train` in process.
    static func train(_ arguments: [String]) -> Run {
        var lines: [String] = [], messages: [String] = []
        let status = TrainCommand.execute(arguments: arguments, output: { lines.append($0) }, message: { messages.append($0) })
        return Run(status: status, lines: lines, messages: messages)
    }

    /// A word of a worker command line, quoted for `--worker`.
    static func quoted(_ word: String) -> String {
        "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The fake worker's command line (vocabulary 32000, as the sample data's Mistral ids need).
    static func fakeWorker(_ extra: String = "") throws -> String {
        let python = try #require(TorchPython.interpreter)
        return "\(quoted(python)) \(quoted(fake)) --vocab 32000 \(extra)"
    }

    /// The step records of a run's stdout.
    static func records(_ lines: [String]) throws -> [(step: Int, loss: Double, tokens: Int, numItems: Int)] {
        try lines.map { line in
            guard case .object(let object) = try JSONParser.parse(line) else { throw CocoaError(.coderReadCorrupt) }
            #expect(object.keys == ["step", "loss", "tokens", "num_items"], "\(line)")
            func int(_ key: String) -> Int { if case .integer(let value)? = object[key] { Int(value) } else { -1 } }
            let loss: Double = switch object["loss"] {
            case .number(let text)?: Double(text) ?? .nan
            case .integer(let value)?: Double(value)
            default: .nan
            }
            return (int("step"), loss, int("tokens"), int("num_items"))
        }
    }

    // MARK: - Without torch: the fake worker

    /// The counting model's loss by hand: [1, 2, 3] trains 2 (context 1) and 3 (context 3),
    /// [4, 5] trains 5 (context 4); token loss ((context + target) % 101) / 100, so the window's
    /// loss is (0.03 + 0.06 + 0.09) / 3 — the same whether the two examples are one batch or
    /// two micro-batches of one accumulation window, because each micro-batch's summed loss is
    /// divided by the window's `num_items_in_batch` (3), as the reference path does.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func fakeWorkerLossIsNormalisedOverTheAccumulationWindow() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try CollateProcess.write(#"{"type": "language-modeling", "pad_token_id": 0}"#, to: "spec.json", in: dir)
        let input = try CollateProcess.write("{\"input_ids\": [1, 2, 3]}\n{\"input_ids\": [4, 5]}\n", to: "in.jsonl", in: dir)
        let worker = try Self.fakeWorker()
        for (batchSize, accumulation) in [("2", "1"), ("1", "2")] {
            let run = Self.train(["--backend", "worker", "--worker", worker, "--spec", spec, "--input", input, "--steps", "1",
                                  "--batch-size", batchSize, "--accumulation", accumulation])
            #expect(run.status == 0, "\(run.text)")
            let records = try Self.records(run.lines)
            #expect(records.count == 1)
            guard let record = records.first else { continue }
            #expect(record.step == 1 && record.numItems == 3 && record.tokens == 5)
            #expect(abs(record.loss - 0.18 / 3) < 1e-12, "batch \(batchSize) × accumulation \(accumulation): \(record.loss)")
        }
    }

    /// The worker path prints the reference path's lines: the same steps, tokens and
    /// num_items (counted by Collate from the same batches), one line per step.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func fakeWorkerStepsMatchTheReferencePathsCounts() throws {
        let common = ["--spec", Self.seq2seq, "--input", Self.data, "--steps", "3", "--batch-size", "2", "--accumulation", "2"]
        let reference = Self.train(["--backend", "reference"] + common)
        let worker = Self.train(["--backend", "worker", "--worker", try Self.fakeWorker()] + common)
        #expect(reference.status == 0 && worker.status == 0, "\(reference.text)\n\(worker.text)")
        let expected = try Self.records(reference.lines), got = try Self.records(worker.lines)
        #expect(got.map(\.step) == Array(1...3))
        #expect(got.map(\.tokens) == expected.map(\.tokens))
        #expect(got.map(\.numItems) == expected.map(\.numItems))
        #expect(got.allSatisfy { $0.loss.isFinite && $0.loss > 0 }, "\(got)")
        #expect(worker.text.contains("collate train: worker collate_worker 1, model {\"model_type\": \"fake-counting\""), "\(worker.text)")
        // Padded batches need no probe.
        #expect(!worker.text.contains("boundary probe"), "\(worker.text)")
    }

    /// Padding-free batches: the probe runs before step 1 and, passed, training goes on.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func probePassesBeforePaddingFreeBatches() throws {
        let run = Self.train(["--backend", "worker", "--worker", try Self.fakeWorker(), "--spec", Self.flattening,
                              "--input", Self.data, "--steps", "3", "--batch-size", "4"])
        #expect(run.status == 0, "\(run.text)")
        #expect(try Self.records(run.lines).map(\.step) == [1, 2, 3])
        #expect(run.text.contains("collate train: boundary probe passed"), "\(run.text)")
        #expect(run.text.contains("max difference 0.0 over token_losses"), "\(run.text)")
    }

    /// A worker that lets packed sequences see each other fails the probe: no step is taken, the
    /// packing-without-boundaries diagnostic gives the measured difference and the fix names
    /// use_cache=False.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func paddingFreeBatchesAreRefusedAfterAFailedProbe() throws {
        let run = Self.train(["--backend", "worker", "--worker", try Self.fakeWorker("--leak"), "--spec", Self.flattening,
                              "--input", Self.data, "--steps", "3"])
        #expect(run.status == 1)
        #expect(run.lines.isEmpty, "\(run.lines)")
        #expect(run.text.contains("error[packing-without-boundaries]: boundary probe failed"), "\(run.text)")
        #expect(run.text.contains("refusing to train padding-free (packed or flattened) batches"), "\(run.text)")
        #expect(run.text.contains("no training step was taken"))
        #expect(run.text.contains("use_cache=False"))
        // The same worker trains padded batches.
        let padded = Self.train(["--backend", "worker", "--worker", try Self.fakeWorker("--leak"), "--spec", Self.seq2seq,
                                 "--input", Self.data, "--steps", "2"])
        #expect(padded.status == 0 && padded.lines.count == 2, "\(padded.text)")
    }

    /// The pipeline file's `backend` key starts the worker; flags override it.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func pipelineFileBackendKeyChoosesTheWorker() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let worker = try Self.fakeWorker()
        let escaped = worker.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let config = try CollateProcess.write("""
            {"data": {"path": "\(Self.data)"}, "collator": {"type": "flattening"}, "batch_size": 4,
             "backend": {"type": "worker", "worker": "\(escaped)", "timeout": 60}}
            """, to: "pipeline.json", in: dir)
        let run = Self.train(["--config", config, "--steps", "2"])
        #expect(run.status == 0, "\(run.text)")
        #expect(run.lines.count == 2)
        #expect(run.text.contains("fake-counting") && run.text.contains("boundary probe passed"), "\(run.text)")
        // --backend reference wins over the file.
        let reference = Self.train(["--config", config, "--steps", "2", "--backend", "reference"])
        #expect(reference.status == 0 && reference.lines.count == 2, "\(reference.text)")
        #expect(!reference.text.contains("fake-counting"))
        // --worker wins over the file's command: this one fails the probe.
        let leaky = Self.train(["--config", config, "--steps", "2", "--worker", try Self.fakeWorker("--leak")])
        #expect(leaky.status == 1 && leaky.text.contains("refusing to train padding-free"), "\(leaky.text)")
    }

    /// A worker whose Python lacks torch: one clear message with the install command, exit 1,
    /// no traceback. (`sys.modules["torch"] = None` makes the import fail even where torch is installed.)
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func workerWithoutTorchIsAClearError() throws {
        let python = try #require(TorchPython.interpreter)
        let program = "import runpy, sys; sys.modules['torch'] = None; w = '\(Self.worker)'; sys.argv = [w, '--tiny-llama']; "
            + "runpy.run_path(w, run_name='__main__')"
        let run = Self.train(["--backend", "worker", "--worker", "\(Self.quoted(python)) -c \(Self.quoted(program))",
                              "--spec", Self.seq2seq, "--input", Self.data, "--steps", "2"])
        #expect(run.status == 1)
        #expect(run.lines.isEmpty)
        #expect(run.text.hasPrefix("collate train: the worker cannot run: its Python is missing a requirement"), "\(run.text)")
        #expect(run.text.contains("cannot import torch"), "\(run.text)")
        #expect(run.text.contains("-m pip install -r ") && run.text.contains("Sources/CollateBackends/Worker/requirements.txt"), "\(run.text)")
        #expect(!run.text.contains("Traceback"), "\(run.text)")
    }

    /// A worker that cannot be launched, or that exits during the handshake, is named with its
    /// own words (the tail of its stderr).
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func aWorkerThatDoesNotStartIsNamed() throws {
        let missing = Self.train(["--worker", "/nonexistent/python3 w.py", "--spec", Self.seq2seq, "--input", Self.data, "--steps", "1"])
        #expect(missing.status == 1 && missing.lines.isEmpty)
        #expect(missing.text.hasPrefix("collate train: cannot start the worker [\"/nonexistent/python3\", \"w.py\"]"), "\(missing.text)")
        let python = try #require(TorchPython.interpreter)
        let refused = Self.train(["--worker", "\(Self.quoted(python)) \(Self.quoted(Self.worker)) --tiny-llama --model /m",
                                  "--spec", Self.seq2seq, "--input", Self.data, "--steps", "1"])
        #expect(refused.status == 1 && refused.lines.isEmpty)
        #expect(refused.text.contains("collate train: the worker did not start: the worker exited during 'hello' (exit status 2)"), "\(refused.text)")
        #expect(refused.text.contains("not allowed with argument"), "\(refused.text)")
    }

    /// Every wait has a deadline: a worker that never answers is killed after --timeout and the
    /// step is reported; a worker that crashes mid-run stops at that step.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func aHangingOrCrashingWorkerStopsTheRun() throws {
        let started = ContinuousClock.now
        let hung = Self.train(["--backend", "worker", "--worker", try Self.fakeWorker("--hang-on accumulate"), "--timeout", "2",
                               "--spec", Self.seq2seq, "--input", Self.data, "--steps", "2"])
        #expect(hung.status == 1)
        #expect(hung.lines.isEmpty)
        #expect(hung.text.contains("step 1") && hung.text.contains("did not answer 'accumulate' within 2.0 s"), "\(hung.text)")
        #expect(ContinuousClock.now - started < .seconds(60))
        let crashed = Self.train(["--backend", "worker", "--worker", try Self.fakeWorker("--crash-on step"),
                                  "--spec", Self.seq2seq, "--input", Self.data, "--steps", "2"])
        #expect(crashed.status == 1 && crashed.lines.isEmpty)
        #expect(crashed.text.contains("step 1") && crashed.text.contains("the worker exited during 'step'"), "\(crashed.text)")
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [UsageCase] = [
        UsageCase(arguments: ["--backend", "worker"], message: "--backend worker needs the worker's command line"),
        UsageCase(arguments: ["--backend", "reference", "--worker", "python3 w.py"], message: "--worker applies to --backend worker"),
        UsageCase(arguments: ["--timeout", "5"], message: "--timeout applies to --backend worker"),
        UsageCase(arguments: ["--backend", "worker", "--worker", "python3 w.py", "--seed", "3"], message: "--seed applies to the reference model"),
        UsageCase(arguments: ["--worker", "python3 w.py", "--vocab-size", "64"], message: "--vocab-size applies to the reference model"),
        UsageCase(arguments: ["--backend", "worker", "--worker", "python3 'w.py"], message: "--worker has an unterminated quote"),
        UsageCase(arguments: ["--backend", "worker", "--worker", "  "], message: "--worker is empty"),
        UsageCase(arguments: ["--backend", "worker", "--worker", "python3 w.py", "--timeout", "0"], message: "--timeout must be a positive integer"),
        UsageCase(arguments: ["--backend", "worker", "--worker", "python3 w.py", "--tolerance", "-1"], message: "--tolerance must be a non-negative number"),
        UsageCase(arguments: ["--backend", "torch"], message: "unknown backend 'torch'; available: reference, worker"),
    ]

    /// Usage errors exit 2 before any worker starts, naming the flag.
    @Test(arguments: usageCases)
    func usageErrorsNameTheFlag(_ usage: UsageCase) throws {
        let run = Self.train(usage.arguments + ["--spec", Self.seq2seq, "--input", Self.data, "--steps", "1"])
        #expect(run.status == 2, "\(run.text)")
        #expect(run.lines.isEmpty)
        #expect(run.text.contains(usage.message), "\(run.text)")
    }

    // MARK: - The guide's and the help's commands

    /// A `collate train` command line as a guide or the help prints it, with its expected status.
    struct CommandLine: Sendable, CustomTestStringConvertible {
        var line: String
        var arguments: [String]
        var expectedStatus: Int32
        var testDescription: String { line }
        /// Whether it runs the shipped transformers worker (and so needs torch).
        var needsTorch: Bool { line.contains("collate_worker.py") || line.contains("worker-pipeline.json") }
    }

    /// Parses `collate train ... [# exit N]` (quotes group words, as a shell reads them).
    static func commandLine(_ line: String) -> CommandLine? {
        var body = line, status: Int32 = 0
        if let hash = body.range(of: "# exit ") {
            status = Int32(body[hash.upperBound...].trimmingCharacters(in: .whitespaces)) ?? -1
            body = String(body[..<hash.lowerBound])
        }
        guard let words = try? ProbeCommand.splitCommand(body), words.first == "collate" else { return nil }
        return CommandLine(line: line, arguments: Array(words.dropFirst()), expectedStatus: status)
    }

    /// The `collate train` lines of Guides/Backends.md's `sh` blocks, and the train help's examples.
    static let documentedCommands: [CommandLine] = {
        let guide = (try? String(contentsOf: root.appendingPathComponent("Guides/Backends.md"), encoding: .utf8)) ?? ""
        var lines: [String] = []
        var inShell = false
        for line in guide.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            if inShell, line.hasPrefix("collate train ") { lines.append(String(line)) }
        }
        lines += Help.command("train")?.examples ?? []
        return lines.compactMap(commandLine)
    }()

    /// Runs a documented command with the built `collate` from the repository root, `python3`
    /// being the test Python (its folder first on PATH).
    static func runDocumented(_ command: CommandLine) throws {
        let collate = CollateProcess.productsDirectory.appendingPathComponent("collate").path
        var environment: [String: String] = [:]
        if let python = TorchPython.interpreter {
            let folder = URL(fileURLWithPath: python).deletingLastPathComponent().path
            environment["PATH"] = folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        }
        let result = try TimedProcess.run(collate, command.arguments, timeout: 280, environment: environment)
        #expect(result.status == command.expectedStatus && !result.timedOut, "\(command.line)\n\(result.stdout)\n\(result.stderr)")
        if command.expectedStatus == 0 {
            #expect(!result.stdout.isEmpty && result.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("{\"step\": ") }, "\(result.stdout)")
        } else {
            #expect(result.stdout.isEmpty, "\(result.stdout)")
        }
    }

    @Test func theGuideAndHelpHaveWorkerCommands() {
        #expect(Self.documentedCommands.filter(\.needsTorch).count >= 4, "\(Self.documentedCommands.map(\.line))")
        #expect(Self.documentedCommands.contains { !$0.needsTorch && $0.arguments.contains("worker") })
        #expect(Self.documentedCommands.contains { $0.arguments.contains("reference") })
    }

    /// The documented commands that need no torch (the fake worker, the reference model).
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(5)),
          arguments: documentedCommands.filter { !$0.needsTorch })
    func guideCommandsRun(_ command: CommandLine) throws {
        try Self.runDocumented(command)
    }

    /// The documented commands that run the shipped worker's tiny Llama.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(5)),
          arguments: documentedCommands.filter(\.needsTorch))
    func guideTorchCommandsRun(_ command: CommandLine) throws {
        try Self.runDocumented(command)
    }

    // MARK: - The pipeline file's backend key

    @Test func backendKeyIsRead() throws {
        func parse(_ text: String) throws -> PipelineConfiguration {
            try PipelineConfiguration(json: try JSONParser.parse(text), file: "p.json", baseDirectory: URL(fileURLWithPath: "/base"))
        }
        #expect(try parse(#"{"backend": "reference"}"#).backend == .init(kind: .reference))
        #expect(try parse(#"{"backend": "worker"}"#).backend == .init(kind: .worker))
        #expect(try parse(#"{"backend": {"worker": "python3 w.py --tiny-llama"}}"#).backend
            == .init(kind: .worker, worker: "python3 w.py --tiny-llama"))
        #expect(try parse(#"{"backend": {"type": "worker", "worker": "python3 w.py", "timeout": 30}}"#).backend
            == .init(kind: .worker, worker: "python3 w.py", timeout: 30))
        #expect(try parse(#"{"backend": {}}"#).backend == .init(kind: .reference))
        #expect(try parse(#"{"data": {"path": "x"}}"#).backend == nil)
    }

    struct BadBackend: Sendable, CustomTestStringConvertible {
        var json: String
        var expected: PipelineFileError
        var testDescription: String { json }
    }

    static let badBackends: [BadBackend] = [
        BadBackend(json: #"{"backend": {"comand": "x"}}"#,
                   expected: .unknownKey(file: "p.json", path: "backend.comand", allowed: PipelineConfiguration.backendKeys)),
        BadBackend(json: #"{"backend": {"type": "torch"}}"#,
                   expected: .invalidValue(file: "p.json", path: "backend.type", value: "\"torch\"", reason: "must be one of reference, worker")),
        BadBackend(json: #"{"backend": "workr"}"#,
                   expected: .invalidValue(file: "p.json", path: "backend", value: "\"workr\"",
                                           reason: "must be one of reference, worker (did you mean \"worker\"?)")),
        BadBackend(json: #"{"backend": 3}"#,
                   expected: .wrongType(file: "p.json", path: "backend", expected: "\"reference\", \"worker\" or an object with keys type, worker, timeout",
                                        found: "integer 3")),
        BadBackend(json: #"{"backend": {"worker": ["python3", "w.py"]}}"#,
                   expected: .wrongType(file: "p.json", path: "backend.worker", expected: "a string", found: "array [\"python3\", \"w.py\"]")),
        BadBackend(json: #"{"backend": {"worker": "x", "timeout": 0}}"#,
                   expected: .invalidValue(file: "p.json", path: "backend.timeout", value: "0", reason: "must be a positive integer")),
        BadBackend(json: #"{"backend": {"worker": "x", "timeout": "60"}}"#,
                   expected: .wrongType(file: "p.json", path: "backend.timeout", expected: "an integer", found: "string \"60\"")),
        BadBackend(json: #"{"backend": {"type": "reference", "worker": "python3 w.py"}}"#,
                   expected: .invalidValue(file: "p.json", path: "backend.worker", value: "\"python3 w.py\"",
                                           reason: "is a worker command, but backend.type is \"reference\"; set \"type\": \"worker\" or remove it")),
    ]

    /// Bad `backend` values are refused with the key named, as every pipeline key is.
    @Test(arguments: badBackends)
    func badBackendKeysAreRefused(_ bad: BadBackend) throws {
        #expect(throws: bad.expected) {
            try PipelineConfiguration(json: try JSONParser.parse(bad.json), file: "p.json", baseDirectory: URL(fileURLWithPath: "/base"))
        }
    }

    // MARK: - With torch: the shipped worker and a tiny Llama

    /// A pipeline file (flattened, padding-free batches; `backend` naming the shipped worker
    /// with `--tiny-llama`) trains through the built `collate train` on CPU: the probe passes
    /// first, one finite loss line per step, the counts equal the reference path's, and the
    /// fifth step (the first batch again) has a lower loss.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(5)))
    func pipelineFileTrainsATinyLlamaInTheWorker() throws {
        let python = try #require(TorchPython.interpreter)
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = "\(Self.quoted(python)) \(Self.quoted(Self.worker)) --tiny-llama --device cpu"
        let escaped = command.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let config = try CollateProcess.write("""
            {"data": {"path": "\(Self.data)"}, "collator": {"type": "flattening"}, "batch_size": 4,
             "backend": {"type": "worker", "worker": "\(escaped)", "timeout": 240}}
            """, to: "pipeline.json", in: dir)
        let collate = CollateProcess.productsDirectory.appendingPathComponent("collate").path
        let result = try TimedProcess.run(collate, ["train", "--config", config, "--steps", "5", "--learning-rate", "0.01"], timeout: 280)
        #expect(result.status == 0 && !result.timedOut, "\(result.stderr)")
        let records = try Self.records(result.stdout.split(separator: "\n").map(String.init))
        #expect(records.map(\.step) == Array(1...5), "\(result.stdout)")
        #expect(records.allSatisfy { $0.loss.isFinite && $0.loss > 0 }, "\(records)")
        #expect(result.stderr.contains("\"model_type\": \"llama\""), "\(result.stderr)")
        #expect(result.stderr.contains("collate train: boundary probe passed"), "\(result.stderr)")
        if records.count == 5 { #expect(records[4].loss < records[0].loss, "step 5 repeats step 1's batch: \(records)") }
        let reference = Self.train(["--config", config, "--steps", "5", "--backend", "reference"])
        #expect(try Self.records(reference.lines).map(\.numItems) == records.map(\.numItems))
        #expect(try Self.records(reference.lines).map(\.tokens) == records.map(\.tokens))
    }

    /// The worker normalises as the reference path does: step 1's loss over the same 4 examples
    /// is the same as one padded batch, as two padded micro-batches of an accumulation window,
    /// and as one flattened (padding-free) batch — the token mean over the window.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(5)))
    func accumulationAndPackingGiveTheSameFirstLoss() throws {
        let python = try #require(TorchPython.interpreter)
        let worker = "\(Self.quoted(python)) \(Self.quoted(Self.worker)) --tiny-llama --device cpu"
        var losses: [Double] = []
        for (spec, batchSize, accumulation) in [(Self.seq2seq, "4", "1"), (Self.seq2seq, "2", "2"), (Self.flattening, "4", "1")] {
            let run = Self.train(["--backend", "worker", "--worker", worker, "--timeout", "240", "--spec", spec, "--input", Self.data,
                                  "--steps", "1", "--batch-size", batchSize, "--accumulation", accumulation])
            #expect(run.status == 0, "\(run.text)")
            losses += try Self.records(run.lines).map(\.loss)
        }
        #expect(losses.count == 3)
        if losses.count == 3 {
            #expect(abs(losses[1] - losses[0]) < 1e-4 && abs(losses[2] - losses[0]) < 1e-4, "\(losses)")
        }
    }

    /// The shipped worker started with use_cache=True leaks across packed sequences: packed
    /// batches are refused before step 1 with the fix named; padded batches still train.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(5)))
    func useCacheTrueWorkerIsRefusedPackedBatches() throws {
        let python = try #require(TorchPython.interpreter)
        let worker = "\(Self.quoted(python)) \(Self.quoted(Self.worker)) --tiny-llama --device cpu --use-cache true"
        let run = Self.train(["--backend", "worker", "--worker", worker, "--timeout", "240", "--spec", Self.flattening,
                              "--input", Self.data, "--steps", "2"])
        #expect(run.status == 1)
        #expect(run.lines.isEmpty, "\(run.lines)")
        #expect(run.text.contains("error[packing-without-boundaries]"), "\(run.text)")
        #expect(run.text.contains("The worker runs its model with use_cache=True"), "\(run.text)")
        #expect(run.text.contains("Fix: run the model with use_cache=False (collate_worker.py --use-cache false"), "\(run.text)")
    }

    /// A flattening collator that sends cu_seq_lens_* without position_ids: under sdpa the shipped
    /// worker's model reads position_ids only, so the probe fails and the refusal says why and
    /// names `--attn varlen`; with `--attn varlen` the same pipeline trains.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(5)))
    func cuSeqLensOnlyBatchesAreRefusedUnderSdpaAndTrainUnderVarlen() throws {
        let python = try #require(TorchPython.interpreter)
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try CollateProcess.write(#"{"type": "flattening", "return_position_ids": false, "return_flash_attn_kwargs": true}"#,
                                            to: "spec.json", in: dir)
        for attention in ["sdpa", "varlen"] {
            let worker = "\(Self.quoted(python)) \(Self.quoted(Self.worker)) --tiny-llama --device cpu --attn \(attention)"
            let run = Self.train(["--backend", "worker", "--worker", worker, "--timeout", "240", "--spec", spec,
                                  "--input", Self.data, "--steps", "2"])
            if attention == "sdpa" {
                #expect(run.status == 1)
                #expect(run.lines.isEmpty, "\(run.lines)")
                #expect(run.text.contains("Under sdpa attention transformers keeps packed sequences apart by position_ids only"), "\(run.text)")
                #expect(run.text.contains("collate_worker.py --attn varlen"), "\(run.text)")
            } else {
                #expect(run.status == 0, "\(run.text)")
                let records = try Self.records(run.lines)
                #expect(records.count == 2 && records.allSatisfy { $0.loss.isFinite }, "\(records)")
            }
        }
    }
}
