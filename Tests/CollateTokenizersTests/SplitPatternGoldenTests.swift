import Foundation
import Testing
@testable import CollateTokenizers

/// One text of `Tests/Fixtures/golden/split_patterns.jsonl`: the matches HF tokenizers 0.23.3
/// (Oniguruma) finds for each published split pattern, in scalar offsets
/// (`Tests/Fixtures/scripts/make_split_pattern_goldens.py`).
struct SplitPatternGolden: Sendable, CustomTestStringConvertible {
    let index: Int
    let text: String
    let matches: [String: [Range<Int>]]

    var testDescription: String { "text \(index): \(text.prefix(40).debugDescription)" }

    /// The patterns of the golden file, by the name it uses.
    static let patterns: [String: String] = [
        "gpt2": CatastrophicRegexTests.gpt2, "llama3": CatastrophicRegexTests.llama3,
        "qwen2": CatastrophicRegexTests.qwen2, "tekken": CatastrophicRegexTests.tekken,
        "words": #"\w+|[^\w\s]+"#, "dot": ".", "spaces": " {2,}",
    ]

    static let all: [SplitPatternGolden] = {
        let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("split_patterns.jsonl")
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").enumerated().compactMap { index, line in
            let escaped = Fixtures.escapingByteOrderMarks(Data(line.utf8))
            guard let object = try? JSONSerialization.jsonObject(with: escaped) as? [String: Any],
                  let text = object["text"] as? String,
                  let matches = object["matches"] as? [String: [[Int]]]
            else { return nil }
            return SplitPatternGolden(
                index: index, text: text, matches: matches.mapValues { $0.map { $0[0]..<$0[1] } })
        }
    }()
}

@Suite("Split patterns: hand-written matchers give HF tokenizers 0.23.3's (Oniguruma's) matches")
struct SplitPatternGoldenTests {
    @Test func goldenFileIsComplete() {
        #expect(SplitPatternGolden.all.count == 299)
        #expect(SplitPatternGolden.all.allSatisfy { Set($0.matches.keys).isSubset(of: SplitPatternGolden.patterns.keys) })
    }

    @Test func everyPublishedPatternHasAMatcher() {
        for (name, pattern) in SplitPatternGolden.patterns {
            #expect(_SplitMatcher(pattern: pattern) != nil, "\(name)")
            #expect(_Regex(builtIn: pattern).matcher != nil, "\(name)")
        }
        #expect(_SplitMatcher(pattern: #"\w+|[^\w\s]+ "#) == nil, "only the exact pattern string")
    }

    @Test(arguments: SplitPatternGolden.all)
    func matchesAsOniguruma(_ golden: SplitPatternGolden) {
        let scalars = Array(golden.text.unicodeScalars)
        for (name, expected) in golden.matches.sorted(by: { $0.key < $1.key }) {
            guard let pattern = SplitPatternGolden.patterns[name] else { continue }
            #expect(_Regex(builtIn: pattern).matches(in: scalars) == expected, "\(name)")
        }
    }

    /// Where ICU and Oniguruma agree (no line break other than `\n` for `.`, no scalar whose
    /// classes differ), ICU gives the same matches: the matchers are a faster route to the
    /// same answer, not a different one.
    @Test func icuAgreesOnPlainText() {
        let text = "Hello, World! It's 2024: naïve café 中文 123456 --flag /path/to\n  indented\tline   \n"
        let scalars = Array(text.unicodeScalars)
        for (name, pattern) in SplitPatternGolden.patterns {
            let regex = _Regex(builtIn: pattern)
            #expect(regex.matches(in: scalars) == regex.icuMatches(in: scalars), "\(name)")
        }
    }

    /// Oniguruma's classes, as checked over every scalar with HF tokenizers 0.23.3.
    @Test func scalarClassesFollowOniguruma() {
        #expect(_ScalarClass.of("\u{B2}").contains(.word) && _ScalarClass.of("\u{BD}").contains(.word))
        #expect(!_ScalarClass.of("\u{200C}").contains(.word) && !_ScalarClass.of("\u{200D}").contains(.word))
        #expect(_ScalarClass.of("\u{BCA}").contains(.word), "Tamil vowel sign O")
        #expect(_ScalarClass.of("\u{295}") == [.letter, .lowercase, .word, .rustWord], "Ll in Unicode 16")
        #expect(_ScalarClass.of("\u{1ACF}") == [], "assigned in Unicode 17: unassigned for Oniguruma")
        #expect(_ScalarClass.of("\u{11DE0}") == [], "assigned in Unicode 17: unassigned for Oniguruma")
        #expect(_ScalarClass.of("\u{3000}") == [.whitespace])
        // HF `Whitespace` compiles `\w` with Rust `regex`: the joiners are word scalars there.
        #expect(_ScalarClass.of("\u{200D}").contains(.rustWord) && !_ScalarClass.of("\u{B2}").contains(.rustWord))
    }

    /// Other patterns go to ICU, rewritten so that `.` and `\w` mean what they mean in
    /// Oniguruma; the expected matches are HF tokenizers 0.23.3's (`Split(Regex(p), "isolated")`).
    @Test(arguments: [
        (#"(.)"#, "a\r\nb\u{2028}c", [0..<1, 1..<2, 3..<4, 4..<5, 5..<6]),
        (#"\w+"#, "டொ ශ්රී x\u{200C}y ½", [0..<2, 3..<7, 8..<9, 10..<11, 12..<13]),
        (#"[\W\d]+"#, "ab12 ,.c\u{200C}", [2..<7, 8..<9]),
    ])
    func icuFallbackReadsDotAndWordAsOniguruma(_ pattern: String, _ text: String, _ expected: [Range<Int>]) throws {
        let regex = try _Regex(pattern: pattern, path: "pre_tokenizer.pattern.Regex")
        #expect(regex.matcher == nil)
        #expect(regex.matches(in: Array(text.unicodeScalars)) == expected)
    }
}
