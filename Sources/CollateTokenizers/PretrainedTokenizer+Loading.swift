import Foundation

extension PretrainedTokenizer {
    /// The special-token names a `tokenizer_config.json` or `special_tokens_map.json` gives.
    public struct SpecialTokens: Hashable, Sendable {
        /// Beginning-of-sequence token.
        public var bos: String?
        /// End-of-sequence token.
        public var eos: String?
        /// Padding token.
        public var pad: String?
        /// Unknown token.
        public var unknown: String?

        /// Creates a set of special-token names.
        public init(bos: String? = nil, eos: String? = nil, pad: String? = nil, unknown: String? = nil) {
            self.bos = bos
            self.eos = eos
            self.pad = pad
            self.unknown = unknown
        }

        /// Fills the names still missing from `other`.
        func filling(from other: SpecialTokens) -> SpecialTokens {
            SpecialTokens(bos: bos ?? other.bos, eos: eos ?? other.eos, pad: pad ?? other.pad, unknown: unknown ?? other.unknown)
        }
    }

    /// Loads a tokenizer from a `tokenizer.json` file, or from a folder holding one.
    ///
    /// Special-token names (``bosToken``, ``eosToken``, ``padToken``, ``unknownToken``)
    /// come from `tokenizer_config.json`, then `special_tokens_map.json`, found next to
    /// `tokenizer.json` (in the folder, or beside the file); the unknown token falls back
    /// to the model's `unk_token`.
    ///
    /// - Parameter url: A `tokenizer.json` file or a folder containing one.
    /// - Throws: ``TokenizerJSONError`` naming the file or the JSON path at fault.
    public init(contentsOf url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerJSONError.unreadableFile(path: url.path)
        }
        let folder: URL
        let file: URL
        if isDirectory.boolValue {
            folder = url
            file = url.appendingPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw TokenizerJSONError.missingTokenizerFile(folder: url.path)
            }
        } else {
            folder = url.deletingLastPathComponent()
            file = url
        }
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw TokenizerJSONError.unreadableFile(path: file.path)
        }
        var special = SpecialTokens()
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let companion = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: companion.path) else { continue }
            guard let companionData = try? Data(contentsOf: companion) else {
                throw TokenizerJSONError.unreadableFile(path: companion.path)
            }
            special = special.filling(from: try Self.specialTokens(fromConfig: companionData, file: companion.path))
        }
        try self.init(data: data, file: file.path, specialTokens: special)
    }

    /// Reads the special-token names of a `tokenizer_config.json` or
    /// `special_tokens_map.json` (each a string, or an object with `content`).
    static func specialTokens(fromConfig data: Data, file: String) throws -> SpecialTokens {
        let json = try _JSONValue.parse(data, file: file)
        // Paths name the config file: an error here is not in tokenizer.json.
        let configName = URL(fileURLWithPath: file).lastPathComponent
        guard case .object(let object) = json.value else {
            throw TokenizerJSONError.wrongType(path: "\(configName) (root)", expected: "an object", found: json.typeName)
        }
        func name(_ key: String) throws -> String? {
            guard let member = object[key] else { return nil }
            switch member {
            case .null: return nil
            case .string(let text): return text
            case .object(let token):
                if case .string(let content)? = token["content"] { return content }
            default: break
            }
            throw TokenizerJSONError.wrongType(
                path: "\(configName): \(key)", expected: "a string or an object with a string \"content\"",
                found: _JSONValue.typeName(of: member))
        }
        return SpecialTokens(
            bos: try name("bos_token"), eos: try name("eos_token"),
            pad: try name("pad_token"), unknown: try name("unk_token"))
    }

    /// Loads a tokenizer from the contents of a `tokenizer.json`.
    ///
    /// - Parameters:
    ///   - data: The JSON document.
    ///   - file: How to name the document in errors.
    ///   - specialTokens: Special-token names (from `tokenizer_config.json`).
    /// - Throws: ``TokenizerJSONError`` naming the JSON path at fault.
    public init(data: Data, file: String = "tokenizer.json", specialTokens: SpecialTokens = SpecialTokens()) throws {
        // A byte order mark before the document is skipped (the parser would reject it).
        let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? [UInt8](data.dropFirst(3)) : [UInt8](data)
        // The exact vocabulary count scans the raw bytes on another core while they are parsed.
        let exact = _ExactJSON(bytes: bytes, countingNow: true)
        let root = try bytes.withUnsafeBufferPointer { try _JSONValue.parse($0, file: file) }
        // The document's tree (a quarter of loading's time to free) is freed on another thread.
        defer { DispatchQueue.global().async { withExtendedLifetime(root) {} } }
        _ = try root.object()

        let truncation = try root.optionalMember("truncation").map(Truncation.parse)
        let padding = try root.optionalMember("padding").map(Padding.parse)
        let model = try _Model.parse(try root.member("model"), exactVocabulary: exact)

        let normalizer = try root.optionalMember("normalizer").map(_Normalizer.parse)
        let preTokenizer = try root.optionalMember("pre_tokenizer").map(_PreTokenizer.parse)
        let postProcessor = try root.optionalMember("post_processor").map(_PostProcessor.parse)
        let decoder = try root.optionalMember("decoder").map(_Decoder.parse)

        var added: [AddedToken] = []
        if let addedJSON = try root.optionalMember("added_tokens") {
            for element in try addedJSON.array() {
                let idJSON = try element.member("id")
                let id = try idJSON.int()
                guard let id32 = Int32(exactly: id), id32 >= 0 else {
                    throw TokenizerJSONError.invalidValue(path: idJSON.path, value: "\(id)", reason: "ids are non-negative 32-bit integers")
                }
                let content = try element.member("content").string()
                added.append(AddedToken(
                    id: id32, content: content,
                    singleWord: try element.bool("single_word", default: false),
                    leftStrip: try element.bool("lstrip", default: false),
                    rightStrip: try element.bool("rstrip", default: false),
                    normalized: try element.bool("normalized", default: !(try element.bool("special", default: false))),
                    special: try element.bool("special", default: false)))
            }
        }
        self.init(
            model: model, normalizer: normalizer, preTokenizer: preTokenizer,
            postProcessor: postProcessor, decoder: decoder, addedTokens: added,
            specialTokens: specialTokens, truncation: truncation, padding: padding)
    }

    init(
        model: _Model, normalizer: _Normalizer?, preTokenizer: _PreTokenizer?,
        postProcessor: _PostProcessor?, decoder: _Decoder?, addedTokens: [AddedToken],
        specialTokens: SpecialTokens, truncation: Truncation?, padding: Padding?
    ) {
        self.model = model
        if postProcessor?.trimsOffsets == true {
            // As `token(of:)`: an added token's content wins over the model's string.
            var counts = (0..<model.idLimit).map { _Spaces(model.token(for: Int32($0)) ?? "") }
            for token in addedTokens where Int(token.id) < counts.count {
                counts[Int(token.id)] = _Spaces(token.content)
            }
            spaceCounts = counts
        } else {
            spaceCounts = []
        }
        self.truncation = truncation
        self.padding = padding
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.postProcessor = postProcessor
        self.decoder = decoder
        // HF matches special tokens first, then the others, each in file order.
        let ordered = addedTokens.filter(\.special) + addedTokens.filter { !$0.special }
        let raw = ordered.filter { !$0.normalized }
        rawMatcher = _AddedTokenMatcher(tokens: raw, patterns: raw.map { Array($0.content.unicodeScalars) })
        let normalized = ordered.filter(\.normalized)
        normalizedMatcher = _AddedTokenMatcher(tokens: normalized, patterns: normalized.map { token in
            var content = _NormalizedString(original: token.content.unicodeScalars)
            normalizer?.normalize(&content)
            return content.scalars
        })
        var byID: [Int32: AddedToken] = [:]
        var byContent: [_VocabKey: AddedToken] = [:]
        for token in addedTokens {
            byID[token.id] = token
            byContent[_VocabKey(token.content)] = token
        }
        addedTokensByID = byID
        addedTokensByContent = byContent
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        bosToken = specialTokens.bos
        eosToken = specialTokens.eos
        padToken = specialTokens.pad
        unknownToken = specialTokens.unknown ?? model.unknownToken
    }
}
