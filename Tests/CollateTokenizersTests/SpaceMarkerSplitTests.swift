import Foundation
import Testing
@testable import CollateTokenizers

/// Cutting SentencePiece-style BPE words at "▁" (``_BPE/splitsAtSpaceMarkers``): the cut
/// words must give exactly the tokens of the uncut ones, and of HF `tokenizers` 0.23.3
/// (`Tests/Fixtures/golden/space_marker.jsonl`, `Tests/Fixtures/scripts/make_space_marker_goldens.py`).
@Suite("Space-marker word splitting")
struct SpaceMarkerSplitTests {
    /// One golden line.
    struct Case: Sendable, CustomTestStringConvertible {
        let tokenizer: String
        let text: String
        let ids: [Int32]
        let offsets: [Range<Int>]
        var testDescription: String { "\(tokenizer): \(text.prefix(40).debugDescription) (\(text.count) characters)" }
    }

    static let goldenFile = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("space_marker.jsonl")

    static let cases: [Case] = {
        guard let data = try? Data(contentsOf: goldenFile) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Fixtures.escapingByteOrderMarks(Data(line))) as? [String: Any],
                  let tokenizer = object["tokenizer"] as? String, let text = object["text"] as? String,
                  let ids = object["ids"] as? [Int], let offsets = object["offsets"] as? [[Int]]
            else { return nil }
            return Case(tokenizer: tokenizer, text: text, ids: ids.map { Int32($0) },
                        offsets: offsets.map { $0[0]..<$0[1] })
        }
    }()

    /// SentencePiece-style BPE fixtures whose vocabulary allows cutting.
    static let splitting = ["mistral-v1", "mistral-v1-chatml", "synthetic-spm-bpe-bom", "synthetic-metaspace"]
    /// BPE fixtures where cutting must stay off: a token with "▁" after another scalar
    /// ("a▁b", "e▁"), or no "▁" token at all, or a continuing-subword prefix / word suffix.
    static let notSplitting = [
        "synthetic-spm-bpe-marker-inside", "synthetic-metaspace-first", "synthetic-bytelevel",
        "synthetic-roberta", "tekken", "synthetic-splits", "synthetic-whitespace",
    ]

    static func bpe(_ name: String) throws -> _BPE {
        let tokenizer = try Fixtures.tokenizer(name)
        guard case .bpe(let model) = tokenizer.model else {
            Issue.record("\(name) is not a BPE tokenizer")
            throw CancellationError()
        }
        return model
    }

    @Test("The golden file covers every tokenizer")
    func goldenFileIsComplete() {
        #expect(Self.cases.count == 26 * 5)
    }

    @Test("Cutting is on exactly where the load-time check allows it", arguments: splitting + notSplitting)
    func loadTimeCheck(name: String) throws {
        #expect(try Self.bpe(name).splitsAtSpaceMarkers == Self.splitting.contains(name))
    }

    @Test("The vocabulary check finds a \"▁\" after another scalar, from UTF-8 bytes")
    func markerAfterOtherScalar() {
        for token in ["a▁b", "e▁", "é▁", "日▁", "😀▁", "▁a▁", "▁▁a▁", "<0xE2>▁"] {
            #expect(_SpaceMarkerSplit.hasMarkerAfterOtherScalar(token), "\(token)")
        }
        for token in ["▁", "▁▁", "▁▁▁▁", "▁a", "▁▁hello", "abc", "", "\u{2580}\u{2581}".dropFirst().description, "\u{E296}"] {
            #expect(!_SpaceMarkerSplit.hasMarkerAfterOtherScalar(token), "\(token)")
        }
        // U+2580 is E2 96 80: not "▁", so "▀▁" has a marker after another scalar.
        #expect(_SpaceMarkerSplit.hasMarkerAfterOtherScalar("\u{2580}\u{2581}"))
    }

    @Test("Encoding matches HF tokenizers 0.23.3 (ids and offsets) on long chat-like texts", arguments: cases)
    func matchesHF(_ golden: Case) throws {
        let encoding = try Fixtures.tokenizer(golden.tokenizer).encodeWithOffsets(text: golden.text, addSpecialTokens: false)
        #expect(encoding.ids == golden.ids)
        #expect(encoding.offsets == golden.offsets)
    }

    /// The words the model sees for `text` under `Prepend("▁")` + `Replace(" ", "▁")`; the
    /// model takes any scalars, so the same words test every tokenizer.
    static func word(_ text: String) -> [Unicode.Scalar] {
        [_SpaceMarkerSplit.marker] + text.unicodeScalars.map { $0 == " " ? _SpaceMarkerSplit.marker : $0 }
    }

    /// Seeded texts of words, space runs, "▁" runs, byte-fallback and unknown scalars.
    static func randomWords(count: Int) -> [[Unicode.Scalar]] {
        var generator = SplitMix(seed: 0x5EED)
        let pieces = ["the", "a", "of", "hello", "world", "def", "x", "_", ".", ",", "é", "日本", "😀", "👩‍💻",
                      "\u{10FFFD}", "\u{E000}", "\u{0}", "\t", "\n", "▁", "▁▁", "▁▁▁", " ", "  ", "     ", "a▁b", "\u{2580}"]
        return (0..<count).map { _ in
            var text = ""
            for _ in 0..<Int(generator.next() % 400) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            return word(text)
        }
    }

    @Test("Cut words give the tokens of uncut words (ids and offsets)", arguments: splitting)
    func cutEqualsUncut(name: String) throws {
        let model = try Self.bpe(name)
        #expect(model.splitsAtSpaceMarkers)
        let words = Self.cases.map { Self.word($0.text) } + Self.randomWords(count: 300)
        for word in words {
            let cut = model.tokenize(word)
            let uncut = model.tokenizeUnsplit(word)
            #expect(cut == uncut, "\(name): \(String(String.UnicodeScalarView(word)).prefix(60).debugDescription)")
            // Twice: the second time from the word cache.
            #expect(model.tokenize(word) == uncut)
        }
    }

    @Test("A vocabulary with \"a▁b\" keeps words whole, as HF does")
    func markerInsideTokenDisablesCutting() throws {
        let model = try Self.bpe("synthetic-spm-bpe-marker-inside")
        #expect(!model.splitsAtSpaceMarkers)
        // "▁a▁b": merged whole, "a▁" then "a▁b" win; cut as "▁a" + "▁b" it would differ.
        let word = Self.word("a b")
        let vocab = model.vocab
        #expect(model.tokenize(word).map(\.id) == [vocab[token: "▁"], vocab[token: "a▁b"]].compactMap { $0 })
        let tokenizer = try Fixtures.tokenizer("synthetic-spm-bpe-marker-inside")
        #expect(try tokenizer.encodeWithOffsets(text: "a b", addSpecialTokens: false).ids == [1, 8])
    }
}

/// A small seeded generator (SplitMix64), so the random words are the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
