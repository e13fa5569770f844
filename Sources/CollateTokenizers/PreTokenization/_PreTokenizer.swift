/// How Metaspace adds its replacement at the start of a piece (HF `PrependScheme`).
enum _PrependScheme: String, Sendable {
    case always
    case first
    case never
}

/// A pre-tokenizer from `tokenizer.json` (`pre_tokenizer`).
indirect enum _PreTokenizer: Sendable {
    case sequence([_PreTokenizer])
    case split(_Pattern, behavior: _SplitBehavior, invert: Bool)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: _PrependScheme, split: Bool)
    case whitespace
    case whitespaceSplit
    case bert
    case punctuation(_SplitBehavior)
    case digits(individual: Bool)
    case charDelimiterSplit(Unicode.Scalar)
    case unicodeScripts

    /// The pattern of HF's `Whitespace` pre-tokenizer (inverted, delimiters removed), which
    /// HF compiles with the Rust `regex` crate (its `\w` includes U+200C/U+200D).
    static let whitespaceRegex = _Regex(builtIn: #"\w+|[^\w\s]+"#, matcher: .words(rust: true))

    /// Parses the pre-tokenizer object at `json`.
    static func parse(_ json: _JSONValue) throws -> _PreTokenizer {
        let type = try json.componentType()
        switch type {
        case "Sequence":
            return .sequence(try json.member("pretokenizers").array().map(parse))
        case "Split":
            let pattern = try _Pattern.parse(try json.member("pattern"))
            let behavior = try parseBehavior(try json.member("behavior"))
            return .split(pattern, behavior: behavior, invert: try json.bool("invert", default: false))
        case "ByteLevel":
            return .byteLevel(
                addPrefixSpace: try json.bool("add_prefix_space", default: true),
                useRegex: try json.bool("use_regex", default: true))
        case "Metaspace":
            return try parseMetaspace(json)
        case "Whitespace":
            return .whitespace
        case "WhitespaceSplit":
            return .whitespaceSplit
        case "BertPreTokenizer":
            return .bert
        case "Punctuation":
            var behavior = _SplitBehavior.isolated
            if let behaviorJSON = try json.optionalMember("behavior") {
                behavior = try parseBehavior(behaviorJSON)
            }
            return .punctuation(behavior)
        case "Digits":
            return .digits(individual: try json.bool("individual_digits", default: false))
        case "CharDelimiterSplit":
            let delimiterJSON = try json.member("delimiter")
            let delimiter = try delimiterJSON.string()
            let scalars = Array(delimiter.unicodeScalars)
            guard scalars.count == 1, let scalar = scalars.first else {
                throw TokenizerJSONError.invalidValue(
                    path: delimiterJSON.path, value: "\"\(delimiter)\"", reason: "the delimiter must be exactly one character")
            }
            return .charDelimiterSplit(scalar)
        case "UnicodeScripts":
            return .unicodeScripts
        default:
            throw json.unsupported(type)
        }
    }

    /// Parses a split behaviour name (`"Isolated"`, ...).
    static func parseBehavior(_ json: _JSONValue) throws -> _SplitBehavior {
        let name = try json.string()
        guard let behavior = _SplitBehavior(rawValue: name) else {
            throw TokenizerJSONError.invalidValue(
                path: json.path, value: "\"\(name)\"",
                reason: "use one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        return behavior
    }

    /// Rust's `char::is_ascii_punctuation || is_punctuation`, the punctuation of
    /// `BertPreTokenizer` and `Punctuation`: P* of the `unicode_categories` crate's Unicode (not
    /// the toolchain's: U+166D is, U+061D is not), measured on every scalar with HF 0.23.3.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value)
                || (0x5B...0x60).contains(value) || (0x7B...0x7E).contains(value)
        }
        return _HFCharacterTables.contains(_HFCharacterTables.punctuation, value)
    }

    /// Unicode White_Space (Rust's `char::is_whitespace`), with an ASCII fast path.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return scalar.properties.isWhitespace
    }

    /// Rust's `char::is_numeric` (general categories Nd, Nl, No).
    static func isNumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return (0x30...0x39).contains(scalar.value) }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Parses Metaspace options shared by the pre-tokenizer and the decoder.
    static func parseMetaspace(_ json: _JSONValue) throws -> _PreTokenizer {
        let replacementJSON = try json.member("replacement")
        let replacementString = try replacementJSON.string()
        let scalars = Array(replacementString.unicodeScalars)
        guard scalars.count == 1, let replacement = scalars.first else {
            throw TokenizerJSONError.invalidValue(
                path: replacementJSON.path, value: "\"\(replacementString)\"",
                reason: "the replacement must be exactly one character, e.g. \"\u{2581}\"")
        }
        var scheme: _PrependScheme = .always
        if let schemeJSON = try json.optionalMember("prepend_scheme") {
            let name = try schemeJSON.string()
            guard let parsed = _PrependScheme(rawValue: name) else {
                throw TokenizerJSONError.invalidValue(
                    path: schemeJSON.path, value: "\"\(name)\"", reason: "use one of always, first, never")
            }
            scheme = parsed
        } else if let legacy = try json.optionalMember("add_prefix_space") {
            scheme = try legacy.bool() ? .always : .never
        }
        return .metaspace(replacement: replacement, prependScheme: scheme, split: try json.bool("split", default: true))
    }

    /// Splits every word of `words` further (words are never empty afterwards).
    func preTokenize(_ words: inout _Words) {
        switch self {
        case .sequence(let preTokenizers):
            for preTokenizer in preTokenizers { preTokenizer.preTokenize(&words) }
        case .split(let pattern, let behavior, let invert):
            words.split(on: pattern, behavior: behavior, invert: invert)
        case .byteLevel(let addPrefixSpace, let useRegex):
            if addPrefixSpace, words.spans.contains(where: { words.scalars[$0.range.lowerBound] != " " }) {
                // HF `prepend`: the space shares the first scalar's alignment.
                words.rewrite(extraCapacity: words.spans.count) { word, oldScalars, oldAlignments, scalars, alignments in
                    let first = word.range.lowerBound
                    if oldScalars[first] != " " {
                        scalars.append(" ")
                        alignments.append(oldAlignments[first])
                    }
                    scalars.append(contentsOf: oldScalars[word.range])
                    alignments.append(contentsOf: oldAlignments[word.range])
                }
            }
            if useRegex {
                words.split(on: .regex(_ByteLevel.gpt2Regex), behavior: .isolated)
            }
            _ByteLevel.encode(&words)
        case .metaspace(let replacement, let scheme, let split):
            // HF: replace every " " by the replacement (one scalar for one: alignments are
            // kept), prepend it as the scheme says (sharing the first scalar's alignment),
            // then split before each replacement.
            words.rewrite(extraCapacity: words.spans.count) { word, oldScalars, oldAlignments, scalars, alignments in
                let first = word.range.lowerBound
                let firstScalar = oldScalars[first] == " " ? replacement : oldScalars[first]
                let prepend: Bool
                switch scheme {
                case .always: prepend = firstScalar != replacement
                case .first: prepend = firstScalar != replacement && word.originalStart == 0
                case .never: prepend = false
                }
                if prepend {
                    scalars.append(replacement)
                    alignments.append(oldAlignments[first])
                }
                for index in word.range {
                    let scalar = oldScalars[index]
                    scalars.append(scalar == " " ? replacement : scalar)
                }
                alignments.append(contentsOf: oldAlignments[word.range])
            }
            if split {
                words.split(behavior: .mergedWithNext) { $0 == replacement }
            }
        case .whitespace:
            words.split(on: .regex(Self.whitespaceRegex), behavior: .removed, invert: true)
        case .whitespaceSplit:
            words.split(behavior: .removed, where: Self.isWhitespace)
        case .bert:
            words.split(behavior: .removed, where: Self.isWhitespace)
            words.split(behavior: .isolated, where: Self.isPunctuation)
        case .punctuation(let behavior):
            words.split(behavior: behavior, where: Self.isPunctuation)
        case .digits(let individual):
            words.split(behavior: individual ? .isolated : .contiguous, where: Self.isNumeric)
        case .charDelimiterSplit(let delimiter):
            words.split(behavior: .removed) { $0 == delimiter }
        case .unicodeScripts:
            _UnicodeScripts.split(&words)
        }
    }
}
