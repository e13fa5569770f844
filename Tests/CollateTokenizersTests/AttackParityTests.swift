import Foundation
import Testing
@testable import CollateTokenizers

/// One case of `Tests/Fixtures/golden/attack.jsonl`: HF tokenizers 0.23.3 on a tokenizer of
/// `Tests/Fixtures/tokenizers/attack-*`, written by `Tests/Fixtures/scripts/attack_tokenizers.py`.
struct AttackCase: Sendable, CustomTestStringConvertible {
    let id: String
    let tokenizer: String
    let text: String
    /// The second text of a pair (`encode(text, pair)`), if the case is a pair.
    let pair: String?
    let addSpecialTokens: Bool
    let ids: [Int32]
    let offsets: [Range<Int>]
    let typeIDs: [Int32]
    let attentionMask: [Int32]
    let decoded: String
    let decodedSkippingSpecial: String

    var testDescription: String { id }

    static let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("attack.jsonl")

    /// Every case of the file (empty when it cannot be read: `fileIsComplete` then fails).
    static let all: [AttackCase] = {
        // The file is ASCII (`ensure_ascii`), so no raw U+FEFF reaches JSONSerialization.
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"] as? String, let tokenizer = object["tokenizer"] as? String,
                  let text = object["text"] as? String, let add = object["add_special_tokens"] as? Bool,
                  let expected = object["expected"] as? [String: Any],
                  let ids = expected["ids"] as? [Int], let offsets = expected["offsets"] as? [[Int]],
                  let typeIDs = expected["type_ids"] as? [Int], let mask = expected["attention_mask"] as? [Int],
                  let decoded = object["decoded"] as? String, let skipping = object["decoded_skip_special"] as? String,
                  offsets.allSatisfy({ $0.count == 2 && $0[0] <= $0[1] })
            else { return nil }
            return AttackCase(
                id: id, tokenizer: tokenizer, text: text, pair: object["pair"] as? String, addSpecialTokens: add, ids: ids.map(Int32.init),
                offsets: offsets.map { $0[0]..<$0[1] }, typeIDs: typeIDs.map(Int32.init), attentionMask: mask.map(Int32.init),
                decoded: decoded, decodedSkippingSpecial: skipping)
        }
    }()

    static func cases(_ tokenizer: String) -> [AttackCase] { all.filter { $0.tokenizer == tokenizer } }

    /// Loads a tokenizer of `Tests/Fixtures/tokenizers` once per test run.
    static func tokenizer(_ name: String) throws -> PretrainedTokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let loaded = loaded[name] { return try loaded.get() }
        let result = Result { try PretrainedTokenizer(contentsOf: Fixtures.root.appendingPathComponent("tokenizers").appendingPathComponent(name)) }
        loaded[name] = result
        return try result.get()
    }

    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var loaded: [String: Result<PretrainedTokenizer, any Error>] = [:]
}

/// An outside newcomer's check of the parity claim: tokenizers trained by HF `tokenizers`
/// 0.23.3 with component settings no other fixture uses, on texts no other golden holds
/// (chat turns, code, Thai, Arabic with diacritics, ZWJ emoji, control characters, scalars
/// newer than HF's Unicode tables, 1000-scalar words). Reference: HF tokenizers 0.23.3; every
/// case of the file is tested (ids, offsets, type ids, attention mask, both decodes), pairs
/// through `encode(_:pair:addSpecialTokens:)`.
@Suite("Attack: HF tokenizers 0.23.3 parity on unusual component settings and texts")
struct AttackParityTests {
    static let covered = [
        "attack-bpe-prefix-suffix", "attack-bpe-byte-fallback-partial", "attack-bytelevel-noregex",
        "attack-split-behaviours", "attack-metaspace-never", "attack-wordpiece-odd", "attack-wordlevel-ws",
        "attack-unigram-hf", "attack-unigram-bytefallback-hf", "attack-split-empty-matches", "attack-split-empty-pattern",
        "attack-added-tokens-mix", "attack-roberta-prefix", "attack-bytelevel-template-pairs",
    ]

