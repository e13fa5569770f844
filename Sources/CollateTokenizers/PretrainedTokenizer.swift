import Foundation

/// A tokenizer read from a Hugging Face `tokenizer.json`, producing the same ids and
/// offsets as HF `tokenizers`.
///
/// The pipeline is HF's:
///
/// ```
///  text ──> added tokens split out (non-normalized ones, on the original text)
///        ──> normalizer (alignments kept)  ──> added tokens split out (normalized ones)
///        ──> pre-tokenizer (words)  ──> model: BPE, WordPiece, Unigram or WordLevel (cached per word)
///        ──> truncation  ──> post-processor (special tokens, type ids, offset trimming)
///        ──> padding  ──> Encoding
/// ```
///
/// Offsets are in Unicode scalars of the input, as HF's Python binding reports them.
/// Supported components are listed in `Guides/Tokenizers.md`; any other component makes
/// loading fail with ``TokenizerJSONError/unsupportedComponent(path:type:)``.
///
/// The type is a value: copies share the immutable tables and a thread-safe word cache.
public struct PretrainedTokenizer: Sendable {
    let model: _Model
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
    let addedTokensByContent: [_VocabKey: AddedToken]

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
    /// The file's `truncation` section, applied by every encode.
    public let truncation: Truncation?
    /// The file's `padding` section, applied by every encode.
    public let padding: Padding?
    /// Leading and trailing space counts of every model token, when the post-processor
    /// trims offsets (empty otherwise).
    let spaceCounts: [_Spaces]
    /// Replaces ``padding`` while a batch is encoded (`.some(nil)`: no padding).
    var paddingOverride: Padding?? = nil
}

extension Encoding {
    /// The public encoding of a processed one: attention mask 1, pieces converted too.
    init(_ raw: _RawEncoding) {
        self.init(
            ids: raw.ids, offsets: raw.offsets, typeIDs: raw.typeIDs,
            attentionMask: Array(repeating: 1, count: raw.ids.count))
        overflowing = raw.overflowing.map(Encoding.init)
    }
}

/// A pointer handed to concurrent workers that write disjoint elements.
struct _SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

// MARK: - Encoding

