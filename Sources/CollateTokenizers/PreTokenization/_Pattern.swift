/// What a `Split` pre-tokenizer, a `Replace` normalizer or decoder looks for (HF `Pattern`).
enum _Pattern: Sendable {
    /// A literal string (HF `SplitPattern::String`, matched as an escaped regex).
    case literal([Unicode.Scalar])
    /// An ICU regular expression (HF `SplitPattern::Regex`, matched with Oniguruma).
    case regex(_Regex)
    /// Every scalar for which the predicate holds is a one-scalar match.
    case predicate(@Sendable (Unicode.Scalar) -> Bool)

    /// Parses `{"String": "..."}` or `{"Regex": "..."}` at `json`.
    static func parse(_ json: _JSONValue) throws -> _Pattern {
        let object = try json.object()
        if object["String"] != nil {
            let literal = try json.member("String").string()
            return .literal(Array(literal.unicodeScalars))
        }
        if object["Regex"] != nil {
            let member = try json.member("Regex")
            return .regex(try _Regex(pattern: try member.string(), path: member.path))
        }
        let keys = object.keys.sorted().joined(separator: ", ")
        throw TokenizerJSONError.invalidValue(
            path: json.path, value: "{\(keys)}",
            reason: "a pattern must be {\"String\": ...} or {\"Regex\": ...}")
    }

    /// The non-overlapping matches, leftmost first, as scalar ranges (regex matches may be
    /// empty).
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .literal(let needle):
            return Self.literalMatches(of: needle, in: scalars)
        case .regex(let regex):
            return regex.matches(in: scalars)
        case .predicate(let predicate):
            var result: [Range<Int>] = []
            for (index, scalar) in scalars.enumerated() where predicate(scalar) {
                result.append(index..<(index + 1))
            }
            return result
        }
    }

    private static func literalMatches(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Range<Int>] {
        guard let first = needle.first, haystack.count >= needle.count else { return [] }
        var result: [Range<Int>] = []
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                var offset = 1
                while offset < needle.count {
                    if haystack[index + offset] != needle[offset] { matched = false; break }
                    offset += 1
                }
                if matched {
                    result.append(index..<(index + needle.count))
                    index += needle.count
                    continue
                }
            }
            index += 1
        }
        return result
    }

    /// HF `find_matches`: the whole text as consecutive pieces flagged match / non-match.
    func pieces(in scalars: [Unicode.Scalar], invert: Bool = false) -> [(range: Range<Int>, isMatch: Bool)] {
        if scalars.isEmpty { return [(0..<0, invert)] }
        var result: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = 0
        for match in matches(in: scalars) {
            if previous != match.lowerBound {
                result.append((previous..<match.lowerBound, invert))
            }
            result.append((match, !invert))
            previous = match.upperBound
        }
        if previous != scalars.count {
            result.append((previous..<scalars.count, invert))
        }
        return result
    }
}

/// How a `Split` treats the delimiter it found (HF `SplitDelimiterBehavior`).
enum _SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// The ranges to keep, given HF `find_matches` pieces.
    func ranges(from pieces: [(range: Range<Int>, isMatch: Bool)]) -> [Range<Int>] {
        switch self {
        case .isolated:
            return pieces.map(\.range)
        case .removed:
            return pieces.filter { !$0.isMatch }.map(\.range)
        case .contiguous:
            var result: [Range<Int>] = []
            var previousMatch = false
            for piece in pieces {
                if piece.isMatch == previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<piece.range.upperBound
                } else {
                    result.append(piece.range)
                }
                previousMatch = piece.isMatch
            }
            return result
        case .mergedWithPrevious:
            var result: [Range<Int>] = []
            var previousMatch = false
            for piece in pieces {
                if piece.isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<piece.range.upperBound
                } else {
                    result.append(piece.range)
                }
                previousMatch = piece.isMatch
            }
            return result
        case .mergedWithNext:
            var result: [Range<Int>] = []
            var previousMatch = false
            for piece in pieces.reversed() {
                if piece.isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = piece.range.lowerBound..<last.upperBound
                } else {
                    result.append(piece.range)
                }
                previousMatch = piece.isMatch
            }
            return result.reversed()
        }
    }
}

extension _NormalizedString {
    /// Splits on `pattern` with `behavior` (HF `NormalizedString::split`); empty pieces are
    /// dropped, as HF `PreTokenizedString::split` does. Encoding splits word views instead
    /// (``_Words/split(on:behavior:invert:)``, no copies); this copying split is what the tests
    /// check them against.
    func split(on pattern: _Pattern, behavior: _SplitBehavior, invert: Bool = false) -> [_NormalizedString] {
        let ranges = behavior.ranges(from: pattern.pieces(in: scalars, invert: invert))
        var result: [_NormalizedString] = []
        result.reserveCapacity(ranges.count)
        for range in ranges where !range.isEmpty {
            result.append(slice(range))
        }
        return result
    }
}
