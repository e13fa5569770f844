import Foundation
import Testing
@testable import CollateTokenizers

/// Collate encodes a Llama-class SentencePiece tokenizer as its tokenizer.json says (HF
/// `tokenizers` 0.23.3, `PreTrainedTokenizerFast(tokenizer_file=...)`), not as transformers 5.23's
/// `AutoTokenizer` does: `LlamaTokenizer` replaces tokenizer.json's normalizer with a `Metaspace`
/// pre-tokenizer chosen by `legacy`. The goldens record all three (written by
/// `Fixtures/scripts/make_llama_tokenizer_class_goldens.py`); Guides/Masking.md quotes them.
@Suite struct LlamaTokenizerClassTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var tokenizer: String
        var text: String
        var tokenizerJSON: [Int32]
        var autoTokenizer: [Int32]
        var legacyTrue: [Int32]
        var testDescription: String { "\(tokenizer) \(text.debugDescription)" }
    }

    static let cases: [Case] = {
        let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("llama-tokenizer-class.jsonl")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let tokenizer = object["tokenizer"] as? String, let text = object["text"] as? String,
                  let raw = object["tokenizer_json"] as? [Int], let auto = object["auto_tokenizer"] as? [Int],
                  let legacy = object["legacy_true"] as? [Int] else { return nil }
            return Case(tokenizer: tokenizer, text: text, tokenizerJSON: raw.map(Int32.init),
                        autoTokenizer: auto.map(Int32.init), legacyTrue: legacy.map(Int32.init))
        }
    }()

    @Test func goldenFileIsComplete() {
        #expect(Self.cases.count == 16)
    }

    /// Every case: Collate's ids are tokenizer.json's.
    @Test(arguments: cases)
    func collateEncodesAsTokenizerJSON(_ testCase: Case) throws {
        let tokenizer = try Fixtures.tokenizer(testCase.tokenizer)
        #expect(tokenizer.encode(testCase.text, addSpecialTokens: false).ids == testCase.tokenizerJSON)
    }

    /// What the guide says about AutoTokenizer: it differs after a special token (no `▁` is
    /// prepended with `legacy: false`) and on leading spaces; `legacy=True` differs only on
    /// leading spaces and spaces right after a special token.
    @Test func autoTokenizerDiffersWhereTheGuideSays() throws {
        let chatml = try #require(Self.cases.first { $0.tokenizer == "mistral-v1-chatml" && $0.text.hasPrefix("<|im_start|>user") })
        #expect(chatml.tokenizerJSON == [32000, 2188, 13, 23809, 32001, 28705, 13, 32000, 13892, 13, 16230, 32001, 28705, 13])
        #expect(chatml.autoTokenizer == [32000, 1838, 13, 23809, 32001, 13, 32000, 489, 11143, 13, 16230, 32001, 13])
        #expect(chatml.legacyTrue == chatml.tokenizerJSON)
        for testCase in Self.cases where testCase.text == " Hello" {
            #expect(testCase.tokenizerJSON == [28705, 22557])
            #expect(testCase.autoTokenizer == [22557])
            #expect(testCase.legacyTrue == [22557])
        }
        #expect(Self.cases.filter { $0.text == "Hello world" }.allSatisfy { $0.autoTokenizer == $0.tokenizerJSON })
    }
}
