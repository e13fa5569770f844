import Testing
@testable import CollateTokenizers

/// Pre-tokenized words as views into one buffer (``_Words``) must split exactly as copied
/// pieces do (``_NormalizedString/split(on:behavior:invert:)``, HF `NormalizedString::split`):
/// same scalars, same alignments, same original spans, for every behaviour, pattern kind and
/// inversion, on words that do not start at the buffer's start and whose alignments a
/// normalizer changed.
@Suite("Word views split as copied pieces do")
struct WordViewSplitTests {
    /// A word as the model sees it: scalars, alignments, original span.
    struct Word: Equatable, CustomStringConvertible {
        let scalars: [Unicode.Scalar]
        let alignments: [_Alignment]
        let originalStart: Int
        let originalEnd: Int
        var description: String {
            "\(String(scalars: scalars).debugDescription) \(alignments.map { "\($0.start)-\($0.end)" }) \(originalStart)..<\(originalEnd)"
        }
    }

    /// SplitMix64, so every run checks the same texts.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    static let alphabet: [Unicode.Scalar] = ["a", "b", "B", " ", " ", "\n", ".", ",", "1", "2", "\u{2581}", "é", "\u{301}", "ß", "中", "'", "s", "\u{1F600}"]

    /// A normalized string whose alignments are not one-to-one: "ß" becomes two scalars and
    /// "\u{301}" is removed, as a normalizer would do.
    static func normalized(_ generator: inout Generator) -> _NormalizedString {
        let count = 1 + generator.next(40)
        var scalars: [Unicode.Scalar] = []
        for _ in 0..<count { scalars.append(alphabet[generator.next(alphabet.count)]) }
        var string = _NormalizedString(original: scalars)
        string.expand { scalar in
            switch scalar {
            case "ß": return ["s", "s"]
            case "\u{301}": return []
            default: return nil
            }
        }
        return string
    }

    static let patterns: [(String, _Pattern)] = [
        ("whitespace", .predicate(_PreTokenizer.isWhitespace)),
        ("punctuation", .predicate(_PreTokenizer.isPunctuation)),
        ("literal \"a \"", .literal(["a", " "])),
        ("regex words", .regex(_PreTokenizer.whitespaceRegex)),
        ("regex gpt2", .regex(_ByteLevel.gpt2Regex)),
        ("regex empty matches", .regex(_Regex(builtIn: "b*"))),
    ]

    static let behaviors: [_SplitBehavior] = [.removed, .isolated, .mergedWithPrevious, .mergedWithNext, .contiguous]

    static func words(_ pieces: [_NormalizedString]) -> [Word] {
        pieces.map { Word(scalars: $0.scalars, alignments: $0.alignments, originalStart: $0.originalStart, originalEnd: $0.originalEnd) }
    }

    static func words(_ views: _Words) -> [Word] {
        views.spans.map {
            Word(scalars: Array(views.scalars[$0.range]), alignments: Array(views.alignments[$0.range]),
                 originalStart: $0.originalStart, originalEnd: $0.originalEnd)
        }
    }

    @Test("two successive splits, every behaviour", arguments: behaviors)
    func twoSplits(behavior: _SplitBehavior) {
        var generator = Generator(state: 15)
        for round in 0..<300 {
            let string = Self.normalized(&generator)
            guard string.count > 0 else { continue }
            let lower = generator.next(string.count)
            let upper = lower + 1 + generator.next(string.count - lower)
            let (firstName, first) = Self.patterns[generator.next(Self.patterns.count)]
            let (secondName, second) = Self.patterns[generator.next(Self.patterns.count)]
            let secondBehavior = Self.behaviors[generator.next(Self.behaviors.count)]
            let invert = generator.next(2) == 1

            let copied = string.slice(lower..<upper)
                .split(on: first, behavior: behavior, invert: invert)
                .flatMap { $0.split(on: second, behavior: secondBehavior) }
            var views = _Words(string, range: lower..<upper)
            views.split(on: first, behavior: behavior, invert: invert)
            views.split(on: second, behavior: secondBehavior)
            #expect(
                Self.words(views) == Self.words(copied),
                "round \(round): \(String(scalars: string.scalars).debugDescription)[\(lower)..<\(upper)] on \(firstName) (invert \(invert)), then \(secondName) \(secondBehavior)")
        }
    }
}
