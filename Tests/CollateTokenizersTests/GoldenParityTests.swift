import Foundation
import Testing
@testable import CollateTokenizers

/// One case of `Tests/Fixtures/golden/tokenizers.jsonl`: what HF tokenizers 0.23 gives
/// for a text with a real tokenizer.json.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let id: String
    let tokenizer: String
    let text: String
    let addSpecialTokens: Bool
    let ids: [Int32]
    let offsets: [Range<Int>]
    let decoded: String
    /// `decode(skip_special_tokens=True)`, where the golden file has it.
    let decodedSkippingSpecial: String?

    var testDescription: String { id }

    /// All cases of the golden file of real tokenizers (empty if it cannot be read;
    /// `goldenFileIsComplete` then fails).
    static let all: [GoldenCase] = load(Fixtures.goldenFile)

    /// All cases of the golden file of synthetic tokenizers.
    static let components: [GoldenCase] = load(Fixtures.componentsGoldenFile)

    static func load(_ file: URL) -> [GoldenCase] {
        guard let data = try? Data(contentsOf: file),
              let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"] as? String,
                  let tokenizer = object["tokenizer"] as? String,
                  let text = object["text"] as? String,
                  let addSpecialTokens = object["add_special_tokens"] as? Bool,
                  let expected = object["expected"] as? [String: Any],
                  let ids = expected["ids"] as? [Int],
                  let offsets = expected["offsets"] as? [[Int]],
                  let decoded = object["decoded"] as? String
            else { return nil }
            return GoldenCase(
                id: id, tokenizer: tokenizer, text: text, addSpecialTokens: addSpecialTokens,
                ids: ids.map { Int32($0) }, offsets: offsets.map { $0[0]..<$0[1] }, decoded: decoded,
                decodedSkippingSpecial: object["decoded_skip_special"] as? String)
        }
    }

    static func cases(for tokenizer: String) -> [GoldenCase] {
        all.filter { $0.tokenizer == tokenizer }
    }
}

@Suite("HF tokenizers parity on real tokenizer.json files")
struct GoldenParityTests {
    @Test func goldenFileIsComplete() {
        #expect(GoldenCase.all.count == 1012)
        #expect(Set(GoldenCase.all.map(\.tokenizer)) == ["mistral-v1", "mistral-v1-chatml", "tekken"])
    }

    func check(_ golden: GoldenCase) throws {
        let tokenizer = try Fixtures.tokenizer(golden.tokenizer)
        let encoding = tokenizer.encode(golden.text, addSpecialTokens: golden.addSpecialTokens)
        #expect(encoding.ids == golden.ids)
        #expect(encoding.offsets == golden.offsets)
        #expect(tokenizer.decode(ids: golden.ids) == golden.decoded)
        if let expected = golden.decodedSkippingSpecial {
            #expect(tokenizer.decode(ids: golden.ids, skipSpecialTokens: true) == expected)
        }
    }

    @Test("mistral-v1: SentencePiece-style BPE with byte fallback", arguments: GoldenCase.cases(for: "mistral-v1"))
    func mistral(_ golden: GoldenCase) throws { try check(golden) }

    @Test("mistral-v1-chatml: added <|im_start|>/<|im_end|> tokens", arguments: GoldenCase.cases(for: "mistral-v1-chatml"))
    func mistralChatML(_ golden: GoldenCase) throws { try check(golden) }

    @Test("tekken: byte-level BPE with ignore_merges and a Split regex", arguments: GoldenCase.cases(for: "tekken"))
    func tekken(_ golden: GoldenCase) throws { try check(golden) }
}

@Suite("HF tokenizers parity on synthetic tokenizers covering the other components")
struct ComponentParityTests {
    @Test func goldenFileIsComplete() {
        #expect(GoldenCase.components.count == 240)
    }

    @Test("Metaspace (always), NFKC + Lowercase, lstrip/rstrip, normalized and single-word added tokens, template",
          arguments: GoldenCase.components.filter { $0.tokenizer == "synthetic-metaspace" })
    func metaspace(_ golden: GoldenCase) throws { try GoldenParityTests().check(golden) }

    @Test("Metaspace (first, no split), Strip + NFC, unfused unknowns",
          arguments: GoldenCase.components.filter { $0.tokenizer == "synthetic-metaspace-first" })
    func metaspaceFirst(_ golden: GoldenCase) throws { try GoldenParityTests().check(golden) }

    @Test("Every Split behaviour and invert, NFD + Replace, continuing_subword_prefix, decoder Replace/Fuse/Strip",
          arguments: GoldenCase.components.filter { $0.tokenizer == "synthetic-splits" })
    func splits(_ golden: GoldenCase) throws { try GoldenParityTests().check(golden) }

    @Test("GPT-2 ByteLevel with prefix space and offset trimming, non-special added tokens",
          arguments: GoldenCase.components.filter { $0.tokenizer == "synthetic-bytelevel" })
    func byteLevel(_ golden: GoldenCase) throws { try GoldenParityTests().check(golden) }

    @Test("WhitespaceSplit + Whitespace, end_of_word_suffix, no decoder",
          arguments: GoldenCase.components.filter { $0.tokenizer == "synthetic-whitespace" })
    func whitespace(_ golden: GoldenCase) throws { try GoldenParityTests().check(golden) }
}
