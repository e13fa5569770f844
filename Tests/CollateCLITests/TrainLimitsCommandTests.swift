import Foundation
import Testing

/// `collate train --steps 1000000000000` aborted at once allocating 32 TB for its step records;
/// now it streams them (this run is cut after the first line by `head`, which closes the pipe).
@Suite struct TrainLimitsCommandTests {
    @Test func aHugeStepCountStartsTraining() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try CollateProcess.write(#"{"input_ids": [1, 2, 3, 4]}"# + "\n", to: "in.jsonl", in: directory)
        let spec = CollateProcess.fixtures.appendingPathComponent("bad/support/lm-spec.json").path
        let collate = CollateProcess.productsDirectory.appendingPathComponent("collate").path
        let result = try CollateProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), [
            "-c", "\"$0\" train --backend reference --spec '\(spec)' --input '\(input)' --steps 1000000000000 | head -1", collate,
        ])
        #expect(result.stdout.hasPrefix(#"{"step": 1, "loss": "#), "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(!result.stderr.contains("failed to allocate"), "\(result.stderr)")
    }
}