    @Test func fileIsComplete() {
        #expect(AttackCase.all.count == 1478)
        #expect(AttackCase.all.filter { $0.pair != nil }.count == 50)
        #expect(Set(AttackCase.all.map(\.tokenizer)) == Set(Self.covered))
    }

    func check(_ golden: AttackCase) throws {
        let tokenizer = try AttackCase.tokenizer(golden.tokenizer)
        let encoding = if let pair = golden.pair {
            try tokenizer.encode(golden.text, pair: pair, addSpecialTokens: golden.addSpecialTokens)
        } else {
            tokenizer.encode(golden.text, addSpecialTokens: golden.addSpecialTokens)
        }
        #expect(encoding.ids == golden.ids)
        #expect(encoding.offsets == golden.offsets)
        #expect(encoding.typeIDs == golden.typeIDs)
        #expect(encoding.attentionMask == golden.attentionMask)
        #expect(tokenizer.decode(ids: golden.ids) == golden.decoded)
        #expect(tokenizer.decode(ids: golden.ids, skipSpecialTokens: true) == golden.decodedSkippingSpecial)
    }

    @Test("BPE with continuing_subword_prefix AND end_of_word_suffix, fuse_unk false, nested Sequences, BPEDecoder",
          arguments: AttackCase.cases("attack-bpe-prefix-suffix"))
    func prefixSuffix(_ golden: AttackCase) throws { try check(golden) }

    @Test("BPE byte_fallback with only some <0xXX> pieces, added byte-named tokens",
          arguments: AttackCase.cases("attack-bpe-byte-fallback-partial"))
    func partialByteFallback(_ golden: AttackCase) throws { try check(golden) }

    @Test("ByteLevel use_regex false, Lowercase, single_word / lstrip+rstrip specials",
          arguments: AttackCase.cases("attack-bytelevel-noregex"))
    func byteLevelNoRegex(_ golden: AttackCase) throws { try check(golden) }

    /// Regression: HF 0.23 decodes (and `id_to_token`s) a `normalized` added token as the
    /// normalizer's output of its content; Collate used its raw content ("Hello").
    @Test func normalizedAddedTokenDecodesAsNormalized() throws {
        let tokenizer = try PretrainedTokenizer(
            contentsOf: Fixtures.root.appendingPathComponent("tokenizers").appendingPathComponent("attack-bytelevel-noregex"))
        // HF tokenizers 0.23.3: token_to_id("Hello") == 701, id_to_token(701) == "hello".
        #expect(tokenizer.id(of: "Hello") == 701)
        #expect(tokenizer.token(of: 701) == "hello")
        #expect(tokenizer.decode(ids: [701, 221, 12]) == "hello ,")
        // normalized: false keeps its content.
        #expect(tokenizer.token(of: 702) == " world")
    }

    /// Regression: the WordPiece decoder added a space before every token when its prefix is
    /// empty; HF's `strip_prefix("")` always succeeds, so nothing is added.
    @Test func wordPieceDecoderWithEmptyPrefixJoins() throws {
        let tokenizer = try PretrainedTokenizer(
            contentsOf: Fixtures.root.appendingPathComponent("tokenizers").appendingPathComponent("attack-wordpiece-odd"))
        let ids = tokenizer.encode("marks", addSpecialTokens: false).ids
        #expect(ids.count > 1)
        #expect(tokenizer.decode(ids: ids) == "marks")
    }

    @Test("Split: string pattern, \\p{Han}, invert with every behaviour, (?i), CharDelimiterSplit; ignore_merges",
          arguments: AttackCase.cases("attack-split-behaviours"))
    func splitBehaviours(_ golden: AttackCase) throws { try check(golden) }

    /// Regression: ICU reports an empty match right where the previous match ended, which
    /// Oniguruma's `find_iter` (HF) skips (`x*` with MergedWithNext cut "xxc" in two).
    @Test("Split with patterns matching the empty string (\\s*, x*, y?|\\b), merged behaviours, invert",
          arguments: AttackCase.cases("attack-split-empty-matches"))
    func splitEmptyMatches(_ golden: AttackCase) throws { try check(golden) }

    /// Regression: the empty pattern was refused as "not a valid regular expression"; HF
    /// accepts it (one piece per scalar).
    @Test("Split with the empty pattern", arguments: AttackCase.cases("attack-split-empty-pattern"))
    func splitEmptyPattern(_ golden: AttackCase) throws { try check(golden) }

