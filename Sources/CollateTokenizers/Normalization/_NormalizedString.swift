/// The span of the original text (in Unicode scalar units, absolute) that one normalized
/// scalar comes from.
struct _Alignment: Hashable, Sendable {
    var start: Int32
    var end: Int32

    init(_ start: Int, _ end: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }
}

/// A piece of text being normalized, that remembers for every normalized scalar which
/// original scalars it comes from.
///
/// This mirrors HF tokenizers' `NormalizedString`, in Unicode scalar units instead of
/// UTF-8 bytes: alignments are absolute offsets into the original input, so a slice keeps
/// pointing into the whole text. HF's byte alignments always cover whole characters, so
/// converting them to characters (what its Python binding reports) gives exactly these.
struct _NormalizedString {
    /// The normalized scalars.
    var scalars: [Unicode.Scalar]
    /// For each normalized scalar, the original span it comes from.
    var alignments: [_Alignment]
    /// Start of the original text this piece covers (HF `original_shift`).
    var originalStart: Int
    /// End of the original text this piece covers.
    var originalEnd: Int

    /// An unmodified piece of original text starting at `start`.
    init<S: Sequence<Unicode.Scalar>>(original: S, start: Int = 0) {
        scalars = Array(original)
        alignments = []
        alignments.reserveCapacity(scalars.count)
        for index in 0..<scalars.count {
            alignments.append(_Alignment(start + index, start + index + 1))
        }
        originalStart = start
        originalEnd = start + scalars.count
    }

    /// The whole of `text`, unmodified: ``init(original:start:)`` decoding the UTF-8 in one
    /// pass instead of iterating the scalar view.
    init(text: String) {
        var text = text
        let scalars = text.withUTF8 { bytes in
            [Unicode.Scalar](unsafeUninitializedCapacity: bytes.count) { buffer, count in
                var index = 0
                var written = 0
                while index < bytes.count {
                    // Runs of ASCII (most of any text) byte for byte, without the checks below.
                    while index < bytes.count, bytes[index] < 0x80 {
                        buffer[written] = Unicode.Scalar(bytes[index])
                        written += 1
                        index += 1
                    }
                    guard index < bytes.count else { break }
                    let lead = UInt32(bytes[index])
                    var value = lead
                    var length = 1
                    if lead >= 0xF0, index + 3 < bytes.count {
                        value = (lead & 0x07) << 18 | (UInt32(bytes[index + 1]) & 0x3F) << 12
                            | (UInt32(bytes[index + 2]) & 0x3F) << 6 | (UInt32(bytes[index + 3]) & 0x3F)
                        length = 4
                    } else if lead >= 0xE0, index + 2 < bytes.count {
                        value = (lead & 0x0F) << 12 | (UInt32(bytes[index + 1]) & 0x3F) << 6 | (UInt32(bytes[index + 2]) & 0x3F)
                        length = 3
                    } else if lead >= 0xC0, index + 1 < bytes.count {
                        value = (lead & 0x1F) << 6 | (UInt32(bytes[index + 1]) & 0x3F)
                        length = 2
                    }
                    // A Swift string is valid UTF-8, so every value is a scalar.
                    buffer[written] = Unicode.Scalar(value) ?? "\u{FFFD}"
                    written += 1
                    index += length
                }
                count = written
            }
        }
        self.scalars = scalars
        alignments = [_Alignment](unsafeUninitializedCapacity: scalars.count) { buffer, count in
            for index in 0..<scalars.count { buffer[index] = _Alignment(index, index + 1) }
            count = scalars.count
        }
        originalStart = 0
        originalEnd = scalars.count
    }

    init(scalars: [Unicode.Scalar], alignments: [_Alignment], originalStart: Int, originalEnd: Int) {
        self.scalars = scalars
        self.alignments = alignments
        self.originalStart = originalStart
        self.originalEnd = originalEnd
    }

    var isEmpty: Bool { scalars.isEmpty }
    var count: Int { scalars.count }

    /// The normalized text as a `String`.
    var string: String { String(scalars: scalars) }

