import Collate
import CollateData
@testable import CollateCommandLine
import Foundation
import Testing

/// The road from `collate export` to `torchrun`: Samples/TorchDDP/train.py trains a tiny
/// transformers Llama with DDP and FSDP (gloo, CPU) from the shards, and
/// Tests/Python/collate_shards_tests.py checks the reader. Parity: the 2-rank DDP and FSDP runs
/// against one process over the same global batches (torch 2.15, transformers 5.23 here).
///
/// The torch tests run when `COLLATE_PYTHON` (default `python3`) imports torch, transformers
/// and safetensors, and are skipped otherwise with a message saying how to enable them.
@Suite("TorchDDP sample", .serialized)
struct TorchDDPSampleTests {
    // MARK: - Without torch

    /// `lines` in the shard metadata and index.json are 0-based line numbers of the file, which
    /// differ from the example indices when blank lines are skipped and examples are dropped.
    @Test func exportRecordsEachExamplesLineInTheFile() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try CollateProcess.write(#"{"type": "flattening", "transforms": [{"type": "drop-empty"}]}"#, to: "spec.json", in: dir)
        let input = try CollateProcess.write(
            "{\"input_ids\": [1, 2]}\n\n{\"input_ids\": []}\n{\"input_ids\": [3]}\n\n{\"input_ids\": [4, 5, 6]}\n{\"input_ids\": [7]}\n",
            to: "in.jsonl", in: dir)
        let out = dir.appendingPathComponent("out")
        #expect(ExportCommand.run(arguments: ["--spec", spec, "--input", input, "--out", out.path, "--world-size", "2", "--batch-size", "1"]) == 0)
        let index = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("index.json"), encoding: .utf8))
        guard case .object(let object) = index, case .array(let shards)? = object["shards"] else {
            Issue.record("index.json is not an object with shards: \(index.jsonText)")
            return
        }
        // Kept examples 0, 1, 2, 3 are lines 0, 3, 5, 6 (line 1 and 4 blank, line 2 dropped).
        let expected: [(file: String, examples: [Int64], lines: [Int64])] = [
            ("rank-00000/batch-000000.safetensors", [0], [0]), ("rank-00000/batch-000001.safetensors", [2], [5]),
            ("rank-00001/batch-000000.safetensors", [1], [3]), ("rank-00001/batch-000001.safetensors", [3], [6]),
        ]
        #expect(shards.count == expected.count)
        for (shard, want) in zip(shards, expected) {
            guard case .object(let entry) = shard else { continue }
            #expect(entry["file"] == .string(want.file))
            #expect(entry["examples"] == .array(want.examples.map(JSONValue.integer)), "\(shard.jsonText)")
            #expect(entry["lines"] == .array(want.lines.map(JSONValue.integer)), "\(shard.jsonText)")
            let bytes = [UInt8](try Data(contentsOf: out.appendingPathComponent(want.file)))
            let file = try bytes.withUnsafeBufferPointer { try SafetensorsFile(decoding: $0) }
            #expect(file.metadata["lines"] == "[\(want.lines.map(String.init).joined(separator: ", "))]", "\(file.metadata)")
        }
    }

    /// A worker whose Python cannot import torch prints one line with the install command and
    /// exits 3 (no traceback). `sys.modules["torch"] = None` makes the import fail even where
    /// torch is installed.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)))
    func workerWithoutTorchSaysHowToInstallIt() throws {
        let python = try #require(TorchPython.interpreter)
        let worker = CollateProcess.repositoryRoot.appendingPathComponent("Sources/CollateBackends/Worker/collate_worker.py").path
        let script = "import runpy, sys; sys.modules['torch'] = None; worker = \(Self.pythonString(worker)); "
            + "sys.argv = [worker, '--tiny-llama']; runpy.run_path(worker, run_name='__main__')"
        let result = try TimedProcess.run(python, ["-c", script], timeout: 60)
        #expect(result.status == 3, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line, got: \(result.stderr)")
        #expect(result.stderr.contains("cannot import torch"))
        #expect(result.stderr.contains("-m pip install -r ") && result.stderr.contains("Sources/CollateBackends/Worker/requirements.txt"))
        #expect(!result.stderr.contains("Traceback"))
        #expect(result.stdout.isEmpty)
    }

    // MARK: - With torch

    static let spec = CollateProcess.repositoryRoot.appendingPathComponent("Samples/Data/flattening.json").path
    static let data = CollateProcess.repositoryRoot.appendingPathComponent("Samples/Data/sft-mistral.jsonl").path
    static let train = CollateProcess.repositoryRoot.appendingPathComponent("Samples/TorchDDP/train.py").path
    /// Plain SGD: unlike Adam's, its steps scale with the gradient, so later steps match only
    /// when every rank's gradient is normalised by the global target count.
    static let sgd = ["--optimizer", "sgd", "--lr", "1"]

    /// The commands of Guides/Backends.md "Reading exported shards in PyTorch / torchrun", run
    /// as written there (paths made absolute): export for 2 ranks and for 1, train with DDP on
    /// 2 ranks, with FSDP on 2 ranks, and in one process.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(5)))
    func ddpAndFSDPMatchOneProcessAndCoverTheDataset() throws {
        let python = try #require(TorchPython.interpreter)
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let twoRanks = dir.appendingPathComponent("shards-2").path, oneRank = dir.appendingPathComponent("shards-1").path
        for (out, world, batch) in [(twoRanks, "2", "2"), (oneRank, "1", "4")] {
            let export = try CollateProcess.run(["export", "--spec", Self.spec, "--input", Self.data, "--out", out, "--world-size", world, "--batch-size", batch])
            #expect(export.status == 0, "\(export.stderr)")
        }

        let ddp = try Self.records(try TimedProcess.run(TorchPython.torchrun[0], Array(TorchPython.torchrun.dropFirst())
            + ["--standalone", "--nproc-per-node", "2", Self.train, "--shards", twoRanks, "--steps", "8"] + Self.sgd, timeout: 240))
        let single = try Self.records(try TimedProcess.run(python, [Self.train, "--shards", oneRank, "--steps", "8"] + Self.sgd, timeout: 180))
        let fsdp = try Self.records(try TimedProcess.run(TorchPython.torchrun[0], Array(TorchPython.torchrun.dropFirst())
            + ["--standalone", "--nproc-per-node", "2", Self.train, "--shards", twoRanks, "--steps", "3", "--fsdp"] + Self.sgd, timeout: 240))

        // Equal step counts: every rank runs steps 1...8 once.
        for rank in 0..<2 {
            #expect(ddp.filter { $0.rank == rank }.map(\.step) == Array(1...8), "rank \(rank): \(ddp)")
            #expect(fsdp.filter { $0.rank == rank }.map(\.step) == Array(1...3), "rank \(rank): \(fsdp)")
        }
        #expect(single.map(\.step) == Array(1...8))
        // Disjoint coverage: the first epoch (steps 1-4) holds every line of the file once.
        let lineCount = try String(contentsOfFile: Self.data, encoding: .utf8).split(separator: "\n").count
        let firstEpoch = ddp.filter { $0.step <= 4 }.flatMap(\.examples)
        #expect(firstEpoch.sorted() == Array(0..<lineCount), "\(firstEpoch)")
        for step in 1...8 {
            let ranks = ddp.filter { $0.step == step }, alone = single.filter { $0.step == step }
            guard ranks.count == 2, let one = alone.first else { continue }
            #expect(Set(ranks[0].examples).isDisjoint(with: ranks[1].examples))
            // The same global batch: one process's batch is the two ranks' together.
            #expect(ranks.flatMap(\.examples).sorted() == one.examples.sorted(), "step \(step)")
            #expect(ranks.map(\.tokens).reduce(0, +) == one.tokens, "step \(step)")
            // Every rank reports the global loss.
            #expect(ranks[0].loss == ranks[1].loss, "step \(step): \(ranks)")
            let tolerance = step == 1 ? 1e-5 : 1e-3
            #expect(abs(ranks[0].loss - one.loss) < tolerance, "step \(step): DDP \(ranks[0].loss) vs one process \(one.loss)")
            if step <= 3, let sharded = fsdp.first(where: { $0.step == step }) {
                #expect(abs(sharded.loss - one.loss) < tolerance, "step \(step): FSDP \(sharded.loss) vs one process \(one.loss)")
            }
        }
        // Finite, falling loss: the same batches score lower in the second epoch.
        let losses = (1...8).compactMap { step in ddp.first { $0.step == step }?.loss }
        #expect(losses.count == 8 && losses.allSatisfy(\.isFinite), "\(losses)")
        if losses.count == 8 {
            #expect(losses[4] < losses[0], "step 5 repeats step 1's batch: \(losses)")
            #expect(losses[4...].reduce(0, +) < losses[..<4].reduce(0, +), "\(losses)")
        }
    }

    /// Tests/Python/collate_shards_tests.py: line numbers, resume, mixed and incomplete exports.
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(3)))
    func collateShardsPythonTests() throws {
        let python = try #require(TorchPython.interpreter)
        let script = CollateProcess.repositoryRoot.appendingPathComponent("Tests/Python/collate_shards_tests.py").path
        let result = try TimedProcess.run(python, [script, "--collate", CollateProcess.productsDirectory.appendingPathComponent("collate").path], timeout: 150)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("7 tests passed"), "\(result.stdout)")
    }

    // MARK: - Helpers

    struct Record: CustomStringConvertible {
        var rank: Int
        var step: Int
        var loss: Double
        var tokens: Int
        var examples: [Int]
        var description: String { "{rank \(rank), step \(step), loss \(loss), tokens \(tokens), examples \(examples)}" }
    }

    /// The JSON lines of a train.py run, sorted by step then rank; a failed run is a recorded issue.
    static func records(_ result: TimedProcess.Result) throws -> [Record] {
        #expect(result.status == 0 && !result.timedOut, "train.py: status \(result.status)\n\(result.stderr.suffix(4000))")
        var records: [Record] = []
        for line in result.stdout.split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(line)) else {
                Issue.record("not a JSON object: \(line)")
                continue
            }
            func int(_ key: String) -> Int? { if case .integer(let value)? = object[key] { Int(value) } else { nil } }
            let loss: Double? = switch object["loss"] {
            case .number(let text)?: Double(text)
            case .integer(let value)?: Double(value)
            default: nil
            }
            guard let rank = int("rank"), let step = int("step"), let tokens = int("tokens"), let loss,
                  case .array(let indices)? = object["example_indices"] else {
                Issue.record("a line without rank, step, finite loss, tokens or example_indices: \(line)")
                continue
            }
            records.append(Record(rank: rank, step: step, loss: loss, tokens: tokens,
                                  examples: indices.compactMap { if case .integer(let value) = $0 { Int(value) } else { nil } }))
        }
        return records.sorted { ($0.step, $0.rank) < ($1.step, $1.rank) }
    }

    static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}