    /// Regression (with `attack-split-behaviours`' NFC and `attack-unigram-hf`'s NFKC): NFC
    /// left "\u{0CCA}\u{0CD5}" apart (Foundation does not compose it given precomposed),
    /// which HF composes to U+0CCB.
    @Test func kannadaVowelComposesTwice() throws {
        let tokenizer = try AttackCase.tokenizer("attack-metaspace-never")
        let cases = AttackCase.cases("attack-metaspace-never").filter { $0.text.hasPrefix("Kannada") }
        #expect(cases.count == 2)
        for golden in cases {
            #expect(tokenizer.encode(golden.text, addSpecialTokens: golden.addSpecialTokens).ids == golden.ids)
        }
    }

    /// Regression: scalars newer than HF's normalization data (Unicode 9.0) were decomposed
    /// (U+32FF, U+A7F2, U+1E030 under NFKC), composed into (U+11938) and reordered (U+1E4EC);
    /// HF leaves them alone.
    @Test func scalarsNewerThanHFNormalizationDataAreLeftAlone() throws {
        for name in ["attack-metaspace-never", "attack-unigram-hf", "attack-split-behaviours"] {
            let tokenizer = try AttackCase.tokenizer(name)
            let cases = AttackCase.cases(name).filter { $0.text.hasPrefix("new ") }
            #expect(cases.count == 2)
            for golden in cases {
                let encoding = tokenizer.encode(golden.text, addSpecialTokens: golden.addSpecialTokens)
                #expect(encoding.ids == golden.ids)
                #expect(encoding.offsets == golden.offsets)
            }
        }
    }

    @Test("Metaspace '_' prepend_scheme never + Digits(individual)", arguments: AttackCase.cases("attack-metaspace-never"))
    func metaspaceNever(_ golden: AttackCase) throws { try check(golden) }

    /// Regression: BertNormalizer used to drop unassigned scalars (U+FFFE, U+0378) and newer
    /// format characters, strip newer marks, and Punctuation / UnicodeScripts used the
    /// toolchain's Unicode instead of HF's older tables.
    @Test("WordPiece empty prefix, max_input_chars_per_word 6, UnicodeScripts + BertPreTokenizer, template type ids",
          arguments: AttackCase.cases("attack-wordpiece-odd"))
    func wordPieceOdd(_ golden: AttackCase) throws { try check(golden) }

    @Test("Added tokens: overlapping contents, normalized ones the normalizer changes, single_word by CJK and marks, lstrip/rstrip",
          arguments: AttackCase.cases("attack-added-tokens-mix"))
    func addedTokensMix(_ golden: AttackCase) throws { try check(golden) }

    @Test("RoBERTa as published: ByteLevel add_prefix_space, RobertaProcessing trim_offsets + add_prefix_space, pairs",
          arguments: AttackCase.cases("attack-roberta-prefix"))
    func robertaPrefix(_ golden: AttackCase) throws { try check(golden) }

    @Test("Split \\p{N}{1,3} + ByteLevel; Sequence[ByteLevel trim, TemplateProcessing pair with type ids]",
          arguments: AttackCase.cases("attack-bytelevel-template-pairs"))
    func byteLevelTemplatePairs(_ golden: AttackCase) throws { try check(golden) }

    @Test("WordLevel + Whitespace, Strip, added tokens", arguments: AttackCase.cases("attack-wordlevel-ws"))
    func wordLevel(_ golden: AttackCase) throws { try check(golden) }

    /// Regression: Foundation's `doubleValue` read some scores one ulp off, which flipped
    /// Viterbi ties on a 1000-scalar word.
    @Test("Unigram trained by tokenizers, Nmt + NFKC + Lowercase", arguments: AttackCase.cases("attack-unigram-hf"))
    func unigram(_ golden: AttackCase) throws { try check(golden) }

    @Test("Unigram byte_fallback with two byte pieces, Metaspace first no split",
          arguments: AttackCase.cases("attack-unigram-bytefallback-hf"))
    func unigramByteFallback(_ golden: AttackCase) throws { try check(golden) }
}

