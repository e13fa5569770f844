import Foundation
import Testing
@testable import CollateTokenizers

/// Regression tests for the two classes an outside check found (reference: HF tokenizers
/// 0.23.3, goldens in `Tests/Fixtures/golden/components.jsonl`).
@Suite("Regressions: U+FEFF vocabulary pieces, offsets after composing stacked marks")
struct TokenizerRegressionTests {
    /// A SentencePiece piece that is exactly U+FEFF used to load as "" (JSONSerialization drops
    /// a leading U+FEFF of every string), so byte-fallback pieces came out instead of its id.
    @Test func byteOrderMarkPieceIsMatched() throws {
        let json = Data(#"{"model": {"type": "BPE", "vocab": {"<0xEF>": 0, "<0xBB>": 1, "<0xBF>": 2, "\#u{FEFF}": 3, "a": 4, "\#u{FEFF}a": 5}, "merges": [["\#u{FEFF}", "a"]], "byte_fallback": true}}"#.utf8)
        let tokenizer = try PretrainedTokenizer(data: json)
        #expect(tokenizer.encode("\u{FEFF}", addSpecialTokens: false).ids == [3])
        #expect(tokenizer.encode("\u{FEFF}a", addSpecialTokens: false).ids == [5])
        #expect(tokenizer.id(of: "\u{FEFF}") == 3)
        #expect(tokenizer.token(of: 3) == "\u{FEFF}")
    }

    /// A vocabulary holding both "é" (U+00E9) and "e\u{301}", and a Hangul syllable and its
    /// jamo: each id is its own (Foundation's parser folds such keys; Swift's `String` equality
    /// would match one for the other).
    @Test func canonicallyEquivalentVocabularyKeysStayApart() throws {
        let json = Data("""
            {"model": {"type": "WordLevel", "unk_token": "<unk>", "vocab": {"<unk>": 0, "\u{E9}": 1, "e\u{301}": 2, "\u{AC01}": 3, "\u{1100}\u{1161}\u{11A8}": 4}},
             "pre_tokenizer": {"type": "WhitespaceSplit"}}
            """.utf8)
        let tokenizer = try PretrainedTokenizer(data: json)
        #expect(tokenizer.encode("\u{E9} e\u{301} \u{AC01} \u{1100}\u{1161}\u{11A8}", addSpecialTokens: false).ids == [1, 2, 3, 4])
        #expect(tokenizer.id(of: "e\u{301}") == 2)
        #expect(tokenizer.token(of: 1) == "\u{E9}")
        #expect(tokenizer.vocabularySize == 5)
    }

    @Test("U+FEFF goldens of a SentencePiece BPE vocabulary",
          arguments: GoldenCase.components.filter { $0.tokenizer == "synthetic-spm-bpe-bom" && $0.text.unicodeScalars.contains("\u{FEFF}") })
    func byteOrderMarkGoldens(_ golden: GoldenCase) throws {
        try GoldenParityTests().check(golden)
    }

    /// NFC/NFKC used to realign composed text by position inside a segment; HF's crate lets
    /// each scalar's change travel with it through canonical reordering.
    @Test("Stacked combining marks, Hangul jamo and Indic under NFC / NFKC / NFD / NFKD",
          arguments: GoldenCase.components.filter {
              ["synthetic-metaspace", "synthetic-metaspace-first", "synthetic-splits", "synthetic-bytelevel", "synthetic-whitespace"].contains($0.tokenizer)
                  && ($0.id.contains("-more0-") || $0.id.contains("-more1-") || $0.id.contains("-more2-"))
          })
    func stackedMarks(_ golden: GoldenCase) throws {
        try GoldenParityTests().check(golden)
    }

    @Test func stackedMarksCasesExist() {
        #expect(GoldenCase.components.filter { $0.text.hasPrefix("e\u{301}\u{323}") }.count >= 20)
    }
}
