import Foundation

/// One token produced by the model for a word: its id and the scalars of the word it
/// covers.
struct _ModelToken: Hashable, Sendable {
    var id: Int32
    var start: Int32
    var end: Int32
}

/// The BPE model of `tokenizer.json` (`model.type = "BPE"`), following HF tokenizers'
/// `BPE::merge_word` and `Word::merge_all` step by step so the result is identical,
/// including which stale merges are skipped.
struct _BPE: Sendable {
    /// Token string to id.
    let vocab: _Vocabulary
    /// Id to token string (`nil` for ids absent from the vocabulary).
    let vocabR: [String?]
    /// Pair of ids to (rank, merged id).
    let merges: _PairTable
    /// The merged id of each merge rank.
    let mergedIDs: [Int32]
    /// Id of each single-scalar token, for scalars below 0x10000 (-1 when absent).
    private let bmpIDs: [Int32]
    /// Id of each single-scalar token above 0xFFFF.
    private let astralIDs: [UInt32: Int32]
    /// Id of `<0xXX>` for each byte, when `byte_fallback` is on (-1 when absent).
    private let byteIDs: [Int32]
    let unknownToken: String?
    private let unknownID: Int32?
    let fuseUnknown: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    let continuingSubwordPrefix: String?
    let endOfWordSuffix: String?
    private let cache = _WordCache()
    /// Whether ``tokenize(_:)`` may cut a word before each "▁" that follows another scalar
    /// and merge the pieces apart (proven exact at load; see ``_SpaceMarkerSplit``).
    let splitsAtSpaceMarkers: Bool

    /// Words at least this long (in scalars) are not cached (HF `MAX_LENGTH`).
    static let maxCachedLength = 256

    /// Vocabulary ids must be below this (2^24): ids index a dense table, so one stray huge
    /// id (`"a": 2000000000`) would otherwise allocate tens of gigabytes and crash.
    static let maximumID = 1 << 24

    /// Parses `model` (already known to be of type BPE).
    init(json: _JSONValue, exactVocabulary: _ExactJSON? = nil) throws {
        if let dropout = try json.optionalMember("dropout") {
            let value = _JSONValue.double(dropout.value) ?? -1
            if value != 0 {
                throw TokenizerJSONError.invalidValue(
                    path: dropout.path, value: dropout.value.preview(),
                    reason: "BPE dropout is random and not supported for encoding; set it to null")
            }
        }
        let (vocab, vocabR) = try json.member("vocab").vocabulary(maximumID: Self.maximumID, exact: exactVocabulary)
        self.vocab = vocab
        self.vocabR = vocabR

        continuingSubwordPrefix = try json.optionalString("continuing_subword_prefix")
        endOfWordSuffix = try json.optionalString("end_of_word_suffix")
        fuseUnknown = try json.bool("fuse_unk", default: false)
        byteFallback = try json.bool("byte_fallback", default: false)
        ignoreMerges = try json.bool("ignore_merges", default: false)
        if let unknownJSON = try json.optionalMember("unk_token") {
            let unknown = try unknownJSON.string()
            guard let id = vocab[token: unknown] else {
                throw TokenizerJSONError.tokenNotInVocabulary(path: unknownJSON.path, token: unknown)
            }
            unknownToken = unknown
            unknownID = id
        } else {
            unknownToken = nil
            unknownID = nil
        }

        var bmpIDs = [Int32](repeating: -1, count: 0x10000)
        var astralIDs: [UInt32: Int32] = [:]
        var markerFollowsOtherScalar = false
        for (key, id) in vocab {
            let token = key.string
            if !markerFollowsOtherScalar { markerFollowsOtherScalar = _SpaceMarkerSplit.hasMarkerAfterOtherScalar(token) }
            var iterator = token.unicodeScalars.makeIterator()
            guard let scalar = iterator.next(), iterator.next() == nil else { continue }
            if scalar.value < 0x10000 { bmpIDs[Int(scalar.value)] = id } else { astralIDs[scalar.value] = id }
        }
        self.bmpIDs = bmpIDs
        self.astralIDs = astralIDs
        var byteIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let name = "<0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) + ">"
            byteIDs[byte] = vocab[token: name] ?? -1
        }
        self.byteIDs = byteIDs

