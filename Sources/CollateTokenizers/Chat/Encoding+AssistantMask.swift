// MARK: - Character-to-token mapping and HF assistant masks

extension Encoding {
    /// For every Unicode scalar position `0..<scalarCount`, the index of the first token whose
    /// offsets contain it, or `-1` — HF `Encoding.char_to_token` for all positions at once.
    ///
    /// Tokens with empty offsets (special tokens added by a post-processor) cover nothing; when
    /// several tokens share a character (byte-fallback pieces of one character), the first wins,
    /// as in HF.
    /// - Parameter scalarCount: Length of the encoded text in Unicode scalars.
    /// - Complexity: O(*n* + *t*), *n* = `scalarCount`, *t* = total offset length.
    public func scalarToTokenTable(scalarCount: Int) -> [Int32] {
        var table = [Int32](repeating: -1, count: max(scalarCount, 0))
        table.withUnsafeMutableBufferPointer { table in
            for (token, range) in offsets.enumerated() {
                let lower = max(range.lowerBound, 0)
                let upper = min(range.upperBound, table.count)
                guard lower < upper else { continue }
                for position in lower..<upper where table[position] < 0 {
                    table[position] = Int32(token)
                }
            }
        }
        return table
    }

    /// Whether both ends of the offsets never decrease from one token to the next.
    var offsetsAreMonotonic: Bool {
        var previous = Int.min..<Int.min
        for range in offsets {
            if range.lowerBound < previous.lowerBound || range.upperBound < previous.upperBound { return false }
            previous = range
        }
        return true
    }

    /// ``tokenIndex(coveringScalarAt:)`` for monotonic offsets, by binary search: the tokens
    /// that end after `position` are a suffix, and the first of them covers it if any does
    /// (every later one starts no earlier).
    func firstMonotonicToken(covering position: Int) -> Int? {
        var lower = 0
        var upper = offsets.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if offsets[middle].upperBound > position { upper = middle } else { lower = middle + 1 }
        }
        guard lower < offsets.count, offsets[lower].lowerBound <= position else { return nil }
        return lower
    }

    /// The index of the first token whose offsets contain Unicode scalar `position`, or `nil`
    /// (HF `char_to_token`).
    /// - Parameter position: A Unicode scalar offset in the encoded text.
    /// - Complexity: O(*t*) in the number of tokens.
    public func tokenIndex(coveringScalarAt position: Int) -> Int? {
        offsets.firstIndex { $0.contains(position) }
    }

    /// The assistant mask HF `apply_chat_template(..., return_assistant_tokens_mask=True)`
    /// computes for these generation spans, quirks included.
    ///
    /// For each span `s..<e`, the tokens from the one covering scalar `s` to the one covering
    /// scalar `e - 1` are set to 1 — so a token that merges the span's first character with
    /// prompt text before it (Mistral's `](` after `[/INST]`) is included. Like transformers:
    /// - when no token covers `s` (e.g. the span starts inside characters a normalizer removed),
    ///   this span and every later one are skipped (`break`);
    /// - when no token covers `e - 1`, or it is token 0, the mask runs to the end of the sequence;
    /// - an empty span marks the tokens from the one covering `s` through the one covering `s - 1`,
    ///   i.e. usually nothing.
    ///
    /// - Parameters:
    ///   - spans: Generation spans in Unicode scalar offsets (``GenerationSpan/range``).
    ///   - scalarCount: Length of the encoded text in Unicode scalars.
    /// - Returns: One 0/1 value per token.
    /// - Complexity: O(*n* + *t* + *m*), *m* = number of masked tokens.
    public func assistantMask(for spans: [Range<Int>], scalarCount: Int) -> [Int32] {
        // Offsets that only move forward (both ends non-decreasing, what every encoder gives a
        // plain text) let a binary search find the covering token; otherwise a table of every
        // scalar position is built.
        let monotonic = offsetsAreMonotonic
        let table = monotonic ? [] : scalarToTokenTable(scalarCount: scalarCount)
        func token(at position: Int) -> Int? {
            guard position >= 0, position < scalarCount else { return nil }
            if monotonic { return firstMonotonicToken(covering: position) }
            guard table[position] >= 0 else { return nil }
            return Int(table[position])
        }
        var mask = [Int32](repeating: 0, count: ids.count)
        for span in spans {
            guard let start = token(at: span.lowerBound) else { break }
            let last: Int
            if let end = token(at: span.upperBound - 1), end != 0 {
                last = end
            } else {
                last = ids.count - 1
            }
            guard start <= last, start < mask.count else { continue }
            for index in start...min(last, mask.count - 1) { mask[index] = 1 }
        }
        return mask
    }
}
