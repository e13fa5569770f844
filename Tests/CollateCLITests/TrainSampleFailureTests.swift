import Foundation
import Testing

/// Samples/TorchDDP/train.py when a rank fails: Tests/Python/train_sample_tests.py starts two
/// ranks by hand and stops (SIGSTOP) or kills one, truncates one rank's shard, drives the loss
/// to NaN, and runs --fsdp without torchrun. Runs when `COLLATE_PYTHON` (default `python3`)
/// imports torch, transformers and safetensors; otherwise skipped with how to enable it.
///
/// Before (session 5): a hung rank left the other waiting in all_reduce for torch's default 30
/// minutes; a rank that could not read its shards returned while the other died with a gloo
/// traceback; a NaN loss was printed and the optimizer stepped on it; --fsdp in one process was
/// silently ignored.
@Suite struct TrainSampleFailureTests {
    @Test(.enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(15)))
    func trainSampleFailurePythonTests() throws {
        let python = try #require(TorchPython.interpreter)
        let script = CollateProcess.repositoryRoot.appendingPathComponent("Tests/Python/train_sample_tests.py").path
        let result = try TimedProcess.run(python, [script, "--collate", CollateProcess.productsDirectory.appendingPathComponent("collate").path],
                                          timeout: 840)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("6 tests passed"), "\(result.stdout)")
    }
}
