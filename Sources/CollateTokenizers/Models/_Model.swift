import Foundation

/// The model of a `tokenizer.json` (`model.type`): BPE, WordPiece or Unigram.
enum _Model: Sendable {
    case bpe(_BPE)
    case wordPiece(_WordPiece)
    case unigram(_Unigram)
    case wordLevel(_WordLevel)

    /// Parses the `model` object; `exactVocabulary` is `model.vocab` read from the raw
    /// document (see ``_ExactJSON``), used when the parser folded keys.
    static func parse(_ json: _JSONValue, exactVocabulary: _ExactJSON? = nil) throws -> _Model {
        // HF's untagged model deserializer reads a typeless model as BPE.
        let type = try json.optionalString("type") ?? "BPE"
        switch type {
        case "BPE": return .bpe(try _BPE(json: json, exactVocabulary: exactVocabulary))
        case "WordPiece": return .wordPiece(try _WordPiece(json: json, exactVocabulary: exactVocabulary))
        case "Unigram": return .unigram(try _Unigram(json: json))
        case "WordLevel": return .wordLevel(try _WordLevel(json: json, exactVocabulary: exactVocabulary))
        default: throw json.unsupported(type)
        }
    }

    /// Tokenizes one pre-tokenized word; offsets are scalar positions in `word`.
    @inline(__always)
    func tokenize(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        switch self {
        case .bpe(let model): return model.tokenize(word)
        case .wordPiece(let model): return model.tokenize(word)
        case .unigram(let model): return model.tokenize(word)
        case .wordLevel(let model): return model.tokenize(word)
        }
    }

    /// Appends the tokens of one pre-tokenized word to `output` (BPE without building an
    /// array per word); offsets are scalar positions in `word`.
    @inline(__always)
    func tokenize(_ word: [Unicode.Scalar], into output: inout [_ModelToken]) {
        switch self {
        case .bpe(let model): word.withUnsafeBufferPointer { model.tokenize($0, into: &output) }
        case .wordPiece(let model): output.append(contentsOf: model.tokenize(word))
        case .unigram(let model): output.append(contentsOf: model.tokenize(word))
        case .wordLevel(let model): output.append(contentsOf: model.tokenize(word))
        }
    }

    /// The token string of `id`.
    func token(for id: Int32) -> String? {
        switch self {
        case .bpe(let model): return model.token(for: id)
        case .wordPiece(let model): return model.token(for: id)
        case .unigram(let model): return model.token(for: id)
        case .wordLevel(let model): return model.token(for: id)
        }
    }

    /// The id of a token string.
    func id(of token: String) -> Int32? {
        switch self {
        case .bpe(let model): return model.vocab[token: token]
        case .wordPiece(let model): return model.vocab[token: token]
        case .unigram(let model): return model.vocab[token: token]
        case .wordLevel(let model): return model.vocab[token: token]
        }
    }

    /// One more than the largest id of the model.
    var idLimit: Int {
        switch self {
        case .bpe(let model): return model.vocabR.count
        case .wordPiece(let model): return model.vocabR.count
        case .unigram(let model): return model.pieces.count
        case .wordLevel(let model): return model.vocabR.count
        }
    }

    /// The model's unknown token, if any.
    var unknownToken: String? {
        switch self {
        case .bpe(let model): return model.unknownToken
        case .wordPiece(let model): return model.unknownToken
        case .unigram(let model): return model.unknownToken
        case .wordLevel(let model): return model.unknownToken
        }
    }
}

extension _JSONValue {
    /// A `{token: id}` vocabulary object with its reverse table; ids are checked.
    ///
    /// The parser keeps one member of keys that Swift finds equal (canonically equivalent:
    /// a Hangul syllable and its jamo, "é" and "e\u{301}"). When `exact` (the same object
    /// read byte for byte) holds more entries, it is used instead.
    func vocabulary(maximumID: Int, exact: _ExactJSON? = nil) throws -> (vocab: _Vocabulary, reverse: [String?]) {
        guard case .object(let object) = value else {
            throw TokenizerJSONError.wrongType(path: path, expected: "an object", found: typeName)
        }
        let members = object.members
        var vocab = _Vocabulary(minimumCapacity: members.count)
        var maxID: Int32 = -1
        for (token, value) in members {
            let id: Int32
            switch value {
            case .integer(let integer) where integer >= 0 && integer <= Int64(Int32.max):
                id = Int32(integer)
            default:
                if let number = _JSONValue.double(value), number >= Double(maximumID), number.rounded() == number {
                    // A non-negative whole number past the table (2^31 does not even fit an Int32 id): say the bound, not the type.
                    throw TokenizerJSONError.invalidValue(
                        path: "\(path)[\"\(token)\"]", value: _JSONValue.integer(value).map(String.init) ?? "\(number)",
                        reason: Self.idBoundReason(maximumID))
                }
                guard let integer = _JSONValue.integer(value), let id32 = Int32(exactly: integer), id32 >= 0 else {
                    throw TokenizerJSONError.wrongType(
                        path: "\(path)[\"\(token)\"]", expected: "a non-negative integer id", found: _JSONValue.typeName(of: value))
                }
                id = id32
            }
            guard Int(id) < maximumID else {
                throw TokenizerJSONError.invalidValue(
                    path: "\(path)[\"\(token)\"]", value: "\(id)",
                    reason: Self.idBoundReason(maximumID))
            }
            vocab[token: token] = id
            maxID = max(maxID, id)
        }
        if let exact, let count = exact.modelVocabularyCount(), count > members.count, let entries = exact.modelVocabulary() {
            for (token, value) in entries {
                // Every value was checked above under its folded key; recheck the range.
                guard let id = Int32(exactly: value), id >= 0, Int(id) < maximumID else { continue }
                vocab[token: token] = id
                maxID = max(maxID, id)
            }
        }
        var reverse = [String?](repeating: nil, count: Int(maxID) + 1)
        for (key, id) in vocab {
            reverse[Int(id)] = key.string
        }
        return (vocab, reverse)
    }
}

extension _JSONValue {
    /// Why an id at or past `maximumID` is refused.
    static func idBoundReason(_ maximumID: Int) -> String {
        "ids must be below \(maximumID) (the largest real vocabularies hold about 262k tokens); the id-to-token table is dense"
    }
}
