/// The Unicode classes HF's Oniguruma regexes use, per scalar, as Oniguruma 6.9 (Unicode 16.0)
/// defines them.
///
/// Swift's standard library has newer Unicode data (scalars assigned after 16.0 count as
/// unassigned here, and U+0295 stays a lowercase letter); Oniguruma's `\w` is Alphabetic, marks,
/// decimal digits and connector punctuation, plus the Latin-1 superscripts and fractions
/// (² ³ ¹ ¼ ½ ¾), without the joiners U+200C/U+200D that ICU adds. Both were checked against
/// every scalar with HF `tokenizers` 0.23.3.
struct _ScalarClass: OptionSet, Sendable {
    let rawValue: UInt16

    static let whitespace = _ScalarClass(rawValue: 1 << 0)
    static let letter = _ScalarClass(rawValue: 1 << 1)
    static let number = _ScalarClass(rawValue: 1 << 2)
    static let mark = _ScalarClass(rawValue: 1 << 3)
    static let uppercase = _ScalarClass(rawValue: 1 << 4)
    static let lowercase = _ScalarClass(rawValue: 1 << 5)
    static let titlecase = _ScalarClass(rawValue: 1 << 6)
    static let modifier = _ScalarClass(rawValue: 1 << 7)
    static let otherLetter = _ScalarClass(rawValue: 1 << 8)
    static let word = _ScalarClass(rawValue: 1 << 9)
    /// Rust `regex`'s `\w` (HF `Whitespace`): Alphabetic, marks, decimal digits, connector
    /// punctuation and the joiners U+200C/U+200D (Unicode 16.0).
    static let rustWord = _ScalarClass(rawValue: 1 << 10)

    /// Tekken's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static let upperRun: _ScalarClass = [.uppercase, .titlecase, .modifier, .otherLetter, .mark]
    /// Tekken's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static let lowerRun: _ScalarClass = [.lowercase, .modifier, .otherLetter, .mark]

    /// The classes of `scalar`, from the tables below.
    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> _ScalarClass {
        let value = scalar.value
        if value < 0x80 { return ascii[Int(value)] }
        if value < 0x10000 { return basicPlane[Int(value)] }
        return compute(scalar)
    }

    private static let ascii: [_ScalarClass] = (0..<0x80).map { compute(Unicode.Scalar(UInt8($0))) }
    private static let basicPlane: [_ScalarClass] = (0..<0x10000).map { value in
        Unicode.Scalar(UInt32(value)).map(compute) ?? []
    }

    /// The classes of `scalar` from the standard library's Unicode properties.
    static func compute(_ scalar: Unicode.Scalar) -> _ScalarClass {
        let properties = scalar.properties
        if let age = properties.age, age.major > 16 || (age.major == 16 && age.minor > 0) { return [] }
        var result: _ScalarClass = []
        if properties.isWhitespace { result.insert(.whitespace) }
        var category = properties.generalCategory
        if scalar.value == 0x295 { category = .lowercaseLetter }  // Lo since Unicode 17.0
        switch category {
        case .uppercaseLetter: result.formUnion([.letter, .uppercase])
        case .lowercaseLetter: result.formUnion([.letter, .lowercase])
        case .titlecaseLetter: result.formUnion([.letter, .titlecase])
        case .modifierLetter: result.formUnion([.letter, .modifier])
        case .otherLetter: result.formUnion([.letter, .otherLetter])
        case .nonspacingMark, .spacingMark, .enclosingMark: result.insert(.mark)
        case .decimalNumber, .letterNumber, .otherNumber: result.insert(.number)
        default: break
        }
        if properties.isAlphabetic || result.contains(.mark) || category == .decimalNumber
            || category == .connectorPunctuation || [0xB2, 0xB3, 0xB9, 0xBC, 0xBD, 0xBE].contains(scalar.value) {
            result.insert(.word)
        }
        if properties.isAlphabetic || result.contains(.mark) || category == .decimalNumber
            || category == .connectorPunctuation || scalar.value == 0x200C || scalar.value == 0x200D {
            result.insert(.rustWord)
        }
        return result
    }
}

