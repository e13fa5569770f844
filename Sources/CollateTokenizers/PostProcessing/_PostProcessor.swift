import Foundation

/// The strings of an encoding's tokens that are not the vocabulary's strings of their ids (an
/// added token's matched text, a template's special token), by token index: a few per text,
/// so they are kept apart instead of one optional string per token (whose appends and
/// generic destruction were a twentieth of encoding a chat dataset).
struct _TokenTexts {
    /// (token index, string), by increasing index.
    private(set) var entries: [(index: Int, text: String)] = []
    /// The number of tokens (with or without a string of their own).
    private(set) var count = 0

    init() {}

    /// One string per token.
    init(_ texts: [String]) {
        entries = texts.enumerated().map { ($0.offset, $0.element) }
        count = texts.count
    }

    /// The string of token `index`, or `nil` when it is the vocabulary's.
    subscript(index: Int) -> String? {
        guard let last = entries.last, last.index >= index else { return nil }
        var lower = 0, upper = entries.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if entries[middle].index < index { lower = middle + 1 } else { upper = middle }
        }
        return lower < entries.count && entries[lower].index == index ? entries[lower].text : nil
    }

    /// The tokens in `range`, renumbered from 0.
    subscript(range: Range<Int>) -> _TokenTexts {
        var result = _TokenTexts()
        result.count = range.count
        for entry in entries where range.contains(entry.index) {
            result.entries.append((entry.index - range.lowerBound, entry.text))
        }
        return result
    }

    /// Appends one token, with its own string or `nil`.
    @inline(__always)
    mutating func append(_ text: String?) {
        if let text { entries.append((count, text)) }
        count += 1
    }

    /// Appends the tokens of `other`.
    mutating func append(contentsOf other: _TokenTexts) {
        for entry in other.entries { entries.append((count + entry.index, entry.text)) }
        count += other.count
    }
}

/// An encoding being built: ids, offsets, type ids, and the token strings that differ from
/// the vocabulary's (an added token's matched text includes the spaces `lstrip`/`rstrip`
/// took; a special token of a template carries its own string).
struct _RawEncoding {
    var ids: [Int32] = []
    var offsets: [Range<Int>] = []
    /// For each token, its string when it is not the vocabulary's string of its id.
    var texts = _TokenTexts()
    /// For each token, its type id (segment).
    var typeIDs: [Int32] = []
    /// The pieces truncation cut off (HF `Encoding.overflowing`), each processed like this
    /// encoding; after merging a pair, a piece may hold pieces of its own, as in HF.
    var overflowing: [_RawEncoding] = []

    mutating func append(_ id: Int32, _ offsets: Range<Int>, text: String? = nil, typeID: Int32 = 0) {
        ids.append(id)
        self.offsets.append(offsets)
        texts.append(text)
        typeIDs.append(typeID)
    }

    mutating func append(contentsOf other: _RawEncoding) {
        ids.append(contentsOf: other.ids)
        offsets.append(contentsOf: other.offsets)
        texts.append(contentsOf: other.texts)
        typeIDs.append(contentsOf: other.typeIDs)
    }

    /// HF `Encoding::merge_with` (offsets not growing): appends `pair`, and combines the
    /// overflowing pieces of both: each of ours with `pair` and with each of its pieces,
    /// then this encoding with each of `pair`'s pieces.
    mutating func merge(with pair: _RawEncoding) {
        if !overflowing.isEmpty || !pair.overflowing.isEmpty {
            var combined: [_RawEncoding] = []
            for piece in overflowing {
                var merged = piece
                merged.merge(with: pair)
                combined.append(merged)
                for other in pair.overflowing {
                    var merged = piece
                    merged.merge(with: other)
                    combined.append(merged)
                }
            }
            for other in pair.overflowing {
                var merged = self
                merged.merge(with: other)
                combined.append(merged)
            }
            overflowing = combined
        }
        append(contentsOf: pair)
    }

    /// HF `Encoding::merge`: the encodings merged in order, from an empty one.
    static func merged(_ encodings: [_RawEncoding]) -> _RawEncoding {
        if encodings.count == 1 { return encodings[0] }
        var result = _RawEncoding()
        let count = encodings.reduce(0) { $0 + $1.ids.count }
        result.ids.reserveCapacity(count)
        result.offsets.reserveCapacity(count)
        result.typeIDs.reserveCapacity(count)
        for encoding in encodings { result.merge(with: encoding) }
        return result
    }

