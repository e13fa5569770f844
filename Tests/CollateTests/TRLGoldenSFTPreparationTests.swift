import Collate
import Testing

/// One case of `Tests/Fixtures/trl/sft_preparation.jsonl`: a real TRL 1.16.0 `SFTTrainer`
/// preparing a small dataset (the tokenizer's ids recorded as TRL asked for them), the prepared
/// `input_ids`/`labels`, and the trainer's collator over them.
struct SFTPreparationCase: Sendable, CustomTestStringConvertible {
    let id: String
    let object: JSONObject
    var testDescription: String { id }

    static let all: [SFTPreparationCase] = Fixtures.jsonLines("trl/sft_preparation.jsonl").compactMap { line in
        guard case .object(let object) = line, case .string(let id)? = object["id"] else { return nil }
        return SFTPreparationCase(id: id, object: object)
    }
}

@Suite("Parity with TRL 1.16 SFTTrainer dataset preparation (after tokenizing)")
struct TRLGoldenSFTPreparationTests {
    static func ids(_ value: JSONValue?) -> [Int32] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap { if case .integer(let number) = $0 { Int32(exactly: number) } else { nil } }
    }

    @Test func everyCaseIsLoaded() {
        #expect(SFTPreparationCase.all.count == 10)
    }

    @Test("prepared examples and the collated batch", arguments: SFTPreparationCase.all)
    func parity(_ golden: SFTPreparationCase) throws {
        let object = golden.object
        guard case .string(let format)? = object["format"], case .object(let config)? = object["config"],
              case .array(let rows)? = object["rows"], case .array(let tokenized)? = object["tokenized"],
              case .array(let prepared)? = object["prepared"], case .string(let eos)? = object["eos_token"],
              case .integer(let pad)? = object["pad_token_id"], case .object(let batch)? = object["batch"] else {
            Issue.record("malformed case")
            return
        }
        var preparation = SFTPreparation()
        switch config["max_length"] {
        case .integer(let length)?: preparation.maxLength = Int(length)
        case .null?: preparation.maxLength = nil
        default: break
        }
        if case .string(let mode)? = config["truncation_mode"] { preparation.truncationMode = try #require(SFTPreparation.TruncationMode(rawValue: mode)) }
        if case .bool(let flag)? = config["completion_only_loss"] { preparation.completionOnlyLoss = flag }

        var examples: [Example] = []
        for (row, tokens) in zip(rows, tokenized) {
            guard case .object(let row) = row, case .object(let tokens) = tokens else { continue }
            if format == "text" {
                if case .string(let text)? = row["text"] {
                    #expect(SFTPreparation.appendingEOS(text, eosToken: eos).hasSuffix(eos))
                    #expect(SFTPreparation.appendingEOS(text, eosToken: eos).count == text.count + (text.hasSuffix(eos) ? 0 : eos.count))
                }
                examples.append(Example(inputIDs: Self.ids(tokens["text_ids"])))
            } else {
                examples.append(SFTPreparation.promptCompletion(promptIDs: Self.ids(tokens["prompt_ids"]), promptCompletionIDs: Self.ids(tokens["prompt_completion_ids"])))
            }
        }
        let ours = preparation.prepare(examples)
        #expect(ours.count == prepared.count, "examples kept")
        for (example, expected) in zip(ours, prepared) {
            guard case .object(let expected) = expected else { continue }
            #expect(example.inputIDs == Self.ids(expected["input_ids"]))
            #expect(example.labels == Self.ids(expected["labels"]))
        }
        let collated = try SFTCollator(padTokenID: Int32(pad)).collate(ours.map { Example(inputIDs: $0.inputIDs, labels: $0.labels) })
        #expect(collated.names == batch.keys)
        for (name, entry) in batch.members {
            guard case .object(let spec) = entry else { continue }
            #expect(collated[name]?.jsonValue == spec["value"], "\(name)")
        }
    }
}
