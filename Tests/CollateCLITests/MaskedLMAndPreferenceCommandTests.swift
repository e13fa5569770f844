import Collate
import Foundation
import Testing

@Suite("collate batch with masked-language-modeling and preference specs")
struct MaskedLMAndPreferenceCommandTests {
    static let mlmSpec = #"{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 30, "special_token_ids": [2, 3], "mlm_probability": 0.5, "seed": 17}"#
    static let sentences = (0..<6).map { row in
        #"{"input_ids": [2, \#((5..<29).map { String(($0 + row) % 25 + 5) }.joined(separator: ", ")), 3]}"#
    }.joined(separator: "\n")

    @Test func sameSeedSameBatchesAndEachBatchItsOwnMasks() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let arguments = [
            "batch", "--spec", try CollateProcess.write(Self.mlmSpec, to: "spec.json", in: dir),
            "--input", try CollateProcess.write(Self.sentences, to: "in.jsonl", in: dir), "--batch-size", "3",
        ]
        let first = try CollateProcess.run(arguments)
        let second = try CollateProcess.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        #expect(first.stdoutLines.count == 2)
        guard case .object(let one) = try JSONParser.parse(first.stdoutLines[0]),
              case .object(let two) = try JSONParser.parse(first.stdoutLines[1]) else {
            Issue.record("batches are not objects")
            return
        }
        #expect(one.keys == ["input_ids", "attention_mask", "labels"])
        // Rows 3-5 are rows 0-2 shifted by three ids; the second batch uses the next stream, so its masks differ.
        let positions = { (batch: JSONObject) -> [[Bool]] in
            guard case .array(let rows)? = batch["labels"] else { return [] }
            return rows.map { row in
                guard case .array(let values) = row else { return [] }
                return values.map { $0 != .integer(-100) }
            }
        }
        #expect(positions(one) != positions(two))
    }

    @Test func preferenceExampleWithoutRejectedExitsOneNamingTheLine() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let input = try CollateProcess.write("""
            {"prompt_input_ids": [1, 2], "chosen_input_ids": [3], "rejected_input_ids": [4]}
            {"prompt_input_ids": [1, 2], "chosen_input_ids": [3]}

            """, to: "in.jsonl", in: dir)
        let spec = try CollateProcess.write(#"{"type": "preference", "pad_token_id": 0, "layout": "torchtune"}"#, to: "spec.json", in: dir)
        let result = try CollateProcess.run(["batch", "--spec", spec, "--input", input])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(input):2: example 1 has no 'rejected_input_ids'"), "\(result.stderr)")
    }

    @Test func mlmSpecWithoutMaskTokenExitsOneNamingTheKey() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let spec = try CollateProcess.write(#"{"type": "masked-language-modeling", "pad_token_id": 0}"#, to: "spec.json", in: dir)
        let result = try CollateProcess.run(["batch", "--spec", spec, "--input", try CollateProcess.write(Self.sentences, to: "in.jsonl", in: dir)])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"needs key "mask_token_id""#), "\(result.stderr)")
    }
}