    /// This encoding and its overflowing pieces, each changed by `body` (the pieces' own
    /// pieces are left alone, as HF's processors leave them).
    func mappingPieces(_ body: (inout _RawEncoding) -> Void) -> _RawEncoding {
        var copy = self
        body(&copy)
        for index in copy.overflowing.indices { body(&copy.overflowing[index]) }
        return copy
    }

    /// This encoding between one optional special token and one special token, all with
    /// `typeID` (or, when `typeID` is nil, the specials with `specialTypeID` and the tokens
    /// keeping theirs); its overflowing pieces are kept as they are. Built with one
    /// allocation per array: BERT and RoBERTa wrap every overflowing piece so.
    func wrapped(
        first: (String, Int32)?, last: (String, Int32), specialTypeID: Int32, typeID: Int32?
    ) -> _RawEncoding {
        let count = ids.count + (first == nil ? 1 : 2)
        var result = _RawEncoding()
        result.ids.reserveCapacity(count)
        result.offsets.reserveCapacity(count)
        result.typeIDs.reserveCapacity(count)
        if let first { result.append(first.1, 0..<0, text: first.0, typeID: specialTypeID) }
        result.ids.append(contentsOf: ids)
        result.offsets.append(contentsOf: offsets)
        result.texts.append(contentsOf: texts)
        if let typeID {
            result.typeIDs.append(contentsOf: repeatElement(typeID, count: ids.count))
        } else {
            result.typeIDs.append(contentsOf: typeIDs)
        }
        result.append(last.1, 0..<0, text: last.0, typeID: specialTypeID)
        result.overflowing = overflowing
        return result
    }

    /// Special tokens (no offsets, their own strings), all with `typeID`.
    static func special(ids: [Int32], tokens: [String], typeID: Int32) -> _RawEncoding {
        _RawEncoding(
            ids: ids, offsets: Array(repeating: 0..<0, count: ids.count), texts: _TokenTexts(tokens),
            typeIDs: Array(repeating: typeID, count: ids.count))
    }

    /// This encoding with every type id set to `typeID`.
    func withTypeID(_ typeID: Int32) -> _RawEncoding {
        if typeIDs.allSatisfy({ $0 == typeID }) { return self }
        var copy = self
        copy.typeIDs = Array(repeating: typeID, count: ids.count)
        return copy
    }
}

/// How many scalars at the start and at the end of a token string are spaces for offset
/// trimming: white space or the byte-level space `Ġ` (HF `process_offsets`).
struct _Spaces: Sendable {
    var leading: UInt16
    var trailing: UInt16

    init(leading: UInt16, trailing: UInt16) {
        self.leading = leading
        self.trailing = trailing
    }

    init(_ token: String) {
        let space = _ByteLevel.byteToScalar[Int(UInt8(ascii: " "))]
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == space || scalar.properties.isWhitespace }
        let scalars = Array(token.unicodeScalars)
        var leading = 0
        while leading < scalars.count, isSpace(scalars[leading]) { leading += 1 }
        var trailing = 0
        while trailing < scalars.count, isSpace(scalars[scalars.count - 1 - trailing]) { trailing += 1 }
        self.leading = UInt16(clamping: leading)
        self.trailing = UInt16(clamping: trailing)
    }
}

/// A piece of a `TemplateProcessing` template.
enum _TemplatePiece: Sendable {
    /// `$A` (index 0) or `$B` (index 1), with its type id.
    case sequence(index: Int, typeID: Int32)
    /// A special token by name, with its type id.
    case specialToken(String, typeID: Int32)
}

