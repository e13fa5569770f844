/// A decoder from `tokenizer.json` (`decoder`): turns token strings back into text.
indirect enum _Decoder: Sendable {
    case sequence([_Decoder])
    case replace(_Pattern, content: [Unicode.Scalar])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case byteLevel
    case metaspace(replacement: Unicode.Scalar, prependScheme: _PrependScheme)

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
        default:
            throw json.unsupported(type)
        }
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
        }
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