        (merges, mergedIDs) = try Self.parseMerges(try json.member("merges"), vocab: vocab, prefix: continuingSubwordPrefix)
        // Every merge result is a vocabulary token (`parseMerges` looks it up), so the
        // vocabulary scan above covered the merge results too.
        splitsAtSpaceMarkers = !markerFollowsOtherScalar && !ignoreMerges
            && continuingSubwordPrefix == nil && endOfWordSuffix == nil
            && vocab[token: _SpaceMarkerSplit.markerString] != nil
            && !(unknownToken.map(_SpaceMarkerSplit.endsWithMarker) ?? false)
    }

    private static func parseMerges(
        _ json: _JSONValue, vocab: _Vocabulary, prefix: String?
    ) throws -> (_PairTable, [Int32]) {
        let rawMerges = try json.rawArray()
        var table = _PairTable(capacity: rawMerges.count)
        var mergedIDs = [Int32](repeating: -1, count: rawMerges.count)
        let index = _TokenIndex(vocab)
        let prefixLength = prefix?.utf8.count ?? 0
        let none = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        for (rank, raw) in rawMerges.enumerated() {
            var left: String
            var right: String
            if case .array(let pair) = raw, pair.count == 2, case .string(let first) = pair[0], case .string(let second) = pair[1] {
                left = first
                right = second
            } else if case .string(let line) = raw, let space = line.utf8.firstIndex(of: UInt8(ascii: " ")) {
                left = String(line[..<space])
                right = String(line[line.utf8.index(after: space)...])
            } else {
                let element = _JSONValue(raw, path: "\(json.path)[\(rank)]")
                throw TokenizerJSONError.wrongType(
                    path: element.path, expected: "a pair [\"left\", \"right\"] or a string \"left right\"",
                    found: element.typeName)
            }
            // Looked up as bytes: no String is built per merge (the merged token is the
            // left bytes followed by the right ones, less the continuing-subword prefix).
            let ids = left.withUTF8 { leftBytes in
                right.withUTF8 { rightBytes -> (Int32?, Int32?, Int32?) in
                    let leftID = index.id(leftBytes, none)
                    let rightID = index.id(rightBytes, none)
                    guard leftID != nil, rightID != nil else { return (leftID, rightID, nil) }
                    let suffix = prefixLength > 0 && rightBytes.count >= prefixLength
                        ? UnsafeBufferPointer(rebasing: rightBytes[prefixLength...]) : rightBytes
                    return (leftID, rightID, index.id(leftBytes, suffix))
                }
            }
            guard let leftID = ids.0 else {
                throw TokenizerJSONError.tokenNotInVocabulary(path: "\(json.path)[\(rank)]", token: left)
            }
            guard let rightID = ids.1 else {
                throw TokenizerJSONError.tokenNotInVocabulary(path: "\(json.path)[\(rank)]", token: right)
            }
            guard let mergedID = ids.2 else {
                let merged = prefixLength > 0 && right.utf8.count >= prefixLength
                    ? left + String(decoding: right.utf8.dropFirst(prefixLength), as: UTF8.self) : left + right
                throw TokenizerJSONError.tokenNotInVocabulary(path: "\(json.path)[\(rank)]", token: merged)
            }
            table.insert(leftID, rightID, rank: Int32(rank), newID: mergedID)
            mergedIDs[rank] = mergedID
        }
        return (table, mergedIDs)
    }

    /// Number of ids of the model vocabulary.
    var vocabularySize: Int { vocab.count }

    /// The token string of `id`.
    func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < vocabR.count ? vocabR[Int(id)] : nil
    }

    // MARK: - Tokenization

    /// Tokenizes one pre-tokenized word; offsets are scalar positions in `word`.
    func tokenize(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        var output: [_ModelToken] = []
        word.withUnsafeBufferPointer { tokenize($0, into: &output) }
        return output
    }

    /// Appends the tokens of one pre-tokenized word to `output`; offsets are scalar positions
    /// in `word`.
    func tokenize(_ word: UnsafeBufferPointer<Unicode.Scalar>, into output: inout [_ModelToken]) {
        cache.withThreadTables { cache in
            if splitsAtSpaceMarkers, word.count > 1 {
                tokenizeSplitting(word, cache: cache, into: &output)
            } else {
                tokenizeWhole(word, shift: 0, cache: cache, into: &output)
            }
        }
    }

    /// ``tokenize(_:into:)`` of a model whose vocabulary allows it: the word is cut before
    /// each "▁" that follows a scalar other than "▁", and each piece is merged (and cached)
    /// alone. Exact, because:
    /// - a token is its pieces' strings concatenated, and no vocabulary token (every merge
    ///   result is one) has a non-"▁" scalar followed by "▁", so no merge joins a symbol
    ///   ending before a cut to one starting at it (the left one's string ends with that
    ///   scalar, a byte token's ">", or the unknown token, checked not to end with "▁");
    ///   merges on the two sides are then independent, and merging each side alone applies
    ///   the same merges in the same relative order (lowest rank, then leftmost);
    /// - "▁" is in the vocabulary, so the symbol at a cut is "▁" itself: no unknown run is
    ///   pending across it (`fuse_unk` never fuses over a cut, and a pending unknown is
    ///   flushed just before the "▁" either way), and byte fallback is per scalar.
    private func tokenizeSplitting(_ word: UnsafeBufferPointer<Unicode.Scalar>, cache: _ThreadWordCache, into output: inout [_ModelToken]) {
        let marker = _SpaceMarkerSplit.marker
        var start = 0
        var index = 1
        while index < word.count {
            if word[index] == marker && word[index - 1] != marker {
                tokenizeWhole(UnsafeBufferPointer(rebasing: word[start..<index]), shift: Int32(start), cache: cache, into: &output)
                start = index
            }
            index += 1
        }
        tokenizeWhole(UnsafeBufferPointer(rebasing: word[start...]), shift: Int32(start), cache: cache, into: &output)
    }

    /// ``tokenize(_:)`` without cutting the word (the HF algorithm as is), uncached: what
    /// tests compare the cut words with.
    func tokenizeUnsplit(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        if word.isEmpty { return [] }
        if ignoreMerges, let id = vocab[token: Self.string(word)] {
            return [_ModelToken(id: id, start: 0, end: Int32(word.count))]
        }
        return word.withUnsafeBufferPointer { mergeWord($0) }
    }

    /// One word through the word cache, merged whole; its tokens are appended to `output`
    /// with their offsets moved by `shift`.
    @inline(__always)
    private func tokenizeWhole(_ word: UnsafeBufferPointer<Unicode.Scalar>, shift: Int32, cache: _ThreadWordCache, into output: inout [_ModelToken]) {
        if word.isEmpty { return }
        let cacheable = word.count < Self.maxCachedLength
        if cacheable, cache.appendCached(word, shift: shift, to: &output) { return }
        let result: [_ModelToken]
        if ignoreMerges, let id = vocab[token: Self.string(Array(word))] {
            result = [_ModelToken(id: id, start: 0, end: Int32(word.count))]
        } else {
            result = mergeWord(word)
        }
        if cacheable { result.withUnsafeBufferPointer { cache.insert(word, $0) } }
        for token in result {
            output.append(_ModelToken(id: token.id, start: token.start + shift, end: token.end + shift))
        }
    }

    private static func string(_ scalars: [Unicode.Scalar]) -> String {
        String(scalars: scalars)
    }

    @inline(__always)
    private func singleID(_ scalar: Unicode.Scalar) -> Int32 {
        let value = scalar.value
        if value < 0x10000 { return bmpIDs[Int(value)] }
        return astralIDs[value] ?? -1
    }

    /// HF `merge_word`: initial symbols (with byte fallback and unknown handling), then
    /// all merges.
    private func mergeWord(_ word: UnsafeBufferPointer<Unicode.Scalar>) -> [_ModelToken] {
        var symbols = _Symbols(capacity: word.count)
        var pendingUnknown: (start: Int32, end: Int32)?
        let usesAffixes = continuingSubwordPrefix != nil || endOfWordSuffix != nil
        for (index, scalar) in word.enumerated() {
            let position = Int32(index)
            var id: Int32
            if usesAffixes {
                var piece = String(Character(scalar))
                if index > 0, let prefix = continuingSubwordPrefix { piece = prefix + piece }
                if index == word.count - 1, let suffix = endOfWordSuffix { piece += suffix }
                id = vocab[token: piece] ?? -1
            } else {
                id = singleID(scalar)
            }
            if id >= 0 {
                if let unknown = pendingUnknown, let unknownID {
                    symbols.append(unknownID, unknown.start, unknown.end)
                    pendingUnknown = nil
                }
                symbols.append(id, position, position + 1)
                continue
            }
            if byteFallback {
                let bytes = UTF8.bytes(of: scalar)
                if bytes.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
                    // HF adds the byte tokens without flushing a pending unknown first.
                    for byte in bytes { symbols.append(byteIDs[Int(byte)], position, position + 1) }
                    continue
                }
            }
            guard let unknownID else { continue }
            if let unknown = pendingUnknown {
                if fuseUnknown {
                    pendingUnknown = (unknown.start, position + 1)
                } else {
                    symbols.append(unknownID, unknown.start, unknown.end)
                    pendingUnknown = (position, position + 1)
                }
            } else {
                pendingUnknown = (position, position + 1)
            }
        }
        if let unknown = pendingUnknown, let unknownID {
            symbols.append(unknownID, unknown.start, unknown.end)
        }
        symbols.mergeAll(merges, mergedIDs: mergedIDs)
        return symbols.tokens()
    }
}