/// A post-processor from `tokenizer.json` (`post_processor`).
indirect enum _PostProcessor: Sendable {
    case sequence([_PostProcessor])
    case template(single: [_TemplatePiece], pair: [_TemplatePiece]?, specialTokens: [String: (ids: [Int32], tokens: [String])])
    case byteLevel(addPrefixSpace: Bool, trimOffsets: Bool)
    case bert(sep: (String, Int32), cls: (String, Int32))
    case roberta(sep: (String, Int32), cls: (String, Int32), trimOffsets: Bool, addPrefixSpace: Bool)

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
        case "BertProcessing":
            return .bert(sep: try tokenPair(try json.member("sep")), cls: try tokenPair(try json.member("cls")))
        case "RobertaProcessing":
            return .roberta(
                sep: try tokenPair(try json.member("sep")), cls: try tokenPair(try json.member("cls")),
                trimOffsets: try json.bool("trim_offsets", default: true),
                addPrefixSpace: try json.bool("add_prefix_space", default: true))
        case "TemplateProcessing":
            let single = try template(try json.member("single"))
            // A pair template only matters for pairs: an invalid one (kept loadable, as files
            // from the fuzzer have them) makes pair encoding throw instead.
            let pair = try? json.optionalMember("pair").map(template) ?? []
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
            for case .specialToken(let name, _) in single + (pair ?? []) where specialTokens[name] == nil {
                throw TokenizerJSONError.missingKey(path: "\(specialJSON.path).\(name)")
            }
            for case .sequence(let index, _) in single where index != 0 {
                throw TokenizerJSONError.invalidValue(
                    path: "\(json.path).single", value: "$B", reason: "a single-sequence template can only use $A")
            }
            return .template(single: single, pair: pair, specialTokens: specialTokens)
        default:
            throw json.unsupported(type)
        }
    }

    /// `["[SEP]", 102]`.
    private static func tokenPair(_ json: _JSONValue) throws -> (String, Int32) {
        guard case .array(let pair) = json.value, pair.count == 2, case .string(let token) = pair[0],
              let number = _JSONValue.integer(pair[1]), let id = Int32(exactly: number), id >= 0
        else {
            throw TokenizerJSONError.wrongType(path: json.path, expected: "a pair [\"token\", id]", found: json.typeName)
        }
        return (token, id)
    }

    private static func template(_ json: _JSONValue) throws -> [_TemplatePiece] {
        var pieces: [_TemplatePiece] = []
        for piece in try json.array() {
            let object = try piece.object()
            if object["Sequence"] != nil {
                let sequence = try piece.member("Sequence")
                let idJSON = try sequence.member("id")
                let name = try idJSON.string()
                guard name == "A" || name == "B" else {
                    throw TokenizerJSONError.invalidValue(path: idJSON.path, value: "\"\(name)\"", reason: "a sequence is \"A\" or \"B\"")
                }
                pieces.append(.sequence(index: name == "A" ? 0 : 1, typeID: try typeID(sequence)))
            } else if object["SpecialToken"] != nil {
                let special = try piece.member("SpecialToken")
                pieces.append(.specialToken(try special.member("id").string(), typeID: try typeID(special)))
            } else {
                throw TokenizerJSONError.invalidValue(
                    path: piece.path, value: "{\(object.keys.sorted().joined(separator: ", "))}",
                    reason: "a template piece must be {\"Sequence\": ...} or {\"SpecialToken\": ...}")
            }
        }
        return pieces
    }

    private static func typeID(_ json: _JSONValue) throws -> Int32 {
        guard let member = try json.optionalMember("type_id") else { return 0 }
        let value = try member.int()
        guard let id = Int32(exactly: value), id >= 0 else {
            throw TokenizerJSONError.invalidValue(path: member.path, value: "\(value)", reason: "type ids are non-negative 32-bit integers")
        }
        return id
    }

    /// Whether pairs can be processed (every `TemplateProcessing` has a valid pair template).
    var supportsPairs: Bool {
        switch self {
        case .sequence(let processors): return processors.allSatisfy(\.supportsPairs)
        case .template(_, let pair, _): return pair != nil
        case .byteLevel, .bert, .roberta: return true
        }
    }

    /// Whether the processor trims offsets (and so needs token space counts).
    var trimsOffsets: Bool {
        switch self {
        case .sequence(let processors): return processors.contains(where: \.trimsOffsets)
        case .byteLevel(_, let trim), .roberta(_, _, let trim, _): return trim
        case .template, .bert: return false
        }
    }

    /// How many tokens the processor adds (HF `added_tokens`), which truncation reserves.
    func addedTokens(isPair: Bool) -> Int {
        switch self {
        case .sequence(let processors):
            return processors.reduce(0) { $0 + $1.addedTokens(isPair: isPair) }
        case .byteLevel:
            return 0
        case .bert:
            return isPair ? 3 : 2
        case .roberta:
            return isPair ? 4 : 2
        case .template(let single, let pair, let specialTokens):
            var count = 0
            for case .specialToken(let name, _) in isPair ? (pair ?? []) : single {
                count += specialTokens[name]?.ids.count ?? 0
            }
            return count
        }
    }

    /// HF `process_encodings`: one encoding per sequence in, the processed ones out.
    /// - Parameters:
    ///   - encodings: The encodings of the sequence and, for a pair, the second one.
    ///   - addSpecialTokens: Whether templates add their special tokens.
    ///   - tokenSpaces: The leading and trailing space counts of an id's token string
    ///     (offset trimming looks at them).
    func process(_ encodings: [_RawEncoding], addSpecialTokens: Bool, tokenSpaces: (Int32) -> _Spaces) -> [_RawEncoding] {
        switch self {
        case .sequence(let processors):
            var encodings = encodings
            for processor in processors {
                encodings = processor.process(encodings, addSpecialTokens: addSpecialTokens, tokenSpaces: tokenSpaces)
            }
            return encodings
        case .byteLevel(let addPrefixSpace, let trimOffsets):
            guard trimOffsets else { return encodings }
            return encodings.map { encoding in
                encoding.mappingPieces { Self.trimOffsets(&$0, addPrefixSpace: addPrefixSpace, tokenSpaces: tokenSpaces) }
            }
        case .bert(let sep, let cls):
            guard addSpecialTokens else { return encodings }
            // Each sequence keeps its own type ids (0 for the first, 1 for the second).
            return encodings.enumerated().map { index, encoding in
                encoding.mappingPieces { piece in
                    piece = index == 0
                        ? piece.wrapped(first: cls, last: sep, specialTypeID: 0, typeID: nil)
                        : piece.wrapped(first: nil, last: sep, specialTypeID: 1, typeID: nil)
                }
            }
        case .roberta(let sep, let cls, let trimOffsets, let addPrefixSpace):
            var encodings = encodings
            if trimOffsets {
                encodings = encodings.map { encoding in
                    encoding.mappingPieces { Self.trimOffsets(&$0, addPrefixSpace: addPrefixSpace, tokenSpaces: tokenSpaces) }
                }
            }
            // RoBERTa has no segments: every type id is 0, special tokens or not (HF 0.23);
            // without special tokens HF resets only the encodings' own type ids, not their
            // overflowing pieces'.
            guard addSpecialTokens else {
                return encodings.map { encoding in
                    var copy = encoding.withTypeID(0)
                    copy.overflowing = encoding.overflowing
                    return copy
                }
            }
            return encodings.enumerated().map { index, encoding in
                encoding.mappingPieces { piece in
                    piece = piece.wrapped(first: index == 0 ? cls : sep, last: sep, specialTypeID: 0, typeID: 0)
                }
            }
        case .template(let single, let pair, let specialTokens):
            let template = encodings.count == 2 ? (pair ?? []) : single
            var result: [_RawEncoding] = []
            for piece in template {
                switch piece {
                case .sequence(let index, let typeID):
                    // HF sets the type ids of the sequence, not of its overflowing pieces.
                    if index < encodings.count {
                        var sequence = encodings[index].withTypeID(typeID)
                        sequence.overflowing = encodings[index].overflowing
                        result.append(sequence)
                    }
                case .specialToken(let name, let typeID):
                    if addSpecialTokens, let special = specialTokens[name] {
                        result.append(.special(ids: special.ids, tokens: special.tokens, typeID: typeID))
                    }
                }
            }
            return result
        }
    }

    /// HF `process_offsets`: leading and trailing spaces of a token are left out of its
    /// offsets.
    private static func trimOffsets(_ encoding: inout _RawEncoding, addPrefixSpace: Bool, tokenSpaces: (Int32) -> _Spaces) {
        for index in 0..<encoding.ids.count {
            let spaces = encoding.texts[index].map(_Spaces.init) ?? tokenSpaces(encoding.ids[index])
            let leading = Int(spaces.leading)
            let trailing = Int(spaces.trailing)
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