/// The character classes HF `tokenizers` 0.23.3 takes from older Unicode tables than the
/// toolchain's, checked on every scalar against `Tests/Fixtures/golden/hf_character_classes.json`
/// (measured by running HF on every scalar: `make_hf_character_tables.py`).
@Suite("HF tokenizers 0.23.3 character classes on every scalar")
struct HFCharacterClassTests {
    static let golden: [String: [ClosedRange<UInt32>]] = {
        let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("hf_character_classes.json")
        guard let data = try? Data(contentsOf: file),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var result: [String: [ClosedRange<UInt32>]] = [:]
        for (key, value) in object {
            guard let pairs = value as? [[Int]] else { continue }
            result[key] = pairs.compactMap { $0.count == 2 && $0[0] <= $0[1] ? UInt32($0[0])...UInt32($0[1]) : nil }
        }
        return result
    }()

    /// The scalars where `predicate` and the golden class disagree (hex), at most 10.
    func disagreements(_ name: String, _ predicate: (Unicode.Scalar) -> Bool) -> [String] {
        guard let ranges = Self.golden[name] else { return ["no class \(name) in the golden file"] }
        var found: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if predicate(scalar) != _HFCharacterTables.contains(ranges, value) {
                found.append(String(value, radix: 16))
                if found.count == 10 { break }
            }
        }
        return found
    }

    @Test func bertCleanTextRemovesHFControls() {
        #expect(disagreements("bertControl") { $0.value == 0 || $0.value == 0xFFFD || _Normalizer.isBertControl($0) } == [])
    }

    @Test func bertStripAccentsRemovesHFMarks() {
        #expect(disagreements("bertNonspacingMark", _Normalizer.isBertNonspacingMark) == [])
    }

    @Test func punctuationIsHFs() {
        #expect(disagreements("punctuation", _PreTokenizer.isPunctuation) == [])
    }

    @Test func unicodeScriptsGivesNoScriptWhereHFDoes() {
        #expect(disagreements("unicodeScriptsAny") { _UnicodeScripts.fixedScript($0) == _UnicodeScripts.any } == [])
    }

    @Test func addedTokenWordCharactersAreRustRegexs() {
        #expect(disagreements("addedTokenWord", _AddedTokenMatcher.isWordScalar) == [])
    }

    @Test func goldenHasEveryClass() {
        #expect(Set(Self.golden.keys) == ["bertControl", "bertNonspacingMark", "punctuation", "unicodeScriptsAny", "addedTokenWord"])
    }
}

/// `decode` of seeded random id sequences (byte-fallback pieces in any order, so broken UTF-8;
/// special and added tokens anywhere) against HF tokenizers 0.23.3, from
/// `Tests/Fixtures/golden/attack_decode.jsonl` (`attack_tokenizers.py`); every case.
@Suite("Attack: HF tokenizers 0.23.3 decode parity on random id sequences")
struct AttackDecodeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let tokenizer: String
        let ids: [Int32]
        let decoded: String
        let decodedSkippingSpecial: String
        var testDescription: String { id }
    }

    static let all: [Case] = {
        let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("attack_decode.jsonl")
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"] as? String, let tokenizer = object["tokenizer"] as? String,
                  let ids = object["ids"] as? [Int], let decoded = object["decoded"] as? String,
                  let skipping = object["decoded_skip_special"] as? String
            else { return nil }
            return Case(id: id, tokenizer: tokenizer, ids: ids.map(Int32.init), decoded: decoded, decodedSkippingSpecial: skipping)
        }
    }()

    @Test func fileIsComplete() {
        #expect(Self.all.count == 350)
        #expect(Set(Self.all.map(\.tokenizer)) == Set(AttackParityTests.covered))
    }

    @Test("decode and decode(skipSpecialTokens: true)", arguments: all)
    func decode(_ golden: Case) throws {
        let tokenizer = try AttackCase.tokenizer(golden.tokenizer)
        #expect(tokenizer.decode(ids: golden.ids) == golden.decoded)
        #expect(tokenizer.decode(ids: golden.ids, skipSpecialTokens: true) == golden.decodedSkippingSpecial)
    }
}
