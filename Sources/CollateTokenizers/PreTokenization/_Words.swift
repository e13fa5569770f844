/// One pre-tokenized word: a range of its ``_Words`` buffer and the original span it covers
/// (what HF keeps as the word's `NormalizedString` `original_shift` and length).
struct _WordSpan {
    /// The word's scalars in the buffer (absolute buffer positions).
    var range: Range<Int>
    /// Start of the original text the word covers.
    var originalStart: Int
    /// End of the original text the word covers.
    var originalEnd: Int
}

/// The words of one piece of normalized text while the pre-tokenizer splits it (HF
/// `PreTokenizedString`): every word is a view into one shared buffer of scalars and
/// alignments, so splitting a text into words copies nothing; only pre-tokenizers that change
/// scalars (Metaspace, ByteLevel) write a new buffer, once per text.
///
/// A word view gives exactly what `_NormalizedString.slice` of the same range gives: the same
/// scalars, the same alignments and the same original span.
struct _Words {
    /// The scalars the words are views into (scalars outside every word are never read).
    var scalars: [Unicode.Scalar]
    /// For each scalar of `scalars`, the original span it comes from.
    var alignments: [_Alignment]
    /// The words, in order; none is empty.
    var spans: [_WordSpan]

    /// The one word `range` of `string` (its `slice(range)`), sharing `string`'s storage.
    init(_ string: _NormalizedString, range: Range<Int>) {
        scalars = string.scalars
        alignments = string.alignments
        let original = string.originalRange(of: range)
        spans = range.isEmpty ? [] : [_WordSpan(range: range, originalStart: original.lowerBound, originalEnd: original.upperBound)]
    }

    /// The word covering the non-empty buffer range `range` (HF `slice`: its original span
    /// runs from its first scalar's alignment to its last one's).
    @inline(__always)
    func span(_ range: Range<Int>) -> _WordSpan {
        let start = Int(alignments[range.lowerBound].start)
        let end = Int(alignments[range.upperBound - 1].end)
        return _WordSpan(range: range, originalStart: start, originalEnd: max(start, end))
    }

    /// The original span of `range` (relative to the word `span`), as
    /// `_NormalizedString.originalRange(of:)` of the word gives it.
    @inline(__always)
    func originalRange(of range: Range<Int>, in span: _WordSpan) -> Range<Int> {
        if range.isEmpty {
            let position = min(span.originalStart + range.lowerBound, max(span.originalStart, span.originalEnd))
            return position..<position
        }
        let start = Int(alignments[span.range.lowerBound + range.lowerBound].start)
        let end = Int(alignments[span.range.lowerBound + range.upperBound - 1].end)
        return start..<max(start, end)
    }

    /// The scalars of `span` as an array of their own (the whole buffer when the word is it).
    func wordScalars(_ span: _WordSpan) -> [Unicode.Scalar] {
        span.range == 0..<scalars.count ? scalars : Array(scalars[span.range])
    }

    // MARK: - Splitting

    /// Splits every word on `pattern` with `behavior` (HF `NormalizedString::split` on each
    /// word; empty pieces are dropped, as HF `PreTokenizedString::split` does).
    mutating func split(on pattern: _Pattern, behavior: _SplitBehavior, invert: Bool = false) {
        switch pattern {
        case .predicate(let predicate):
            split(behavior: behavior, invert: invert, where: predicate)
        case .literal, .regex:
            var result: [_WordSpan] = []
            result.reserveCapacity(spans.count * 2)
            for word in spans {
                var emitter = _SplitEmitter(behavior: behavior)
                let base = word.range.lowerBound
                var previous = 0
                let count = word.range.count
                for match in pattern.matches(in: wordScalars(word)) {
                    if previous != match.lowerBound {
                        emitter.add((base + previous)..<(base + match.lowerBound), isMatch: invert, self, &result)
                    }
                    emitter.add((base + match.lowerBound)..<(base + match.upperBound), isMatch: !invert, self, &result)
                    previous = match.upperBound
                }
                if previous != count {
                    emitter.add((base + previous)..<(base + count), isMatch: invert, self, &result)
                }
                emitter.finish(self, &result)
            }
            spans = result
        }
    }

