import Foundation

/// An ICU regular expression (`NSRegularExpression`) that reports matches in Unicode scalar
/// offsets.
///
/// ICU matches on scalars, like the Oniguruma engine HF tokenizers uses, whereas Swift
/// `Regex` matches on `Character`s (grapheme clusters) and is much slower, so this is the
/// engine for `Split`, `Replace` and the byte-level pre-tokenizer.
final class _Regex: @unchecked Sendable {
    // `NSRegularExpression` is immutable and documented as safe to share across threads.
    let pattern: String
    private let regex: NSRegularExpression
    /// The hand-written matcher for a published split pattern (`nil` for other patterns),
    /// which gives Oniguruma's matches where ICU's differ and skips Foundation's per-match cost.
    let matcher: _SplitMatcher?

    /// Compiles `pattern`; `path` names it in the error.
    ///
    /// A pattern that repeats, without bound, a group that itself repeats without bound —
    /// `(a+)+`, `(\\w*)*`, `(?:x+y?)+` — is refused: ICU backtracks through every way of
    /// splitting a non-matching run between the two loops, so `(a+)+$` on `"aaaa…ab"` never
    /// finishes and `encode` would hang. No published tokenizer's split pattern nests loops
    /// (GPT-2's, Llama 3's, Qwen's and Tekken's do not); atomic groups `(?>…)` and possessive
    /// quantifiers (`++`, `*+`), which do not backtrack, are allowed.
    /// - Throws: `TokenizerJSONError.invalidRegex` when ICU cannot compile it;
    ///   `TokenizerJSONError.invalidValue` naming `path` for nested unbounded repetition.
    init(pattern: String, path: String) throws {
        self.pattern = pattern
        matcher = _SplitMatcher(pattern: pattern)
        do {
            // ICU refuses the empty pattern, which Oniguruma (HF) accepts: it matches the empty
            // string at every position.
            regex = try NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : Self.onigurumaSemantics(pattern), options: [])
        } catch {
            throw TokenizerJSONError.invalidRegex(path: path, pattern: pattern)
        }
        if let group = Self.nestedUnboundedRepetition(in: pattern) {
            throw TokenizerJSONError.invalidValue(
                path: path, value: pattern,
                reason: "the group \(group) repeats without bound a part that itself repeats without bound, which backtracks "
                    + "exponentially on text that almost matches (the tokenizer would hang); make the inner or outer repetition "
                    + "possessive (`++`, `*+`) or atomic (`(?>...)`), or bound it (`{1,8}`)")
        }
        if let probe = Self.slowProbe(regex, pattern: pattern) {
            throw TokenizerJSONError.invalidValue(
                path: path, value: pattern,
                reason: "matching it against \(probe) took over \(Self.probeLimitDescription): it backtracks catastrophically "
                    + "(overlapping alternatives or nested repetition under a loop), and real text would hang the tokenizer; "
                    + "rewrite it so each character can be matched only one way")
        }
    }

    /// Oniguruma's `\\w`: Alphabetic, marks, decimal digits, connector punctuation and the
    /// Latin-1 superscripts and fractions; ICU's adds U+200C/U+200D (set contents, no brackets).
    static let onigurumaWord = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u00B2\u00B3\u00B9\u00BC-\u00BE"#

    /// `pattern` rewritten so that ICU reads two constructs as Oniguruma (HF's engine) does:
    /// `.` outside a set matches everything but `\n` (ICU also refuses `\r`, U+0085, U+2028 and
    /// U+2029) unless an inline flag group changes its meaning, and `\w` / `\W` are
    /// Oniguruma's word class (ICU's includes the zero-width joiners). Escapes, `\Q…\E` and
    /// comments are copied unchanged.
    static func onigurumaSemantics(_ pattern: String) -> String {
        let characters = Array(pattern.unicodeScalars)
        let rewritesDot = !pattern.contains("(?s") && !pattern.contains("(?m") && !pattern.contains("(?-")
            && !pattern.contains("(?i") && !pattern.contains("(?x")
        var result = ""
        var depth = 0  // set nesting
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                let next = characters[index + 1]
                if next == "Q" {
                    var end = index + 2
                    while end + 1 < characters.count, !(characters[end] == "\\" && characters[end + 1] == "E") { end += 1 }
                    end = min(end + 2, characters.count)
                    result.unicodeScalars.append(contentsOf: characters[index..<end])
                    index = end
                    continue
                }
                if next == "w" {
                    result += depth > 0 ? onigurumaWord : "[\(onigurumaWord)]"
                } else if next == "W" {
                    result += "[^\(onigurumaWord)]"
                } else {
                    result.unicodeScalars.append(contentsOf: characters[index...index + 1])
                }
                index += 2
                continue
            }
            if depth == 0, character == "(", index + 2 < characters.count, characters[index + 1] == "?", characters[index + 2] == "#" {
                var end = index + 3
                while end < characters.count, characters[end] != ")" { end += 1 }
                end = min(end + 1, characters.count)
                result.unicodeScalars.append(contentsOf: characters[index..<end])
                index = end
                continue
            }
            if character == "[" {
                result.unicodeScalars.append(character)
                depth += 1
                index += 1
                // `^` and a leading `]` are part of the set's opening.
                if index < characters.count, characters[index] == "^" {
                    result.unicodeScalars.append("^")
                    index += 1
                }
                if index < characters.count, characters[index] == "]" {
                    result.unicodeScalars.append("]")
                    index += 1
                }
                continue
            }
            if character == "]", depth > 0 {
                depth -= 1
            } else if character == ".", depth == 0, rewritesDot {
                result += "[^\\n]"
                index += 1
                continue
            }
            result.unicodeScalars.append(character)
            index += 1
        }
        return result
    }

    /// How long one probe may take (``slowProbe(_:pattern:)``).
    static let probeLimit: Duration = .seconds(1)
    static var probeLimitDescription: String { "1 s" }

    /// Runs the compiled pattern over short texts that make a backtracking pattern explode —
    /// 40 repeats of one character (each character the pattern names, and a few common ones), or
    /// of a pair of them, then a character nothing expects — each with a deadline
    /// (`reportProgress` lets ICU stop mid-match). A pattern that needs more than
    /// ``probeLimit`` on 41 characters is exponential (or of a high polynomial degree), where a
    /// well-formed split pattern takes microseconds.
    /// - Returns: The text that was too slow, described; `nil` when every probe finished.
    static func slowProbe(_ regex: NSRegularExpression, pattern: String) -> String? {
        var candidates: [Unicode.Scalar] = []
        var seen = Set<Unicode.Scalar>()
        for scalar in pattern.unicodeScalars where scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            || (scalar.isASCII && scalar.value >= 0x20) {
            if seen.insert(scalar).inserted { candidates.append(scalar) }
        }
        let literals = candidates.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }.prefix(8)
        for scalar in ["a", "A", "1", " ", "\n", "_", "-", "'", "é", "中"] as [Unicode.Scalar] where seen.insert(scalar).inserted {
            candidates.append(scalar)
        }
        var probes = candidates.prefix(64).map { [$0] }
        for first in literals {
            for second in literals where second != first { probes.append([first, second]) }
        }
        for unit in probes {
            var scalars: [Unicode.Scalar] = []
            while scalars.count < 40 { scalars += unit }
            scalars.append("\u{1}")
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            if isSlow(regex, on: text) {
                let shown = String(String.UnicodeScalarView(unit)).debugDescription.dropFirst().dropLast()
                return "\"\(shown)\" × \(40 / unit.count) followed by U+0001"
            }
        }
        return nil
    }

    /// Whether matching `text` takes longer than ``probeLimit``.
    private static func isSlow(_ regex: NSRegularExpression, on text: String) -> Bool {
        let deadline = ContinuousClock.now + probeLimit
        var slow = false
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(location: 0, length: text.utf16.count)) { _, _, stop in
            if ContinuousClock.now > deadline {
                slow = true
                stop.pointee = true
            }
        }
        return slow
    }

    /// The first group (as written, with its quantifier) that is repeated without bound and
    /// contains an unbounded repetition not protected by an atomic group or a possessive
    /// quantifier; `nil` when there is none. A syntax-level check over ICU's pattern syntax:
    /// escapes, `\\Q…\\E`, (nested) character classes, comments and group kinds are skipped.
    /// - Complexity: O(*n*) in the pattern's length.
    static func nestedUnboundedRepetition(in pattern: String) -> String? {
        let characters = Array(pattern.unicodeScalars)
        struct Frame {
            var start: Int
            var atomic: Bool
            var containsUnbounded = false
        }
        var stack = [Frame(start: 0, atomic: false)]
        var index = 0

        /// The quantifier at `position`: its end, and whether it is unbounded and backtracks.
        func quantifier(at position: Int) -> (end: Int, unbounded: Bool)? {
            guard position < characters.count else { return nil }
            var end = position
            var unbounded = false
            switch characters[position] {
            case "*", "+":
                unbounded = true
                end += 1
            case "?":
                end += 1
            case "{":
                var close = position + 1
                var text = ""
                while close < characters.count, characters[close] != "}" {
                    text.unicodeScalars.append(characters[close])
                    close += 1
                }
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard close < characters.count, !parts.isEmpty, parts.count <= 2, Int(parts[0]) != nil,
                      parts.count == 1 || parts[1].isEmpty || Int(parts[1]) != nil
                else { return nil }  // a literal brace
                unbounded = parts.count == 2 && parts[1].isEmpty
                end = close + 1
            default:
                return nil
            }
            // A lazy (`?`) quantifier still backtracks; a possessive (`+`) one does not.
            if end < characters.count, characters[end] == "+" { return (end + 1, false) }
            if end < characters.count, characters[end] == "?" { end += 1 }
            return (end, unbounded)
        }

        while index < characters.count {
            let character = characters[index]
            var atomEnd = index + 1
            switch character {
            case "\\":
                guard index + 1 < characters.count else { return nil }
                let next = characters[index + 1]
                if next == "Q" {
                    // Literal text up to \E.
                    var end = index + 2
                    while end + 1 < characters.count, !(characters[end] == "\\" && characters[end + 1] == "E") { end += 1 }
                    index = min(end + 2, characters.count)
                    continue
                }
                atomEnd = index + 2
                if ["p", "P", "x", "N"].contains(next), atomEnd < characters.count, characters[atomEnd] == "{" {
                    while atomEnd < characters.count, characters[atomEnd] != "}" { atomEnd += 1 }
                    atomEnd += 1
                }
            case "[":
                // A set, possibly nested (`[[a-z]&&[^x]]`); `]` first in a set is literal.
                var depth = 0
                var position = index
                while position < characters.count {
                    let scalar = characters[position]
                    if scalar == "\\" {
                        position += 2
                        continue
                    }
                    if scalar == "[" {
                        depth += 1
                        position += 1
                        if position < characters.count, characters[position] == "^" { position += 1 }
                        if position < characters.count, characters[position] == "]" { position += 1 }
                        continue
                    }
                    if scalar == "]" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    position += 1
                }
                atomEnd = position + 1
            case "(":
                if index + 2 < characters.count, characters[index + 1] == "?", characters[index + 2] == "#" {
                    var end = index + 3
                    while end < characters.count, characters[end] != ")" { end += 1 }
                    index = end + 1
                    continue
                }
                let atomic = index + 2 < characters.count && characters[index + 1] == "?" && characters[index + 2] == ">"
                stack.append(Frame(start: index, atomic: atomic))
                index += 1
                continue
            case ")":
                guard stack.count > 1, let frame = stack.popLast() else { return nil }
                let repeated = quantifier(at: index + 1)
                let end = repeated?.end ?? index + 1
                if repeated?.unbounded == true, frame.containsUnbounded, !frame.atomic {
                    var text = ""
                    text.unicodeScalars.append(contentsOf: characters[frame.start..<end])
                    return text
                }
                if !frame.atomic, frame.containsUnbounded || repeated?.unbounded == true {
                    stack[stack.count - 1].containsUnbounded = true
                }
                index = end
                continue
            default:
                break
            }
            if let repeated = quantifier(at: atomEnd) {
                if repeated.unbounded { stack[stack.count - 1].containsUnbounded = true }
                index = repeated.end
            } else {
                index = atomEnd
            }
        }
        return nil
    }

    /// Compiles a pattern known to be valid (built into this package).
    /// - Parameter matcher: The hand-written matcher to use instead of the one the pattern
    ///   string selects (HF `Whitespace` reads `\\w` as Rust `regex` does, not as Oniguruma).
    init(builtIn pattern: String, matcher: _SplitMatcher? = nil) {
        self.pattern = pattern
        self.matcher = matcher ?? _SplitMatcher(pattern: pattern)
        // The built-in patterns are constants checked by the tests; an invalid one is a
        // programming error in this package, never user input.
        do {
            regex = try NSRegularExpression(pattern: Self.onigurumaSemantics(pattern), options: [])
        } catch {
            preconditionFailure("built-in regular expression \(pattern) does not compile: \(error)")
        }
    }

    /// All matches (possibly empty) in `scalars`, as scalar ranges, in order.
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        if let matcher { return matcher.matches(in: scalars) }
        return icuMatches(in: scalars)
    }

    /// All matches of the compiled ICU pattern in `scalars` (what ``matches(in:)`` gives for a
    /// pattern without a hand-written matcher).
    func icuMatches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        if scalars.isEmpty { return [] }
        let string = String(scalars: scalars)
        var utf16Count = scalars.count
        for scalar in scalars where scalar.value > 0xFFFF { utf16Count += 1 }
        var result: [Range<Int>] = []
        // Walk UTF-16 offsets and scalar offsets together; matches come in order.
        var scalarIndex = 0
        var utf16Index = 0
        @inline(__always) func advance(to target: Int) -> Int {
            while utf16Index < target, scalarIndex < scalars.count {
                utf16Index += scalars[scalarIndex].value > 0xFFFF ? 2 : 1
                scalarIndex += 1
            }
            return scalarIndex
        }
        regex.enumerateMatches(in: string, options: [], range: NSRange(location: 0, length: utf16Count)) { match, _, _ in
            guard let range = match?.range, range.location != NSNotFound else { return }
            let start = advance(to: range.location)
            let end = advance(to: range.location + range.length)
            // The `onig` crate's `find_iter` (HF) skips an empty match right where the previous
            // match ended; ICU reports it (`x*` on "xxc": 0..<2, then 2..<2).
            if start == end, let previous = result.last, previous.upperBound == start { return }
            result.append(start..<end)
        }
        return result
    }
}
