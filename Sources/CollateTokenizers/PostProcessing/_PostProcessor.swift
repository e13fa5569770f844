/// An encoding being built: ids, offsets, and the token strings that differ from the
/// vocabulary's (an added token's matched text includes the spaces `lstrip`/`rstrip` took).
struct _RawEncoding {
    var ids: [Int32] = []
    var offsets: [Range<Int>] = []
    /// For each token, its string when it is not the vocabulary's string of its id.
    var texts: [String?] = []

    mutating func append(_ id: Int32, _ offsets: Range<Int>, text: String? = nil) {
        ids.append(id)
        self.offsets.append(offsets)
        texts.append(text)
    }
}

/// A piece of a `TemplateProcessing` template.
enum _TemplatePiece: Sendable {
    case sequence(String)
    case specialToken(String)
}

/// A post-processor from `tokenizer.json` (`post_processor`).
indirect enum _PostProcessor: Sendable {
    case sequence([_PostProcessor])
    case template(single: [_TemplatePiece], specialTokens: [String: (ids: [Int32], tokens: [String])])
    case byteLevel(addPrefixSpace: Bool, trimOffsets: Bool)

    /// Parses the post-processor object at `json`.
    static func parse(_ json: _JSONValue) throws -> _PostProcessor {
        let type = try json.componentType()
        switch type {
        case "Sequence":
            return .sequence(try json.member("processors").array().map(parse))
        case "ByteLevel":
            return .byteLevel(
                addPrefixSpace: try json.bool("add_prefix_space", default: true),
                trimOffsets: try json.bool("trim_offsets", default: true))
        case "TemplateProcessing":
            var single: [_TemplatePiece] = []
            for piece in try json.member("single").array() {
                let object = try piece.object()
                if object["Sequence"] != nil {
                    single.append(.sequence(try piece.member("Sequence").member("id").string()))
                } else if object["SpecialToken"] != nil {
                    single.append(.specialToken(try piece.member("SpecialToken").member("id").string()))
                } else {
                    throw TokenizerJSONError.invalidValue(
                        path: piece.path, value: "{\(object.keys.sorted().joined(separator: ", "))}",
                        reason: "a template piece must be {\"Sequence\": ...} or {\"SpecialToken\": ...}")
                }
            }
            var specialTokens: [String: (ids: [Int32], tokens: [String])] = [:]
            let specialJSON = try json.member("special_tokens")
            for key in try specialJSON.object().keys.sorted() {
                let entry = try specialJSON.member(key)
                let ids = try entry.member("ids").array().map { element -> Int32 in
                    // Checked: an id beyond Int32 used to trap here (found by Tests/Fuzz tokenizer).
                    let id = try element.int()
                    guard let id32 = Int32(exactly: id), id32 >= 0 else {
                        throw TokenizerJSONError.invalidValue(path: element.path, value: "\(id)", reason: "ids are non-negative 32-bit integers")
                    }
                    return id32
                }
                let tokens = try entry.member("tokens").array().map { try $0.string() }
                guard ids.count == tokens.count else {
                    throw TokenizerJSONError.invalidValue(
                        path: entry.path, value: "\(ids.count) ids and \(tokens.count) tokens",
                        reason: "ids and tokens must have the same length")
                }
                specialTokens[key] = (ids, tokens)
            }
            for case .specialToken(let name) in single where specialTokens[name] == nil {
                throw TokenizerJSONError.missingKey(path: "\(specialJSON.path).\(name)")
            }
            return .template(single: single, specialTokens: specialTokens)
        default:
            throw json.unsupported(type)
        }
    }

    /// Post-processes a single-sequence encoding (HF `process` with no pair).
    /// - Parameters:
    ///   - encoding: The encoding, changed in place.
    ///   - addSpecialTokens: Whether templates add their special tokens.
    ///   - tokenString: The token string of an id (offset trimming looks at it).
    func process(_ encoding: inout _RawEncoding, addSpecialTokens: Bool, tokenString: (Int32) -> String) {
        switch self {
        case .sequence(let processors):
            for processor in processors {
                processor.process(&encoding, addSpecialTokens: addSpecialTokens, tokenString: tokenString)
            }
        case .byteLevel(let addPrefixSpace, let trimOffsets):
            if trimOffsets { Self.trimOffsets(&encoding, addPrefixSpace: addPrefixSpace, tokenString: tokenString) }
        case .template(let single, let specialTokens):
            guard addSpecialTokens else { return }
            var result = _RawEncoding()
            result.ids.reserveCapacity(encoding.ids.count + single.count)
            for piece in single {
                switch piece {
                case .sequence(let name):
                    if name == "A" {
                        result.ids.append(contentsOf: encoding.ids)
                        result.offsets.append(contentsOf: encoding.offsets)
                        result.texts.append(contentsOf: encoding.texts)
                    }
                case .specialToken(let name):
                    if let special = specialTokens[name] {
                        result.ids.append(contentsOf: special.ids)
                        result.offsets.append(contentsOf: repeatElement(0..<0, count: special.ids.count))
                        result.texts.append(contentsOf: special.tokens.map { Optional($0) })
                    }
                }
            }
            encoding = result
        }
    }

    /// HF `process_offsets`: leading and trailing spaces of a token are left out of its
    /// offsets.
    private static func trimOffsets(_ encoding: inout _RawEncoding, addPrefixSpace: Bool, tokenString: (Int32) -> String) {
        let space = _ByteLevel.byteToScalar[Int(UInt8(ascii: " "))]
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == space || scalar.properties.isWhitespace }
        for index in 0..<encoding.ids.count {
            let scalars = Array((encoding.texts[index] ?? tokenString(encoding.ids[index])).unicodeScalars)
            var leading = 0
            while leading < scalars.count, isSpace(scalars[leading]) { leading += 1 }
            var trailing = 0
            while trailing < scalars.count, isSpace(scalars[scalars.count - 1 - trailing]) { trailing += 1 }
            guard leading > 0 || trailing > 0 else { continue }
            var start = encoding.offsets[index].lowerBound
            var end = encoding.offsets[index].upperBound
            if leading > 0 {
                let isFirst = index == 0 || start == 0
                if !(isFirst && addPrefixSpace && leading == 1) {
                    start = min(start + leading, end)
                }
            }
            if trailing > 0 && end >= trailing {
                end = max(end - trailing, start)
            }
            encoding.offsets[index] = start..<end
        }
    }
}
