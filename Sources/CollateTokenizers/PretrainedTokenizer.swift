/// A tokenizer read from a Hugging Face `tokenizer.json`, producing the same ids and
/// offsets as HF `tokenizers`.
///
/// The pipeline is HF's:
///
/// ```
///  text ──> added tokens split out (non-normalized ones, on the original text)
///        ──> normalizer (alignments kept)  ──> added tokens split out (normalized ones)
///        ──> pre-tokenizer (words)  ──> BPE model (cached per word)
///        ──> post-processor (BOS/EOS, offset trimming)  ──> Encoding
/// ```
///
/// Offsets are in Unicode scalars of the input, as HF's Python binding reports them.
/// Supported components are listed in `Guides/Tokenizers.md`; any other component makes
/// loading fail with ``TokenizerJSONError/unsupportedComponent(path:type:)``.
///
/// The type is a value: copies share the immutable tables and a thread-safe word cache.
public struct PretrainedTokenizer: Sendable {
    let model: _BPE
    let normalizer: _Normalizer?
    let preTokenizer: _PreTokenizer?
    let postProcessor: _PostProcessor?
    let decoder: _Decoder?
    /// Added tokens matched on the original text.
    let rawMatcher: _AddedTokenMatcher
    /// Added tokens matched on the normalized text.
    let normalizedMatcher: _AddedTokenMatcher
    /// Added tokens by id.
    let addedTokensByID: [Int32: AddedToken]
    /// Added tokens by content.
    let addedTokensByContent: [String: AddedToken]

    /// The tokens added on top of the model vocabulary, in id order.
    public let addedTokens: [AddedToken]
    /// Beginning-of-sequence token, if known.
    public let bosToken: String?
    /// End-of-sequence token, if known.
    public let eosToken: String?
    /// Padding token, if known.
    public let padToken: String?
    /// Unknown token, if known.
    public let unknownToken: String?
}

// MARK: - Encoding

extension PretrainedTokenizer {
    /// Encodes `text` into ids and offsets (Unicode scalar units of `text`).
    ///
    /// - Parameters:
    ///   - text: The text to encode.
    ///   - addSpecialTokens: Whether to run the post-processor's template (e.g. BOS).
    /// - Returns: The ids and, for each, the span of `text` it covers.
    /// - Complexity: O(*n* log *n*) in the length of the longest pre-tokenized word, O(*n*)
    ///   overall for cached words.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        var raw = encodeRaw(text)
        postProcessor?.process(&raw, addSpecialTokens: addSpecialTokens) { token(of: $0) ?? "" }
        return Encoding(ids: raw.ids, offsets: raw.offsets)
    }

    /// The token strings of `text`'s encoding (no post-processing).
    public func tokenize(_ text: String) -> [String] {
        let raw = encodeRaw(text)
        return zip(raw.ids, raw.texts).map { id, text in text ?? token(of: id) ?? "" }
    }

    private func encodeRaw(_ text: String) -> _RawEncoding {
        let root = _NormalizedString(original: text.unicodeScalars)
        var encoding = _RawEncoding()
        encoding.ids.reserveCapacity(root.count / 3 + 4)
        encoding.offsets.reserveCapacity(root.count / 3 + 4)
        encoding.texts.reserveCapacity(root.count / 3 + 4)

        for (range, token) in rawMatcher.split(root.scalars) where !range.isEmpty {
            let piece = root.slice(range)
            if let token {
                append(token, covering: piece, to: &encoding)
                continue
            }
            var normalized = piece
            normalizer?.normalize(&normalized)
            for (subrange, subtoken) in normalizedMatcher.split(normalized.scalars) where !subrange.isEmpty {
                let subpiece = normalized.slice(subrange)
                if let subtoken {
                    append(subtoken, covering: subpiece, to: &encoding)
                    continue
                }
                var words = [subpiece]
                preTokenizer?.preTokenize(&words)
                for word in words where !word.isEmpty {
                    for token in model.tokenize(word.scalars) {
                        let start = Int(token.start)
                        let end = Int(token.end)
                        encoding.append(token.id, word.originalRange(of: start..<end))
                    }
                }
            }
        }
        return encoding
    }

    private func append(_ token: AddedToken, covering piece: _NormalizedString, to encoding: inout _RawEncoding) {
        // HF's token value is the matched text, with any white space lstrip/rstrip took.
        let text = piece.string
        encoding.append(token.id, piece.originalRange(of: 0..<piece.count), text: text == token.content ? nil : text)
    }
}

// MARK: - Decoding and vocabulary

extension PretrainedTokenizer {
    /// Decodes ids into text, as HF `Tokenizer.decode` does: unknown ids are skipped, the
    /// token strings go through the decoder (or are joined with spaces without one).
    ///
    /// - Parameters:
    ///   - ids: The ids to decode.
    ///   - skipSpecialTokens: Whether special added tokens are left out.
    /// - Returns: The text.
    public func decode(ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if let added = addedTokensByID[id] {
                if skipSpecialTokens && added.special { continue }
                tokens.append(added.content)
            } else if let token = model.token(for: id) {
                if skipSpecialTokens, let added = addedTokensByContent[token], added.special { continue }
                tokens.append(token)
            }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func id(of token: String) -> Int32? {
        addedTokensByContent[token]?.id ?? model.vocab[token]
    }

    /// The token string of an id (added tokens first, then the model vocabulary).
    public func token(of id: Int32) -> String? {
        addedTokensByID[id]?.content ?? model.token(for: id)
    }
}

// MARK: - Tokenizer

extension PretrainedTokenizer: Tokenizer {
    /// Encodes `text` into ids and per-token offsets (Unicode scalar units); never throws.
    public func encodeWithOffsets(text: String, addSpecialTokens: Bool) throws -> Encoding {
        encode(text, addSpecialTokens: addSpecialTokens)
    }

    /// Decodes ids back to text; ids outside the vocabulary are skipped.
    public func decode(tokens: [Int], skipSpecialTokens: Bool) -> String {
        decode(ids: tokens.compactMap { Int32(exactly: $0) }, skipSpecialTokens: skipSpecialTokens)
    }

    /// The id of a token string, or `nil` when neither the vocabulary nor the added tokens
    /// have it.
    public func convertTokenToId(_ token: String) -> Int? {
        id(of: token).map(Int.init)
    }

    /// The token string of an id, or `nil` when the id is unknown.
    public func convertIdToToken(_ id: Int) -> String? {
        Int32(exactly: id).flatMap { token(of: $0) }
    }

    /// One more than the largest id of the vocabulary and the added tokens.
    public var vocabularySize: Int {
        max(model.vocabR.count, Int(addedTokens.map(\.id).max() ?? -1) + 1)
    }
}
