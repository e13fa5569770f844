/// Finds added tokens in text, leftmost-longest, as HF's Aho-Corasick matcher
/// (`MatchKind::LeftmostLongest`) does, then applies `single_word`, `lstrip`, `rstrip`.
struct _AddedTokenMatcher: Sendable {
    /// A trie node: children by scalar, and the index of the token ending here.
    private struct Node: Sendable {
        var children: [UInt32: Int32] = [:]
        var token: Int32 = -1
    }

    private var nodes: [Node] = [Node()]
    /// Whether some token starts with each ASCII scalar (a fast pre-check of the root).
    private var asciiStarts = [Bool](repeating: false, count: 128)
    /// Whether some token starts with a non-ASCII scalar.
    private var hasNonASCIIStart = false
    private var tokens: [AddedToken] = []

    /// A matcher for `tokens` matched against `patterns` (their content, or normalized
    /// content).
    init(tokens: [AddedToken], patterns: [[Unicode.Scalar]]) {
        for (token, pattern) in zip(tokens, patterns) where !pattern.isEmpty {
            var node = 0
            for scalar in pattern {
                if let child = nodes[node].children[scalar.value] {
                    node = Int(child)
                } else {
                    nodes.append(Node())
                    let child = nodes.count - 1
                    nodes[node].children[scalar.value] = Int32(child)
                    node = child
                }
            }
            if pattern[0].value < 128 { asciiStarts[Int(pattern[0].value)] = true } else { hasNonASCIIStart = true }
            // The first token with a given pattern wins, as the first Aho-Corasick pattern does.
            if nodes[node].token < 0 {
                self.tokens.append(token)
                nodes[node].token = Int32(self.tokens.count - 1)
            }
        }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Longest token starting at `start`: (end, token index).
    private func longestMatch(in scalars: [Unicode.Scalar], at start: Int) -> (end: Int, token: Int)? {
        var node = 0
        var best: (end: Int, token: Int)?
        var index = start
        while index < scalars.count, let child = nodes[node].children[scalars[index].value] {
            node = Int(child)
            index += 1
            if nodes[node].token >= 0 { best = (index, Int(nodes[node].token)) }
        }
        return best
    }

    /// HF `find_matches`: the pieces of `scalars`, each with the added token it is (if any).
    func split(_ scalars: [Unicode.Scalar]) -> [(range: Range<Int>, token: AddedToken?)] {
        if scalars.isEmpty { return [(0..<0, nil)] }
        if tokens.isEmpty { return [(0..<scalars.count, nil)] }
        let firstScalars = nodes[0].children
        var result: [(range: Range<Int>, token: AddedToken?)] = []
        var startOffset = 0
        var index = 0
        while index < scalars.count {
            // Skip, in place, every scalar no added token starts with (nearly all of them).
            index = scalars.withUnsafeBufferPointer { scalars in
                asciiStarts.withUnsafeBufferPointer { asciiStarts in
                    var index = index
                    while index < scalars.count {
                        let value = scalars[index].value
                        if value < 128 ? asciiStarts[Int(value)] : hasNonASCIIStart && firstScalars[value] != nil { break }
                        index += 1
                    }
                    return index
                }
            }
            guard index < scalars.count else { break }
            guard let match = longestMatch(in: scalars, at: index) else {
                index += 1
                continue
            }
            var start = index
            var stop = match.end
            index = match.end
            let token = tokens[match.token]
            if token.singleWord {
                let startSpace = start == 0 || !Self.isWordScalar(scalars[start - 1])
                let stopSpace = stop == scalars.count || !Self.isWordScalar(scalars[stop])
                if !startSpace || !stopSpace { continue }
            }
            if token.leftStrip {
                var newStart = start
                while newStart > 0, scalars[newStart - 1].properties.isWhitespace { newStart -= 1 }
                start = max(newStart, startOffset)
            }
            if token.rightStrip {
                // HF keeps searching from the end of the match itself, not of the stripping.
                while stop < scalars.count, scalars[stop].properties.isWhitespace { stop += 1 }
            }
            if startOffset < start { result.append((startOffset..<start, nil)) }
            result.append((start..<stop, token))
            startOffset = stop
        }
        if startOffset != scalars.count { result.append((startOffset..<scalars.count, nil)) }
        return result
    }

    /// Whether `scalar` matches Rust regex `\w` (Unicode word character), of the `regex`
    /// crate's Unicode 16.0: scalars assigned later (U+088F, U+0C5C, ...) are not word
    /// characters there (measured on every scalar with HF tokenizers 0.23.3).
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if scalar.value >= 0x80, (properties.age?.major ?? 99) > 16 { return false }
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
