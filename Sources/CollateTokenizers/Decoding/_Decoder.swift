/// A decoder from `tokenizer.json` (`decoder`): turns token strings back into text.
indirect enum _Decoder: Sendable {
    case sequence([_Decoder])
    case replace(_Pattern, content: [Unicode.Scalar])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case byteLevel
    case metaspace(replacement: Unicode.Scalar, prependScheme: _PrependScheme)
    case wordPiece(prefix: String, cleanup: Bool)
    case ctc(padToken: String, wordDelimiter: String, cleanup: Bool)
    case bpeSuffix(String)

    /// Parses the decoder object at `json`.
    static func parse(_ json: _JSONValue) throws -> _Decoder {
        let type = try json.componentType()
        switch type {
        case "Sequence":
            return .sequence(try json.member("decoders").array().map(parse))
        case "Replace":
            let pattern = try _Pattern.parse(try json.member("pattern"))
            return .replace(pattern, content: Array(try json.member("content").string().unicodeScalars))
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            let contentJSON = try json.member("content")
            let content = try contentJSON.string()
            let scalars = Array(content.unicodeScalars)
            guard scalars.count == 1, let scalar = scalars.first else {
                throw TokenizerJSONError.invalidValue(
                    path: contentJSON.path, value: "\"\(content)\"", reason: "the content must be exactly one character")
            }
            return .strip(content: scalar, start: try json.member("start").int(), stop: try json.member("stop").int())
        case "ByteLevel":
            return .byteLevel
        case "Metaspace":
            guard case .metaspace(let replacement, let scheme, _) = try _PreTokenizer.parseMetaspace(json) else {
                throw json.unsupported(type)
            }
            return .metaspace(replacement: replacement, prependScheme: scheme)
        case "WordPiece":
            return .wordPiece(
                prefix: try json.optionalString("prefix") ?? "##", cleanup: try json.bool("cleanup", default: true))
        case "CTC":
            return .ctc(
                padToken: try json.optionalString("pad_token") ?? "<pad>",
                wordDelimiter: try json.optionalString("word_delimiter_token") ?? "|",
                cleanup: try json.bool("cleanup", default: true))
        case "BPEDecoder":
            return .bpeSuffix(try json.optionalString("suffix") ?? "</w>")
        default:
            throw json.unsupported(type)
        }
    }

    /// HF `wordpiece::cleanup`: removes the spaces tokenization put before punctuation and
    /// English contractions.
    static func cleanup(_ text: String) -> String {
        var result = text
        for (from, to) in [
            (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
            (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
        ] {
            result = replacing(result, from, with: to)
        }
        return result
    }

    /// HF `decode_chain`: token strings in, token strings out.
    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let decoders):
            var tokens = tokens
            for decoder in decoders { tokens = decoder.decodeChain(tokens) }
            return tokens
        case .replace(let pattern, let content):
            return tokens.map { token in
                var string = _NormalizedString(original: token.unicodeScalars)
                let matches = pattern.matches(in: string.scalars).filter { !$0.isEmpty }
                if matches.isEmpty { return token }
                string.replace(matches: matches, with: content)
                return string.string
            }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                let scalars = Array(token.unicodeScalars)
                var lower = 0
                while lower < min(start, scalars.count), scalars[lower] == content { lower += 1 }
                var upper = scalars.count
                var stripped = 0
                while stripped < stop, upper > lower, scalars[upper - 1] == content { upper -= 1; stripped += 1 }
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[lower..<upper])
                return String(view)
            }
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                var tokenBytes: [UInt8] = []
                var allMapped = true
                for scalar in token.unicodeScalars {
                    guard let byte = _ByteLevel.scalarToByte[scalar.value] else { allMapped = false; break }
                    tokenBytes.append(byte)
                }
                bytes.append(contentsOf: allMapped ? tokenBytes : Array(token.utf8))
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                var view = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        // HF drops every replacement of the first token, not only a leading one.
                        if index == 0 && scheme != .never { continue }
                        view.append(" ")
                    } else {
                        view.append(scalar)
                    }
                }
                return String(view)
            }
        case .wordPiece(let prefix, let cleanup):
            return tokens.enumerated().map { index, token in
                var token = token
                if index != 0 {
                    // Rust `strip_prefix`: an empty prefix always strips, so no space is added.
                    if token.unicodeScalars.starts(with: prefix.unicodeScalars) {
                        token = String(String.UnicodeScalarView(token.unicodeScalars.dropFirst(prefix.unicodeScalars.count)))
                    } else {
                        token = " " + token
                    }
                }
                return cleanup ? Self.cleanup(token) : token
            }
        case .ctc(let padToken, let wordDelimiter, let cleanup):
            var result: [String] = []
            var previous: String?
            for token in tokens {
                // `dedup`: consecutive equal tokens count once.
                if token == previous { continue }
                previous = token
                var replaced = Self.replacing(token, padToken, with: "")
                if cleanup {
                    replaced = Self.replacing(Self.cleanup(replaced), wordDelimiter, with: " ")
                }
                if !replaced.isEmpty { result.append(replaced) }
            }
            return result
        case .bpeSuffix(let suffix):
            return tokens.enumerated().map { index, token in
                Self.replacing(token, suffix, with: index == tokens.count - 1 ? "" : " ")
            }
        }
    }

    /// Rust's `str::replace`: every non-overlapping occurrence, leftmost first (an empty
    /// pattern leaves the text as it is here; HF never uses one).
    static func replacing(_ text: String, _ pattern: String, with replacement: String) -> String {
        let needle = Array(pattern.unicodeScalars)
        guard !needle.isEmpty else { return text }
        let scalars = Array(text.unicodeScalars)
        let matches = _Pattern.literal(needle).matches(in: scalars)
        guard !matches.isEmpty else { return text }
        var view = String.UnicodeScalarView()
        var position = 0
        for match in matches {
            view.append(contentsOf: scalars[position..<match.lowerBound])
            view.append(contentsOf: replacement.unicodeScalars)
            position = match.upperBound
        }
        view.append(contentsOf: scalars[position...])
        return String(view)
    }

    /// HF `ByteFallback`: runs of `<0xXX>` tokens become the text they encode, or one
    /// U+FFFD per byte when the run is not valid UTF-8.
    private static func byteFallback(_ tokens: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let string = String(validating: pending, as: UTF8.self) {
                result.append(string)
            } else {
                result.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll(keepingCapacity: true)
        }
        for token in tokens {
            let utf8 = Array(token.utf8)
            if utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"), utf8[2] == UInt8(ascii: "x"),
               utf8[5] == UInt8(ascii: ">"),
               let byte = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) {
                pending.append(byte)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }

    /// Decodes tokens into one string.
    func decode(_ tokens: [String]) -> String {
        decodeChain(tokens).joined()
    }
}
