import Collate
import Foundation
import Testing

@Suite("collate batch and collate bench")
struct BatchCommandTests {
    static let spec = #"{"type": "language-modeling", "pad_token_id": 0, "padding_side": "right"}"#
    static let examples = """
        {"input_ids": [5, 6, 7]}
        {"input_ids": [8]}
        {"input_ids": [9, 10]}

        """

    @Test func oneBatchOfAllLinesByDefault() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let result = try CollateProcess.run([
            "batch", "--spec", try CollateProcess.write(Self.spec, to: "spec.json", in: dir),
            "--input", try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 1)
        let batch = try JSONParser.parse(try #require(result.stdoutLines.first))
        let expected = try JSONParser.parse(#"{"input_ids": [[5, 6, 7], [8, 0, 0], [9, 10, 0]], "attention_mask": [[1, 1, 1], [1, 0, 0], [1, 1, 0]], "labels": [[5, 6, 7], [8, -100, -100], [9, 10, -100]]}"#)
        #expect(batch == expected)
    }

    @Test func batchSizeSplitsAndKeepsTheLastPartialBatch() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let result = try CollateProcess.run([
            "batch", "--spec", try CollateProcess.write(#"{"type": "flattening", "return_flash_attn_kwargs": true}"#, to: "spec.json", in: dir),
            "--input", try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir), "--batch-size", "2",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 2)
        let last = try JSONParser.parse(result.stdoutLines[1])
        #expect(last == (try JSONParser.parse(#"{"input_ids": [[9, 10]], "labels": [[-100, 10]], "position_ids": [[0, 1]], "cu_seq_lens_q": [0, 2], "cu_seq_lens_k": [0, 2], "max_length_q": 2, "max_length_k": 2}"#)))
    }

    @Test func goldenCaseThroughTheCommandLine() throws {
        // The first transformers case, end to end through files and stdout.
        let line = try #require(String(contentsOf: CollateProcess.fixtures.appendingPathComponent("golden/collators.jsonl"), encoding: .utf8)
            .split(separator: "\n").first)
        guard case .object(let golden) = try JSONParser.parse(String(line)), let spec = golden["spec"],
              case .array(let features)? = golden["features"], let expected = golden["expected"] else {
            Issue.record("malformed golden line")
            return
        }
        let dir = try CollateProcess.temporaryDirectory()
        let result = try CollateProcess.run([
            "batch", "--spec", try CollateProcess.write(spec.jsonText, to: "spec.json", in: dir),
            "--input", try CollateProcess.write(features.map(\.jsonText).joined(separator: "\n"), to: "in.jsonl", in: dir),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONParser.parse(result.stdout) == expected)
    }

    @Test func badLineExitsOneNamingFileAndLine() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let input = try CollateProcess.write("{\"input_ids\": [1]}\n\n{\"input_ids\": [1, \"x\"]}\n", to: "in.jsonl", in: dir)
        let result = try CollateProcess.run(["batch", "--spec", try CollateProcess.write(Self.spec, to: "spec.json", in: dir), "--input", input])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(input):3: field 'input_ids[1]' = \"x\""))
        #expect(result.stdout.isEmpty)
    }

    @Test func collationErrorNamesTheInputLine() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let input = try CollateProcess.write("{\"input_ids\": [1]}\n{\"labels\": [1]}\n", to: "in.jsonl", in: dir)
        let result = try CollateProcess.run(["batch", "--spec", try CollateProcess.write(Self.spec, to: "spec.json", in: dir), "--input", input])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(input):2: example 1 has no 'input_ids'"))
    }

    @Test func badSpecExitsOneNamingTheKey() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let spec = try CollateProcess.write(#"{"type": "language-modeling", "pad_token": 0}"#, to: "spec.json", in: dir)
        let result = try CollateProcess.run(["batch", "--spec", spec, "--input", try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"unknown key "pad_token""#))
        #expect(result.stderr.contains(spec))
    }

    @Test("Usage errors exit 2", arguments: [
        ["batch"], ["batch", "--spec"], ["batch", "--spec", "s.json", "--input", "i.jsonl", "--batch-size", "0"],
        ["batch", "--spec", "s.json", "--input", "i.jsonl", "--bogus"], ["bench", "--spec", "s.json", "--input", "i.jsonl"], ["frobnicate"], [],
    ])
    func usageErrors(_ arguments: [String]) throws {
        let result = try CollateProcess.run(arguments)
        #expect(result.status == 2)
        #expect(!result.stderr.isEmpty)
    }

    @Test func missingInputFileExitsOne() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let result = try CollateProcess.run(["batch", "--spec", try CollateProcess.write(Self.spec, to: "spec.json", in: dir), "--input", dir.appendingPathComponent("nope.jsonl").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nope.jsonl"))
    }

    @Test func benchPrintsOneJSONLine() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let result = try CollateProcess.run([
            "bench", "--spec", try CollateProcess.write(Self.spec, to: "spec.json", in: dir),
            "--input", try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir), "--batch-size", "2",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 1)
        guard case .object(let report) = try JSONParser.parse(result.stdout) else {
            Issue.record("not an object")
            return
        }
        #expect(report.keys == ["tokens", "batches", "seconds", "tokens_per_second"])
        #expect(report["tokens"] == .integer(6))
        #expect(report["batches"] == .integer(2))
    }

    @Test func benchCountsEveryTokenOfExamplesWithoutInputIDs() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let result = try CollateProcess.run([
            "bench", "--spec", try CollateProcess.write(#"{"type": "preference", "pad_token_id": 0}"#, to: "spec.json", in: dir),
            "--input", try CollateProcess.write(#"{"prompt_input_ids": [1, 2], "chosen_input_ids": [3], "rejected_input_ids": [4, 5]}"#, to: "in.jsonl", in: dir),
            "--batch-size", "1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let report) = try JSONParser.parse(result.stdout) else { Issue.record("not an object"); return }
        #expect(report["tokens"] == .integer(5))
    }
}