/// The symbols of a word being merged (HF `Word`), as parallel arrays.
struct _Symbols {
    var ids: [Int32] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    var previous: [Int32] = []
    var next: [Int32] = []
    var removed: [Bool] = []

    init(capacity: Int) {
        ids.reserveCapacity(capacity)
        starts.reserveCapacity(capacity)
        ends.reserveCapacity(capacity)
        previous.reserveCapacity(capacity)
        next.reserveCapacity(capacity)
        removed.reserveCapacity(capacity)
    }

    mutating func append(_ id: Int32, _ start: Int32, _ end: Int32) {
        let count = Int32(ids.count)
        if count > 0 { next[Int(count) - 1] = count }
        ids.append(id)
        starts.append(start)
        ends.append(end)
        previous.append(count - 1)
        next.append(-1)
        removed.append(false)
    }

    /// HF `Word::merge_all` without dropout: repeatedly merge the pair of lowest rank
    /// (leftmost first), skipping queue entries that went stale. A queue entry is
    /// `rank << 32 | position`; its merged id is `mergedIDs[rank]` (a rank names one merge).
    mutating func mergeAll(_ merges: _PairTable, mergedIDs: [Int32]) {
        let count = ids.count
        guard count > 1 else { return }
        var heap = _MergeHeap()
        heap.reserve(count)
        for position in 0..<(count - 1) {
            let merge = merges.lookup(ids[position], ids[position + 1])
            if merge != _PairTable.notFound { heap.appendUnordered(rank: merge, position: Int32(position)) }
        }
        heap.heapify()
        while let top = heap.pop() {
            let position = Int(top & 0xFFFF_FFFF)
            if removed[position] { continue }
            let nextPosition = Int(next[position])
            if nextPosition < 0 { continue }
            let current = merges.lookup(ids[position], ids[nextPosition])
            let newID = mergedIDs[Int(top >> 32)]
            if current == _PairTable.notFound || Int32(truncatingIfNeeded: current & 0xFFFF_FFFF) != newID { continue }
            // Merge the right symbol into this one.
            ids[position] = newID
            ends[position] = ends[nextPosition]
            let after = next[nextPosition]
            next[position] = after
            removed[nextPosition] = true
            if after >= 0 { previous[Int(after)] = Int32(position) }
            let before = previous[position]
            if before >= 0 {
                let merge = merges.lookup(ids[Int(before)], newID)
                if merge != _PairTable.notFound { heap.push(rank: merge, position: before) }
            }
            if after >= 0 {
                let merge = merges.lookup(newID, ids[Int(after)])
                if merge != _PairTable.notFound { heap.push(rank: merge, position: Int32(position)) }
            }
        }
    }

    /// The surviving symbols as tokens.
    func tokens() -> [_ModelToken] {
        var result: [_ModelToken] = []
        result.reserveCapacity(ids.count)
        for index in 0..<ids.count where !removed[index] {
            result.append(_ModelToken(id: ids[index], start: starts[index], end: ends[index]))
        }
        return result
    }
}