/// The Python the torch tests use: `COLLATE_PYTHON` (a path or a name on `PATH`), else
/// `COLLATE_TORCH_PYTHON` (the worker tests' variable), else `python3`.
enum TorchPython {
    static let requested = ProcessInfo.processInfo.environment["COLLATE_PYTHON"]
        ?? ProcessInfo.processInfo.environment["COLLATE_TORCH_PYTHON"] ?? "python3"

    /// The interpreter's path, or `nil` when it cannot be found.
    static let interpreter: String? = {
        if requested.contains("/") { return FileManager.default.isExecutableFile(atPath: requested) ? requested : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(requested)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether the interpreter imports torch, transformers and safetensors (checked once, with a deadline).
    static let hasTorch: Bool = {
        guard let interpreter else { return false }
        let result = try? TimedProcess.run(interpreter, ["-c", "import torch, transformers, safetensors"], timeout: 120)
        return result?.status == 0
    }()

    /// `torchrun` beside the interpreter, else `python -m torch.distributed.run` (the same program).
    static let torchrun: [String] = {
        let python = TorchPython.interpreter ?? requested
        let beside = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("torchrun").path
        return FileManager.default.isExecutableFile(atPath: beside) ? [beside] : [python, "-m", "torch.distributed.run"]
    }()

    static let noPythonMessage = "\(requested) not found; set COLLATE_PYTHON=/path/to/python"
    static let skipMessage = "torch not importable by \(requested); enable with "
        + "`pip install -r Sources/CollateBackends/Worker/requirements.txt` or COLLATE_PYTHON=/path/to/python"
}

/// Runs a process with a deadline: output goes to files (a full pipe can never block it), and
/// past the deadline it gets SIGTERM (torchrun then stops its workers), then SIGKILL.
enum TimedProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval, environment: [String: String] = [:]) throws -> Result {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: directory.path])
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for key in ["RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"] { merged[key] = nil }
        merged["OMP_NUM_THREADS"] = merged["OMP_NUM_THREADS"] ?? "1"
        merged.merge(environment) { $1 }
        process.environment = merged
        process.currentDirectoryURL = CollateProcess.repositoryRoot
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                let grace = Date().addingTimeInterval(10)
                while process.isRunning && Date() < grace { Thread.sleep(forTimeInterval: 0.05) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                      stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self),
                      timedOut: timedOut)
    }
}