    /// Splits every word where `isDelimiter` holds, each such scalar being one match (a
    /// `_Pattern.predicate` split, without building the match list).
    mutating func split(behavior: _SplitBehavior, invert: Bool = false, where isDelimiter: (Unicode.Scalar) -> Bool) {
        var result: [_WordSpan] = []
        result.reserveCapacity(spans.count * 2)
        scalars.withUnsafeBufferPointer { scalars in
            for word in spans {
                var emitter = _SplitEmitter(behavior: behavior)
                var previous = word.range.lowerBound
                for index in word.range where isDelimiter(scalars[index]) {
                    if previous != index { emitter.add(previous..<index, isMatch: invert, self, &result) }
                    emitter.add(index..<(index + 1), isMatch: !invert, self, &result)
                    previous = index + 1
                }
                if previous != word.range.upperBound {
                    emitter.add(previous..<word.range.upperBound, isMatch: invert, self, &result)
                }
                emitter.finish(self, &result)
            }
        }
        spans = result
    }

    // MARK: - Rewriting

    /// Rewrites every word: `body` gets each word with the old buffer (scalars, then
    /// alignments) and appends its new scalars and their alignments to the new buffer; the
    /// word keeps its original span (an empty result drops the word).
    mutating func rewrite(
        extraCapacity: Int,
        _ body: (_WordSpan, [Unicode.Scalar], [_Alignment], inout [Unicode.Scalar], inout [_Alignment]) -> Void
    ) {
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [_Alignment] = []
        var total = 0
        for word in spans { total += word.range.count }
        newScalars.reserveCapacity(total + extraCapacity)
        newAlignments.reserveCapacity(total + extraCapacity)
        var newSpans: [_WordSpan] = []
        newSpans.reserveCapacity(spans.count)
        for word in spans {
            let start = newScalars.count
            body(word, scalars, alignments, &newScalars, &newAlignments)
            if newScalars.count > start {
                newSpans.append(_WordSpan(range: start..<newScalars.count, originalStart: word.originalStart, originalEnd: word.originalEnd))
            }
        }
        scalars = newScalars
        alignments = newAlignments
        spans = newSpans
    }
}

/// Turns HF `find_matches` pieces of one word, given in order, into the ranges a split
/// behaviour keeps (``_SplitBehavior/ranges(from:)`` as a stream), appending the non-empty
/// ones as words.
struct _SplitEmitter {
    let behavior: _SplitBehavior
    /// The last kept range, which the next piece may still extend.
    private var current: Range<Int>?
    /// Whether the previous piece was a match.
    private var previousMatch = false

    init(behavior: _SplitBehavior) {
        self.behavior = behavior
    }

    /// Takes the next piece.
    @inline(__always)
    mutating func add(_ range: Range<Int>, isMatch: Bool, _ words: _Words, _ result: inout [_WordSpan]) {
        switch behavior {
        case .isolated:
            if !range.isEmpty { result.append(words.span(range)) }
        case .removed:
            if !isMatch && !range.isEmpty { result.append(words.span(range)) }
        case .contiguous:
            if isMatch == previousMatch, let last = current {
                current = last.lowerBound..<range.upperBound
            } else {
                flush(words, &result)
                current = range
            }
        case .mergedWithPrevious:
            if isMatch && !previousMatch, let last = current {
                current = last.lowerBound..<range.upperBound
            } else {
                flush(words, &result)
                current = range
            }
        case .mergedWithNext:
            // A match joins the piece after it when that one is no match (HF walks the
            // pieces backwards); `current` holds a match waiting for its next piece.
            if isMatch {
                flush(words, &result)
                current = range
            } else if let pending = current {
                current = nil
                let merged = pending.lowerBound..<range.upperBound
                if !merged.isEmpty { result.append(words.span(merged)) }
            } else if !range.isEmpty {
                result.append(words.span(range))
            }
        }
        previousMatch = isMatch
    }

    /// Appends the range still held, once the word's last piece was added.
    @inline(__always)
    mutating func finish(_ words: _Words, _ result: inout [_WordSpan]) {
        flush(words, &result)
    }

    @inline(__always)
    private mutating func flush(_ words: _Words, _ result: inout [_WordSpan]) {
        if let range = current, !range.isEmpty { result.append(words.span(range)) }
        current = nil
    }
}
