import Collate
import CollateTokenizers
import Foundation
import Testing

/// TRL 1.16.0 `SFTTrainer` preparation end to end with Collate's own tokenizer: the texts of
/// `Tests/Fixtures/trl/sft_preparation.jsonl` tokenized by `PretrainedTokenizer` (mistral-v1)
/// as TRL tokenizes them, then ``SFTPreparation``, give TRL's prepared `input_ids` and `labels`.
@Suite("SFT preparation with Collate's tokenizer equals TRL 1.16 SFTTrainer")
struct SFTPreparationTokenizerTests {
    static let fixtures = Fixtures.root

    static let cases: [JSONObject] = {
        guard let text = try? String(contentsOf: fixtures.appendingPathComponent("trl/sft_preparation.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let object)? = try? JSONParser.parse(String(line)) else { return nil }
            return object
        }
    }()

    static func ids(_ value: JSONValue?) -> [Int32] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap { if case .integer(let number) = $0 { Int32(exactly: number) } else { nil } }
    }

    @Test func everyCaseFromText() throws {
        #expect(Self.cases.count == 10)
        let tokenizer = try PretrainedTokenizer(contentsOf: Self.fixtures.appendingPathComponent("tokenizers/mistral-v1"))
        for object in Self.cases {
            guard case .string(let id)? = object["id"], case .string(let format)? = object["format"], case .string(let eos)? = object["eos_token"],
                  case .object(let config)? = object["config"], case .array(let rows)? = object["rows"], case .array(let prepared)? = object["prepared"] else {
                Issue.record("malformed case")
                continue
            }
            var preparation = SFTPreparation()
            if case .integer(let length)? = config["max_length"] { preparation.maxLength = Int(length) }
            if case .null? = config["max_length"] { preparation.maxLength = nil }
            if case .string(let mode)? = config["truncation_mode"] { preparation.truncationMode = SFTPreparation.TruncationMode(rawValue: mode) ?? .keepStart }
            if case .bool(let flag)? = config["completion_only_loss"] { preparation.completionOnlyLoss = flag }
            var examples: [Example] = []
            for row in rows {
                guard case .object(let row) = row else { continue }
                if format == "text", case .string(let text)? = row["text"] {
                    let ids = try tokenizer.encodeWithOffsets(text: SFTPreparation.appendingEOS(text, eosToken: eos), addSpecialTokens: true).ids
                    examples.append(Example(inputIDs: ids))
                } else if case .string(let prompt)? = row["prompt"], case .string(let completion)? = row["completion"] {
                    let promptIDs = try tokenizer.encodeWithOffsets(text: prompt, addSpecialTokens: true).ids
                    let fullIDs = try tokenizer.encodeWithOffsets(text: prompt + SFTPreparation.appendingEOS(completion, eosToken: eos), addSpecialTokens: true).ids
                    examples.append(SFTPreparation.promptCompletion(promptIDs: promptIDs, promptCompletionIDs: fullIDs))
                }
            }
            let ours = preparation.prepare(examples)
            #expect(ours.count == prepared.count, "\(id): examples kept")
            for (example, expected) in zip(ours, prepared) {
                guard case .object(let expected) = expected else { continue }
                #expect(example.inputIDs == Self.ids(expected["input_ids"]), "\(id)")
                #expect(example.labels == Self.ids(expected["labels"]), "\(id)")
            }
        }
    }
}
