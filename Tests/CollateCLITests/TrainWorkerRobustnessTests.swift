import Foundation
import Testing

/// `collate train --backend worker` when things go wrong: a signal to the host, a NaN loss,
/// many bad examples. Found by using the command as a newcomer would (session 5, "road").
///
/// Before: SIGTERM or Ctrl-C to `collate train` left the worker's process group running (only
/// `collate probe` ended it); a worker's NaN loss, sent as JSON null, was reported as HF's "The
/// model did not return a loss from the inputs, only the following keys: ." with a fix about
/// missing labels; a token-out-of-range dataset printed one paragraph per example and field.
@Suite("collate train --backend worker: signals, NaN, many diagnostics", .serialized)
struct TrainWorkerRobustnessTests {
    /// A stopped `collate train` takes its worker with it: the worker (a shell waiting in the
    /// handshake) and the child it started both die, and the host dies by the same signal.
    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalToTrainEndsTheWorkersGroup(_ signalNumber: Int32) throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let workerFile = directory.appendingPathComponent("worker.pid")
        let childFile = directory.appendingPathComponent("child.pid")
        var worker: pid_t = 0, child: pid_t = 0
        let run = try ProbeWorkerLifetimeTests.collate([
            "train", "--backend", "worker",
            "--worker", "sh -c 'sleep 600 & echo $! > \(childFile.path); echo $$ > \(workerFile.path); wait'",
            "--spec", TrainWorkerTests.seq2seq, "--input", TrainWorkerTests.data, "--steps", "2", "--timeout", "300",
        ]) { process in
            worker = try ProbeWorkerLifetimeTests.pid(in: workerFile)
            child = try ProbeWorkerLifetimeTests.pid(in: childFile)
            kill(process.processIdentifier, signalNumber)
        }
        defer {
            // Never leave them behind, whatever the outcome.
            if worker > 0 { kill(-worker, SIGKILL) }
        }
        #expect(run.signalled && run.status == signalNumber, "collate ended with \(run.status) (signalled: \(run.signalled)): \(run.stderr)")
        #expect(ProbeWorkerLifetimeTests.dies(worker), "the worker still runs after collate train was stopped")
        #expect(ProbeWorkerLifetimeTests.dies(child), "the worker's child still runs after collate train was stopped")
        #expect(run.seconds < 30, "took \(run.seconds) s")
    }

    /// A NaN loss is a non-finite loss, named as such with its step — not HF's missing-loss text.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func aNaNLossIsReportedAsNonFinite() throws {
        let run = TrainWorkerTests.train([
            "--backend", "worker", "--worker", try TrainWorkerTests.fakeWorker("--nan-loss-on accumulate"),
            "--spec", TrainWorkerTests.seq2seq, "--input", TrainWorkerTests.data, "--steps", "3", "--batch-size", "2",
        ])
        #expect(run.status == 1)
        #expect(run.lines.isEmpty, "\(run.lines)")
        #expect(run.text.contains("step 1: the loss is nan"), "\(run.text)")
        #expect(!run.text.contains("did not return a loss"), "\(run.text)")
    }

    /// A worker that exits at once and silently is not told to "see its stderr above".
    @Test func aSilentWorkerThatExitsAtOnceSaysSo() throws {
        let run = TrainWorkerTests.train([
            "--backend", "worker", "--worker", "false",
            "--spec", TrainWorkerTests.seq2seq, "--input", TrainWorkerTests.data, "--steps", "1",
        ])
        #expect(run.status == 1)
        #expect(run.text.contains("the worker exited during 'hello' (exit status 1)"), "\(run.text)")
        #expect(run.text.contains("it wrote nothing to stderr: run its command by hand"), "\(run.text)")
        #expect(!run.text.contains("see its stderr above"), "\(run.text)")
    }

    /// A worker of the user's own that writes Python's bare `NaN` (not JSON) is told how to send it.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func aBareNaNInAReplySaysHowToSendIt() throws {
        let run = TrainWorkerTests.train([
            "--backend", "worker", "--worker", try TrainWorkerTests.fakeWorker("--raw-nan-on accumulate"),
            "--spec", TrainWorkerTests.seq2seq, "--input", TrainWorkerTests.data, "--steps", "1", "--batch-size", "2",
        ])
        #expect(run.status == 1)
        #expect(run.text.contains("not a protocol reply"), "\(run.text)")
        #expect(run.text.contains("JSON has no NaN or Infinity: send a non-finite loss as null with \"loss_nonfinite\""), "\(run.text)")
    }

    /// Every example out of the worker's vocabulary: the diagnostics come grouped by code (the
    /// first in full, a count, a few headlines), as `collate validate` prints them.
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)))
    func manyBadExamplesAreGroupedByCode() throws {
        let python = try #require(TorchPython.interpreter)
        let run = TrainWorkerTests.train([
            "--backend", "worker",
            "--worker", "\(TrainWorkerTests.quoted(python)) \(TrainWorkerTests.quoted(TrainWorkerTests.fake)) --vocab 10",
            "--spec", TrainWorkerTests.seq2seq, "--input", TrainWorkerTests.data, "--steps", "2", "--batch-size", "2",
        ])
        #expect(run.status == 1)
        #expect(run.lines.isEmpty)
        let text = run.text
        // 16 examples x 2 fields used to be 32 paragraphs, each with the whole fix.
        #expect(text.components(separatedBy: "Fix: re-tokenize").count - 1 == 1, "\(text)")
        #expect(text.contains("more with error[token-out-of-range] (32 in all):"), "\(text)")
        #expect(text.contains("lists every one"), "\(text)")
        #expect(!text.contains("(--format json lists every one)"), "train has no --format json: \(text)")
        #expect(text.contains("no training step was taken"), "\(text)")
    }

    /// A worker command line in the pipeline file that cannot be split is rejected input naming
    /// the file and the key (exit 1), not a usage error printing the flags' help (exit 2).
    @Test func aBadWorkerCommandInThePipelineFileNamesTheFile() throws {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CollateProcess.write("{\"input_ids\": [1, 2, 3], \"labels\": [1, 2, 3]}\n", to: "data.jsonl", in: dir)
        let pipeline = try CollateProcess.write(#"""
            {"data": {"path": "data.jsonl"}, "collator": {"type": "language-modeling", "pad_token_id": 0},
             "backend": {"type": "worker", "worker": "python3 \"unclosed"}}
            """#, to: "pipeline.json", in: dir)
        let run = TrainWorkerTests.train(["--config", pipeline, "--steps", "1"])
        #expect(run.status == 1, "\(run.text)")
        #expect(run.text.contains("\(pipeline): key \"backend.worker\""), "\(run.text)")
        #expect(run.text.contains("unterminated quote") && run.text.contains("close the quote"), "\(run.text)")
        #expect(!run.text.contains("usage:"), "\(run.text)")
    }

    /// The shipped worker refuses a --model that is not a model folder and a --config that is
    /// not a JSON object before it imports torch: one line naming the value and the fix, which
    /// `collate train` quotes (it was a transformers traceback, whose tail named neither).
    @Test(.enabled(if: TorchPython.interpreter != nil, Comment(rawValue: TorchPython.noPythonMessage)), .timeLimit(.minutes(2)),
          arguments: [
              ("--model /nonexistent-model-folder", "--model /nonexistent-model-folder: no such folder"),
              ("--model /", "--model /: not a model folder (it has no config.json)"),
              ("--config {bad", "--config '{bad': it is neither an existing file nor JSON text"),
              ("--config [1]", "--config must be a JSON object of config keys, got list"),
              // A config without sizes would be the model type's full default (a 6.7 B Llama).
              ("--config {}", "so transformers would build the model type's full default size"),
              ("--config " + CollateProcess.repositoryRoot.appendingPathComponent("Samples/Data/pipeline.json").path,
               "this is a Collate pipeline file, not a model config"),
          ])
    func theWorkerNamesABadModelSource(_ source: String, _ expected: String) throws {
        let python = try #require(TorchPython.interpreter)
        let run = TrainWorkerTests.train([
            "--backend", "worker",
            "--worker", "\(TrainWorkerTests.quoted(python)) \(TrainWorkerTests.quoted(TrainWorkerTests.worker)) \(source)",
            "--spec", TrainWorkerTests.seq2seq, "--input", TrainWorkerTests.data, "--steps", "1",
        ])
        #expect(run.status == 1)
        #expect(run.text.contains("exit status 2"), "\(run.text)")
        #expect(run.text.contains(expected), "\(run.text)")
        #expect(!run.text.contains("Traceback"), "\(run.text)")
    }
}
