import Collate
@testable import CollateCommandLine
import CollateData
import Foundation
import Testing

/// `collate batch` streams as `collate export` does (the dataset spooled to disk, read back a
/// batch at a time): its output must be byte for byte what the in-memory run prints
/// (`PipelineConfiguration.prepare()` and `PipelineRun.batches()`, what the command used before).
@Suite("collate batch streams")
struct BatchStreamingTests {
    static let data = (1...60).map { line in
        let length = (line * 11) % 37 + 1
        let ids = (0..<length).map { String(line * 100 + $0) }.joined(separator: ", ")
        let labels = (0..<length).map { $0 % 3 == 0 ? "-100" : String(line) }.joined(separator: ", ")
        return #"{"input_ids": [\#(ids)], "labels": [\#(labels)]}"#
    }.joined(separator: "\n") + "\n"

    static let layouts = [
        #""collator": {"type": "flattening", "return_flash_attn_kwargs": true}, "packing": {"strategy": "bfd", "max_tokens": 64}, "shuffle": true, "seed": 7, "batch_size": 3"#,
        #""collator": {"type": "seq2seq", "pad_token_id": 0, "pad_to_multiple_of": 8}, "shuffle": true, "seed": 3, "batch_size": 7"#,
        #""collator": {"type": "flattening"}, "max_length": 20, "truncation": "drop""#,
        #""collator": {"type": "flattening"}, "packing": {"strategy": "ffd", "max_tokens": 48}, "batch_size": 4"#,
    ]

    @Test(arguments: layouts)
    func theOutputIsTheInMemoryRunsOutput(_ keys: String) throws {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(Self.data, to: "data.jsonl", in: dir)
        let config = try CollateProcess.write(#"{"data": {"path": "data.jsonl"}, \#(keys)}"#, to: "p.json", in: dir)
        let result = try CollateProcess.run(["batch", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try PipelineConfiguration(contentsOf: URL(fileURLWithPath: config)).prepare()
        let expected = try run.batches().map { $0.jsonText + "\n" }.joined()
        #expect(result.stdout == expected)
        #expect(!expected.isEmpty)
    }

    /// The sample chat pipeline (tokenized, masked, packed) prints what the in-memory run prints.
    @Test func theSampleChatPipelineIsUnchanged() throws {
        let config = CollateProcess.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples/Data/pipeline.json")
        let result = try CollateProcess.run(["batch", "--config", config.path])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try PipelineConfiguration(contentsOf: config).prepare().batches().map { $0.jsonText + "\n" }.joined()
        #expect(result.stdout == expected)
    }

    /// Past its memory limit the held output moves to an unlinked file and comes back whole, in order.
    @Test func heldOutputSpillsAndGivesBackEveryByte() throws {
        let output = HeldOutput(directory: FileManager.default.temporaryDirectory, memoryLimit: 100)
        let lines = (0..<500).map { "line \($0) " + String(repeating: "x", count: $0 % 37) }
        for line in lines { try output.append(line) }
        #expect(output.isSpilled)
        var released: [UInt8] = []
        try output.release { released += $0 }
        #expect(String(decoding: released, as: UTF8.self) == lines.map { $0 + "\n" }.joined())
        #expect(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix(".collate-batch-") }.isEmpty)
    }
}