    /// The original span of a range of normalized scalars (HF `convert_offsets` from the
    /// normalized referential), absolute.
    func originalRange(of range: Range<Int>) -> Range<Int> {
        if range.isEmpty {
            // HF returns the (relative) normalized range unchanged for an empty target. When a
            // normalizer lengthened the text, that position can lie past the original piece (HF
            // then reports an offset outside the input); clamp it to the piece's end instead.
            let position = min(originalStart + range.lowerBound, max(originalStart, originalEnd))
            return position..<position
        }
        let start = Int(alignments[range.lowerBound].start)
        let end = Int(alignments[range.upperBound - 1].end)
        return start..<max(start, end)
    }

    /// A sub-piece covering `range` of the normalized scalars (HF `slice`).
    func slice(_ range: Range<Int>) -> _NormalizedString {
        let original = originalRange(of: range)
        return _NormalizedString(
            scalars: Array(scalars[range]),
            alignments: Array(alignments[range]),
            originalStart: original.lowerBound,
            originalEnd: original.upperBound
        )
    }

    // MARK: - Transformations

    /// The alignment HF gives a newly inserted scalar at old position `offset`.
    private func insertedAlignment(at offset: Int) -> _Alignment {
        offset >= 1 ? alignments[offset - 1] : _Alignment(originalStart, originalStart)
    }

    /// Replaces `range` with new scalars, each with a `change` (HF `transform_range`):
    /// `0` replaces the next old scalar, `1` inserts a scalar, `-n` replaces the next old
    /// scalar and removes the `n` after it. `initialOffset` old scalars are removed first.
    mutating func transform(range: Range<Int>, changes: [(Unicode.Scalar, Int)], initialOffset: Int) {
        var offset = range.lowerBound + initialOffset
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [_Alignment] = []
        newScalars.reserveCapacity(changes.count)
        newAlignments.reserveCapacity(changes.count)
        for (scalar, change) in changes {
            let alignment: _Alignment
            if change > 0 {
                alignment = insertedAlignment(at: offset)
            } else {
                alignment = offset < alignments.count ? alignments[offset] : insertedAlignment(at: offset)
                if offset < range.upperBound { offset += 1 }
                if change < 0 { offset = min(range.upperBound, offset - change) }
            }
            newScalars.append(scalar)
            newAlignments.append(alignment)
        }
        scalars.replaceSubrange(range, with: newScalars)
        alignments.replaceSubrange(range, with: newAlignments)
    }

    /// Transforms the whole string.
    mutating func transform(changes: [(Unicode.Scalar, Int)], initialOffset: Int) {
        transform(range: 0..<scalars.count, changes: changes, initialOffset: initialOffset)
    }

    /// Prepends `prefix` (HF `prepend`): the new scalars share the first scalar's alignment.
    mutating func prepend(_ prefix: [Unicode.Scalar]) {
        guard let first = alignments.first, !prefix.isEmpty else { return }
        scalars.insert(contentsOf: prefix, at: 0)
        alignments.insert(contentsOf: repeatElement(first, count: prefix.count), at: 0)
    }

    /// Appends `suffix` (HF `append`): the new scalars share the last scalar's alignment.
    mutating func append(_ suffix: [Unicode.Scalar]) {
        guard let last = alignments.last, !suffix.isEmpty else { return }
        scalars.append(contentsOf: suffix)
        alignments.append(contentsOf: repeatElement(last, count: suffix.count))
    }

    /// Replaces each of the (sorted, non-overlapping, non-empty) `matches` by `content`
    /// (HF `replace`): the new scalars share the alignment of the last replaced scalar.
    mutating func replace(matches: [Range<Int>], with content: [Unicode.Scalar]) {
        guard !matches.isEmpty else { return }
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [_Alignment] = []
        newScalars.reserveCapacity(scalars.count + matches.count * max(0, content.count - 1))
        newAlignments.reserveCapacity(newScalars.capacity)
        var position = 0
        for match in matches {
            newScalars.append(contentsOf: scalars[position..<match.lowerBound])
            newAlignments.append(contentsOf: alignments[position..<match.lowerBound])
            if !content.isEmpty {
                let alignment = insertedAlignment(at: match.upperBound)
                newScalars.append(contentsOf: content)
                newAlignments.append(contentsOf: repeatElement(alignment, count: content.count))
            }
            position = match.upperBound
        }
        newScalars.append(contentsOf: scalars[position...])
        newAlignments.append(contentsOf: alignments[position...])
        scalars = newScalars
        alignments = newAlignments
    }