extension PretrainedTokenizer {
    /// Encodes `text` into ids and offsets (Unicode scalar units of `text`), as HF
    /// `Tokenizer.encode(text)`: added tokens, normalizer, pre-tokenizer, model, then the
    /// file's `truncation`, the post-processor and the file's `padding`.
    ///
    /// HF refuses two single-text requests: truncation with strategy `OnlySecond` that has
    /// to remove tokens (it raises "Second sequence not provided"), and a `stride` not below
    /// the truncated length (it panics). This method cannot throw, so it leaves such a text
    /// untruncated; ``encode(_:pair:addSpecialTokens:)`` and
    /// ``encodeWithOffsets(text:addSpecialTokens:)`` throw instead.
    ///
    /// - Parameters:
    ///   - text: The text to encode.
    ///   - addSpecialTokens: Whether to run the post-processor's template (e.g. BOS).
    /// - Returns: The ids and, for each, the span of `text` it covers.
    /// - Complexity: O(*n* log *n*) in the length of the longest pre-tokenized word, O(*n*)
    ///   overall for cached words.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        let raw = encodeRaw(text)
        if let result = try? finish(raw, nil, addSpecialTokens: addSpecialTokens, truncating: true) { return result }
        // Only `OnlySecond` truncation of a single text, or a too large stride, fails; HF
        // refuses both, see above.
        return (try? finish(raw, nil, addSpecialTokens: addSpecialTokens, truncating: false)) ?? Encoding(ids: [], offsets: [])
    }

    /// Encodes a text or a pair of texts, as HF `Tokenizer.encode(text, pair)`.
    ///
    /// The second text's offsets are in units of the second text; its tokens get the type
    /// ids the post-processor gives (`BertProcessing`: 1; `RobertaProcessing`: 0; a
    /// template: its `$B` type id).
    ///
    /// - Parameters:
    ///   - text: The first text.
    ///   - pair: The second text, if any.
    ///   - addSpecialTokens: Whether to add the post-processor's special tokens.
    /// - Returns: The merged encoding, truncated and padded as the file says.
    /// - Throws: ``EncodingError`` when truncation cannot be applied (HF raises then too).
    public func encode(_ text: String, pair: String?, addSpecialTokens: Bool = true) throws -> Encoding {
        if pair != nil, let postProcessor, !postProcessor.supportsPairs { throw EncodingError.invalidPairTemplate }
        // HF encodes the second sequence with type id 1 before any post-processing.
        return try finish(encodeRaw(text), pair.map { encodeRaw($0).withTypeID(1) }, addSpecialTokens: addSpecialTokens, truncating: true)
    }

    /// Encodes many texts, as HF `Tokenizer.encode_batch`: each text as ``encode(_:addSpecialTokens:)``,
    /// except that batch-longest padding pads every encoding to the longest of the batch.
    ///
    /// - Parameters:
    ///   - texts: The texts.
    ///   - addSpecialTokens: Whether to add the post-processor's special tokens.
    ///   - concurrently: Whether to spread the texts over all cores.
    /// - Returns: One encoding per text, in order.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, concurrently: Bool = false) -> [Encoding] {
        let unpadded = { () -> PretrainedTokenizer in
            var copy = self
            copy.paddingOverride = .some(nil)
            return copy
        }()
        var results = [Encoding](repeating: Encoding(ids: [], offsets: []), count: texts.count)
        if concurrently && texts.count > 1 {
            let chunks = min(texts.count, ProcessInfo.processInfo.activeProcessorCount * 4)
            results.withUnsafeMutableBufferPointer { buffer in
                let base = _SendablePointer(buffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let lower = texts.count * chunk / chunks
                    let upper = texts.count * (chunk + 1) / chunks
                    for index in lower..<upper {
                        (base.pointer + index).pointee = unpadded.encode(texts[index], addSpecialTokens: addSpecialTokens)
                    }
                }
            }
        } else {
            for index in texts.indices { results[index] = unpadded.encode(texts[index], addSpecialTokens: addSpecialTokens) }
        }
        if let padding {
            let length = padding.targetLength(longest: results.map(\.ids.count).max() ?? 0)
            for index in results.indices { results[index].pad(to: length, with: padding) }
        }
        return results
    }

    /// Truncation, post-processing and padding of one or two raw encodings (HF `post_process`).
    private func finish(_ first: _RawEncoding, _ second: _RawEncoding?, addSpecialTokens: Bool, truncating: Bool) throws -> Encoding {
        var first = first
        var second = second
        if truncating, let truncation {
            let added = addSpecialTokens ? (postProcessor?.addedTokens(isPair: second != nil) ?? 0) : 0
            try truncation.apply(&first, &second, addedTokens: added)
        }
        var encodings = [first]
        if let second { encodings.append(second) }
        if let postProcessor {
            encodings = postProcessor.process(encodings, addSpecialTokens: addSpecialTokens) { id in
                let index = Int(id)
                if index >= 0, index < spaceCounts.count { return spaceCounts[index] }
                return _Spaces(token(of: id) ?? "")
            }
        }
        var result = Encoding(_RawEncoding.merged(encodings))
        if let padding = paddingOverride ?? padding {
            result.pad(to: padding.targetLength(longest: result.ids.count), with: padding)
        }
        return result
    }

    /// The token strings of `text`'s encoding (no post-processing).
    public func tokenize(_ text: String) -> [String] {
        let raw = encodeRaw(text)
        return raw.ids.indices.map { raw.texts[$0] ?? token(of: raw.ids[$0]) ?? "" }
    }

    private func encodeRaw(_ text: String) -> _RawEncoding {
        let root = _NormalizedString(text: text)
        var encoding = _RawEncoding()
        encoding.ids.reserveCapacity(root.count / 3 + 4)
        encoding.offsets.reserveCapacity(root.count / 3 + 4)

        // One scalar buffer and one token buffer reused for every word handed to the model (no
        // allocation per word; the word caches copy what they keep).
        var word: [Unicode.Scalar] = []
        var tokens: [_ModelToken] = []
        for (range, token) in rawMatcher.split(root.scalars) where !range.isEmpty {
            // The whole text (no added token in it) is its own slice: no copy.
            let piece = range == 0..<root.count ? root : root.slice(range)
            if let token {
                append(token, covering: piece, to: &encoding)
                continue
            }
            var normalized = piece
            normalizer?.normalize(&normalized)
            for (subrange, subtoken) in normalizedMatcher.split(normalized.scalars) where !subrange.isEmpty {
                if let subtoken {
                    append(subtoken, covering: normalized.slice(subrange), to: &encoding)
                    continue
                }
                // The words are views into one buffer (see `_Words`).
                var words = _Words(normalized, range: subrange)
                preTokenizer?.preTokenize(&words)
                for span in words.spans {
                    word.removeAll(keepingCapacity: true)
                    word.append(contentsOf: words.scalars[span.range])
                    tokens.removeAll(keepingCapacity: true)
                    model.tokenize(word, into: &tokens)
                    for token in tokens {
                        encoding.append(token.id, words.originalRange(of: Int(token.start)..<Int(token.end), in: span))
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
                // HF skips a token whose decoding string is a special token's content: a
                // special `normalized` token the normalizer changes ("<TURN>" -> "<turn>")
                // is kept, as HF 0.23.3 keeps it.
                let content = decodingContent(added)
                if skipSpecialTokens, let special = addedTokensByContent[_VocabKey(content)], special.special { continue }
                tokens.append(content)
            } else if let token = model.token(for: id) {
                if skipSpecialTokens, let added = addedTokensByContent[_VocabKey(token)], added.special { continue }
                tokens.append(token)
            }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func id(of token: String) -> Int32? {
        addedTokensByContent[_VocabKey(token)]?.id ?? model.id(of: token)
    }

    /// The token string of an id (added tokens first, then the model vocabulary). A
    /// `normalized` added token gives its content after the normalizer, as HF 0.23's
    /// `id_to_token` does (e.g. "hello" for "Hello" under `Lowercase`).
    public func token(of id: Int32) -> String? {
        addedTokensByID[id].map(decodingContent) ?? model.token(for: id)
    }

    /// HF's `simple_id_to_token`: a `normalized` added token's content after the normalizer
    /// (its `normalized_cache`), so the decoder inverts what encoding produced.
    private func decodingContent(_ token: AddedToken) -> String {
        guard token.normalized, let normalizer else { return token.content }
        var content = _NormalizedString(original: token.content.unicodeScalars)
        normalizer.normalize(&content)
        return String(scalars: content.scalars)
    }
}

// MARK: - Tokenizer

extension PretrainedTokenizer: Tokenizer {
    /// Encodes `text` into ids and per-token offsets (Unicode scalar units), as
    /// ``encode(_:pair:addSpecialTokens:)`` with no pair.
    /// - Throws: ``EncodingError`` where HF refuses the text: the file's truncation strategy
    ///   is `OnlySecond` and the text must be shortened, or its `stride` is too large.
    public func encodeWithOffsets(text: String, addSpecialTokens: Bool) throws -> Encoding {
        try encode(text, pair: nil, addSpecialTokens: addSpecialTokens)
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
        max(model.idLimit, Int(addedTokens.map(\.id).max() ?? -1) + 1)
    }
}