/// A hand-written matcher for the split patterns published tokenizers use, giving exactly
/// Oniguruma's matches (leftmost, first alternative, backtracking as the regex would) without a
/// regex engine. `_Regex` uses it when the pattern string is one of these, character for
/// character; any other pattern goes to ICU.
enum _SplitMatcher: Sendable {
    /// GPT-2's (HF `ByteLevel` with `use_regex`).
    case gpt2
    /// Llama 3's / tiktoken cl100k's (`maxDigits` 3) and Qwen2's (`maxDigits` 1).
    case llama3(maxDigits: Int)
    /// Mistral's Tekken.
    case tekken
    /// `\w+|[^\w\s]+` with Oniguruma's `\w` (a `Split` pattern), or with Rust `regex`'s
    /// (`rust`: HF's `Whitespace` pre-tokenizer compiles this pattern with the `regex` crate).
    case words(rust: Bool)
    /// `.`: every scalar but a line feed.
    case anyButNewline
    /// A run of at least `minimum` of one scalar: ` {2,}`, the pattern of the `Replace`
    /// normalizer in SentencePiece conversions (T5, ALBERT, XLM-R).
    case run(Unicode.Scalar, minimum: Int)

    /// The matcher for `pattern`, if it is a known one.
    init?(pattern: String) {
        switch pattern {
        case #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#: self = .gpt2
        case #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            self = .llama3(maxDigits: 3)
        case #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            self = .llama3(maxDigits: 1)
        case #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            self = .tekken
        case #"\w+|[^\w\s]+"#: self = .words(rust: false)
        case ".": self = .anyButNewline
        case " {2,}": self = .run(" ", minimum: 2)
        default: return nil
        }
    }