    /// Replaces every `old` scalar by `new`, keeping alignments: ``replace(matches:with:)``
    /// for a one-scalar pattern and a one-scalar content, in place.
    mutating func replaceScalar(_ old: Unicode.Scalar, with new: Unicode.Scalar) {
        scalars.withUnsafeMutableBufferPointer { scalars in
            for index in scalars.indices where scalars[index] == old { scalars[index] = new }
        }
    }

    /// Removes leading and/or trailing white space (HF `lrstrip`).
    mutating func strip(left: Bool, right: Bool) {
        var lower = 0
        var upper = scalars.count
        if left {
            while lower < upper, scalars[lower].properties.isWhitespace { lower += 1 }
        }
        if right {
            while upper > lower, scalars[upper - 1].properties.isWhitespace { upper -= 1 }
        }
        if lower == 0 && upper == scalars.count { return }
        scalars = Array(scalars[lower..<upper])
        alignments = Array(alignments[lower..<upper])
    }

    /// Maps every scalar to zero or more scalars; the first replaces the old scalar and the
    /// others are inserted after it (HF `lowercase`, `uppercase`, NFD-style expansions).
    mutating func expand(_ body: (Unicode.Scalar) -> [Unicode.Scalar]?) {
        guard let firstChange = scalars.firstIndex(where: { body($0) != nil }) else { return }
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [_Alignment] = []
        newScalars.reserveCapacity(scalars.count)
        newAlignments.reserveCapacity(scalars.count)
        var changed = false
        newScalars.append(contentsOf: scalars[..<firstChange])
        newAlignments.append(contentsOf: alignments[..<firstChange])
        for index in firstChange..<scalars.count {
            let scalar = scalars[index]
            guard let mapped = body(scalar) else {
                newScalars.append(scalar)
                newAlignments.append(alignments[index])
                continue
            }
            changed = true
            // An empty mapping removes the scalar (HF: it merges into the previous change).
            for mappedScalar in mapped {
                newScalars.append(mappedScalar)
                newAlignments.append(alignments[index])
            }
        }
        if changed {
            scalars = newScalars
            alignments = newAlignments
        }
    }
}

extension String {
    /// A string made of `scalars`, written as UTF-8 in one pass.
    init(scalars: [Unicode.Scalar]) {
        var byteCount = 0
        for scalar in scalars {
            let value = scalar.value
            byteCount += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4
        }
        self.init(unsafeUninitializedCapacity: byteCount) { buffer in
            var index = 0
            for scalar in scalars {
                let value = scalar.value
                if value < 0x80 {
                    buffer[index] = UInt8(truncatingIfNeeded: value)
                    index += 1
                } else if value < 0x800 {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xC0 | (value >> 6))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F))
                    index += 2
                } else if value < 0x10000 {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xE0 | (value >> 12))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | ((value >> 6) & 0x3F))
                    buffer[index + 2] = UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F))
                    index += 3
                } else {
                    buffer[index] = UInt8(truncatingIfNeeded: 0xF0 | (value >> 18))
                    buffer[index + 1] = UInt8(truncatingIfNeeded: 0x80 | ((value >> 12) & 0x3F))
                    buffer[index + 2] = UInt8(truncatingIfNeeded: 0x80 | ((value >> 6) & 0x3F))
                    buffer[index + 3] = UInt8(truncatingIfNeeded: 0x80 | (value & 0x3F))
                    index += 4
                }
            }
            return index
        }
    }
}

extension _NormalizedString {
    /// Keeps only the scalars for which `keep` holds, each with its alignment (HF `filter`).
    mutating func filter(_ keep: (Unicode.Scalar) -> Bool) {
        guard scalars.contains(where: { !keep($0) }) else { return }
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [_Alignment] = []
        newScalars.reserveCapacity(scalars.count)
        newAlignments.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() where keep(scalar) {
            newScalars.append(scalar)
            newAlignments.append(alignments[index])
        }
        scalars = newScalars
        alignments = newAlignments
    }

    /// Replaces every scalar by `transform(scalar)`, keeping alignments (HF `map`).
    mutating func map(_ transform: (Unicode.Scalar) -> Unicode.Scalar) {
        for index in scalars.indices {
            let mapped = transform(scalars[index])
            if mapped != scalars[index] { scalars[index] = mapped }
        }
    }
}
