import Foundation

/// The Unigram model of `tokenizer.json` (`model.type = "Unigram"`), following HF
/// tokenizers' `Unigram::encode_optimized` (SentencePiece's Viterbi) step by step: the same
/// float sums in the same order, the same tie-breaking (the earliest start wins an equal
/// score), unknown scalars scored `min_score - 10`, runs of unknowns fused into one token,
/// then `byte_fallback` or the unknown id for a fused piece the vocabulary lacks.
struct _Unigram: Sendable {
    /// Token strings and scores, by id.
    let pieces: [(token: String, score: Double)]
    /// Token string to id (a repeated token maps to its last id, as HF's map does).
    let vocab: _Vocabulary
    let unknownToken: String?
    private let unknownID: Int32?
    let byteFallback: Bool
    private let minScore: Double
    /// Trie over scalars: edge `(node << 21) | scalar` → child node.
    private let edges: [UInt64: Int32]
    /// For each trie node, the id of the token ending there (-1 when none).
    private let terminal: [Int32]
    /// Id of `<0xXX>` for each byte (-1 when absent).
    private let byteIDs: [Int32]
    private let cache = _WordCache()

    init(json: _JSONValue) throws {
        let vocabJSON = try json.member("vocab")
        var pieces: [(token: String, score: Double)] = []
        for element in try vocabJSON.array() {
            guard let pair = element.raw as? [Any], pair.count == 2, let token = pair[0] as? String,
                  let number = pair[1] as? NSNumber, String(cString: number.objCType) != "c"
            else {
                throw TokenizerJSONError.wrongType(path: element.path, expected: "a pair [\"token\", score]", found: element.typeName)
            }
            // Foundation's `doubleValue` can be one ulp off the written decimal (which flips
            // Viterbi ties HF breaks on exact sums); the number's description keeps its digits.
            pieces.append((token, Double(number.description) ?? number.doubleValue))
        }
        guard pieces.count < _BPE.maximumID else {
            throw TokenizerJSONError.invalidValue(
                path: vocabJSON.path, value: "\(pieces.count) entries", reason: "a vocabulary must hold fewer than \(_BPE.maximumID) tokens")
        }
        var vocab = _Vocabulary(minimumCapacity: pieces.count)
        for (id, piece) in pieces.enumerated() { vocab[token: piece.token] = Int32(id) }
        if let unknownJSON = try json.optionalMember("unk_id") {
            let id = try unknownJSON.int()
            guard id >= 0, id < pieces.count else {
                throw TokenizerJSONError.invalidValue(
                    path: unknownJSON.path, value: "\(id)", reason: "unk_id must index model.vocab (0..<\(pieces.count))")
            }
            unknownID = Int32(id)
            unknownToken = pieces[id].token
        } else {
            unknownID = nil
            unknownToken = nil
        }
        byteFallback = try json.bool("byte_fallback", default: false)
        minScore = pieces.map(\.score).min() ?? .infinity

        var edges: [UInt64: Int32] = [:]
        var terminal: [Int32] = [-1]
        for piece in pieces {
            var node: Int32 = 0
            for scalar in piece.token.unicodeScalars {
                let key = UInt64(node) << 21 | UInt64(scalar.value)
                if let child = edges[key] {
                    node = child
                } else {
                    terminal.append(-1)
                    let child = Int32(terminal.count - 1)
                    edges[key] = child
                    node = child
                }
            }
            if node != 0, let id = vocab[token: piece.token] { terminal[Int(node)] = id }
        }
        self.pieces = pieces
        self.vocab = vocab
        self.edges = edges
        self.terminal = terminal
        var byteIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let name = "<0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) + ">"
            byteIDs[byte] = vocab[token: name] ?? -1
        }
        self.byteIDs = byteIDs
    }

    func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < pieces.count ? pieces[Int(id)].token : nil
    }

    /// Tokenizes one word (HF `Unigram::tokenize` over `encode_optimized`).
    func tokenize(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        if word.isEmpty { return [] }
        let cacheable = word.count < _BPE.maxCachedLength
        if cacheable, let hit = cache.get(word) { return hit }
        let result = encode(word)
        if cacheable { cache.set(word, result) }
        return result
    }

    private func encode(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        let size = word.count
        let unknownScore = minScore - 10
        // Best path ending at each position: score, start (-1 = none yet), id.
        var bestScore = [Double](repeating: 0, count: size + 1)
        var bestStart = [Int32](repeating: -1, count: size + 1)
        var bestID = [Int32](repeating: 0, count: size + 1)
        for start in 0..<size {
            let scoreHere = bestScore[start]
            var hasSingle = false
            var node: Int32 = 0
            var position = start
            while position < size, let child = edges[UInt64(node) << 21 | UInt64(word[position].value)] {
                node = child
                position += 1
                let id = terminal[Int(node)]
                guard id >= 0 else { continue }
                let candidate = pieces[Int(id)].score + scoreHere
                if bestStart[position] < 0 || candidate > bestScore[position] {
                    bestScore[position] = candidate
                    bestStart[position] = Int32(start)
                    bestID[position] = id
                }
                if position == start + 1 { hasSingle = true }
            }
            if !hasSingle {
                let candidate = unknownScore + scoreHere
                if bestStart[start + 1] < 0 || candidate > bestScore[start + 1] {
                    bestScore[start + 1] = candidate
                    bestStart[start + 1] = Int32(start)
                    // HF fails here without an unknown id; -1 marks the scalar as unknown.
                    bestID[start + 1] = unknownID ?? -1
                }
            }
        }
        // Walk back; fuse consecutive unknowns (HF's `fuse_unk` is always on for Unigram).
        var spans: [(start: Int, end: Int, id: Int32)] = []
        var end = size
        var fusedEnd = -1
        var fusedStart = -1
        while end > 0 {
            let start = Int(bestStart[end])
            let id = bestID[end]
            let isUnknown = id < 0 || (unknownID != nil && id == unknownID)
            if isUnknown {
                if fusedEnd < 0 { fusedEnd = end }
                fusedStart = start
            } else {
                if fusedEnd >= 0 {
                    spans.append((fusedStart, fusedEnd, -1))
                    fusedEnd = -1
                }
                spans.append((start, end, id))
            }
            end = start
        }
        if fusedEnd >= 0 { spans.append((fusedStart, fusedEnd, -1)) }
        spans.reverse()

        var tokens: [_ModelToken] = []
        tokens.reserveCapacity(spans.count)
        for span in spans {
            let start = Int32(span.start)
            let end = Int32(span.end)
            if span.id >= 0 {
                tokens.append(_ModelToken(id: span.id, start: start, end: end))
                continue
            }
            // A fused unknown piece: looked up as a string, then bytes, then the unknown id.
            let piece = Array(word[span.start..<span.end])
            if let id = vocab[token: String(scalars: piece)] {
                tokens.append(_ModelToken(id: id, start: start, end: end))
                continue
            }
            if byteFallback {
                var bytes: [UInt8] = []
                for scalar in piece { bytes.append(contentsOf: UTF8.bytes(of: scalar)) }
                if bytes.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
                    for byte in bytes { tokens.append(_ModelToken(id: byteIDs[Int(byte)], start: start, end: end)) }
                    continue
                }
            }
            if let unknownID { tokens.append(_ModelToken(id: unknownID, start: start, end: end)) }
        }
        return tokens
    }
}
