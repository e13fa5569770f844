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

    var testDescription: String { id }

    /// All cases of the golden file (empty if it cannot be read; `goldenFileIsComplete`
    /// then fails).
    static let all: [GoldenCase] = {
        guard let data = try? Data(contentsOf: Fixtures.goldenFile),
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
                ids: ids.map { Int32($0) }, offsets: offsets.map { $0[0]..<$0[1] }, decoded: decoded)
        }
    }()

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
    }

    @Test("mistral-v1: SentencePiece-style BPE with byte fallback", arguments: GoldenCase.cases(for: "mistral-v1"))
    func mistral(_ golden: GoldenCase) throws { try check(golden) }

    @Test("mistral-v1-chatml: added <|im_start|>/<|im_end|> tokens", arguments: GoldenCase.cases(for: "mistral-v1-chatml"))
    func mistralChatML(_ golden: GoldenCase) throws { try check(golden) }

    @Test("tekken: byte-level BPE with ignore_merges and a Split regex", arguments: GoldenCase.cases(for: "tekken"))
    func tekken(_ golden: GoldenCase) throws { try check(golden) }
}