    /// All matches in `scalars`, as scalar ranges, in order (none is empty).
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let count = scalars.count
        var result: [Range<Int>] = []
        if count == 0 { return result }
        result.reserveCapacity(count / 4 + 1)
        var classes = [_ScalarClass](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = _ScalarClass.of(scalars[index]) }
            initialized = count
        }
        // Sentinel past the end: no class at all.
        classes.append([])
        classes.withUnsafeBufferPointer { classes in
            scalars.withUnsafeBufferPointer { scalars in
                var index = 0
                while index < count {
                    if let end = match(at: index, scalars, classes, count) {
                        result.append(index..<end)
                        index = end
                    } else {
                        index += 1
                    }
                }
            }
        }
        return result
    }

    /// The end of the match starting at `start`, or `nil` if none starts there.
    @inline(__always)
    private func match(at start: Int, _ scalars: UnsafeBufferPointer<Unicode.Scalar>,
                       _ classes: UnsafeBufferPointer<_ScalarClass>, _ count: Int) -> Int? {
        /// The end of the run of scalars in `set` from `position`, at most `limit` long.
        @inline(__always) func run(_ set: _ScalarClass, from position: Int, limit: Int = .max) -> Int {
            var end = position
            while end < count, end - position < limit, !classes[end].isDisjoint(with: set) { end += 1 }
            return end
        }
        /// The end of the run of `[^\s\p{L}\p{N}]` scalars from `position`.
        @inline(__always) func otherRun(from position: Int) -> Int {
            var end = position
            while end < count, classes[end].isDisjoint(with: [.whitespace, .letter, .number]) { end += 1 }
            return end
        }
        @inline(__always) func isNewline(_ position: Int) -> Bool {
            position < count && (scalars[position] == "\n" || scalars[position] == "\r")
        }
        /// `[^\r\n\p{L}\p{N}]` at `position`.
        @inline(__always) func isPrefix(_ position: Int) -> Bool {
            position < count && classes[position].isDisjoint(with: [.letter, .number]) && !isNewline(position)
        }
        /// `[^\s\p{L}\p{N}]` at `position`.
        @inline(__always) func isOther(_ position: Int) -> Bool {
            position < count && classes[position].isDisjoint(with: [.whitespace, .letter, .number])
        }
        /// ` ?[^\s\p{L}\p{N}]+[\r\n]*` (with `/` in the trailing set when `slash`) at `start`.
        @inline(__always) func otherWithSpace(slash: Bool) -> Int? {
            var body = start
            if scalars[start] == " ", isOther(start + 1) {
                body = start + 1
            } else if !isOther(start) {
                return nil
            }
            var end = otherRun(from: body)
            while end < count, scalars[end] == "\n" || scalars[end] == "\r" || (slash && scalars[end] == "/") { end += 1 }
            return end
        }
        /// `\s*[\r\n]+|\s+(?!\S)|\s+` at `start`.
        @inline(__always) func whitespace(newlines: Bool) -> Int? {
            let end = run(.whitespace, from: start)
            if end == start { return nil }
            if newlines {
                var last = end - 1
                while last >= start, !isNewline(last) { last -= 1 }
                if last >= start { return last + 1 }
            }
            if end == count || end - start == 1 { return end }
            return end - 1
        }
        /// `'s|'t|'re|'ve|'m|'ll|'d`, case-insensitive (with Unicode folding) or not.
        @inline(__always) func contraction(ignoringCase: Bool) -> Int? {
            guard scalars[start] == "'", start + 1 < count else { return nil }
            func lower(_ position: Int) -> Unicode.Scalar? {
                guard position < count else { return nil }
                let scalar = scalars[position]
                guard ignoringCase else { return scalar }
                if scalar == "\u{17F}" { return "s" }  // LATIN SMALL LETTER LONG S folds to s
                if scalar.value >= 0x41 && scalar.value <= 0x5A { return Unicode.Scalar(scalar.value + 0x20) }
                return scalar
            }
            switch lower(start + 1) {
            case "s", "t", "m", "d": return start + 2
            case "r", "v": return lower(start + 2) == "e" ? start + 3 : nil
            case "l": return lower(start + 2) == "l" ? start + 3 : nil
            default: return nil
            }
        }

        switch self {
        case .anyButNewline:
            return scalars[start] == "\n" ? nil : start + 1

        case .run(let scalar, let minimum):
            guard scalars[start] == scalar else { return nil }
            var end = start + 1
            while end < count, scalars[end] == scalar { end += 1 }
            return end - start >= minimum ? end : nil

        case .words(let rust):
            let word: _ScalarClass = rust ? .rustWord : .word
            let first = classes[start]
            if !first.isDisjoint(with: word) { return run(word, from: start) }
            if first.contains(.whitespace) { return nil }
            var end = start + 1
            while end < count, classes[end].isDisjoint(with: [word, .whitespace]) { end += 1 }
            return end

        case .gpt2:
            if let end = contraction(ignoringCase: false) { return end }
            let body = scalars[start] == " " && start + 1 < count ? start + 1 : start
            // The optional space can only be dropped when it starts no letter, number or other
            // run itself, and a space is none of those: each alternative is decided at `body`.
            if classes[body].contains(.letter) { return run(.letter, from: body) }
            if classes[body].contains(.number) { return run(.number, from: body) }
            if isOther(body) { return otherRun(from: body) }
            return whitespace(newlines: false)

        case .llama3(let maxDigits):
            if let end = contraction(ignoringCase: true) { return end }
            if isPrefix(start), classes[start + 1].contains(.letter) { return run(.letter, from: start + 1) }
            if classes[start].contains(.letter) { return run(.letter, from: start) }
            if classes[start].contains(.number) { return run(.number, from: start, limit: maxDigits) }
            if let end = otherWithSpace(slash: false) { return end }
            return whitespace(newlines: true)

        case .tekken:
            // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
            // The optional prefix is tried taken first, then not.
            let firstBody = isPrefix(start) ? start + 1 : start
            var body = firstBody
            while body >= start {
                let upperEnd = run(.upperRun, from: body)
                // The longest upper run that leaves a lower-run scalar right after it.
                var split = upperEnd
                while split >= body, classes[split].isDisjoint(with: .lowerRun) { split -= 1 }
                if split >= body { return run(.lowerRun, from: split) }
                body -= 1
            }
            // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
            body = firstBody
            while body >= start {
                let upperEnd = run(.upperRun, from: body)
                if upperEnd > body { return run(.lowerRun, from: upperEnd) }
                body -= 1
            }
            if classes[start].contains(.number) { return start + 1 }
            if let end = otherWithSpace(slash: true) { return end }
            return whitespace(newlines: true)
        }
    }
}
