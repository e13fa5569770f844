import Foundation

/// The WordPiece model of `tokenizer.json` (`model.type = "WordPiece"`), as HF tokenizers'
/// `WordPiece::tokenize`: greedy longest-match-first from the left, later pieces prefixed
/// with `continuing_subword_prefix`; a word longer than `max_input_chars_per_word` scalars,
/// or one that cannot be covered, becomes one unknown token spanning the whole word.
struct _WordPiece: Sendable {
    let vocab: _Vocabulary
    let vocabR: [String?]
    let unknownToken: String?
    private let unknownID: Int32
    let continuingSubwordPrefix: String
    let maxInputCharsPerWord: Int
    /// The longest vocabulary token in scalars: no longer candidate can match, so the
    /// search never tries one (the result is HF's; the work is O(word × this), not O(word²)).
    private let longestToken: Int
    private let cache = _WordCache()

    init(json: _JSONValue, exactVocabulary: _ExactJSON? = nil) throws {
        (vocab, vocabR) = try json.member("vocab").vocabulary(maximumID: _BPE.maximumID, exact: exactVocabulary)
        let unknownJSON = try json.member("unk_token")
        let unknown = try unknownJSON.string()
        guard let id = vocab[token: unknown] else {
            // HF loads such a file but fails on the first word it cannot cover.
            throw TokenizerJSONError.tokenNotInVocabulary(path: unknownJSON.path, token: unknown)
        }
        unknownToken = unknown
        unknownID = id
        longestToken = vocab.keys.reduce(0) { max($0, $1.string.unicodeScalars.count) }
        continuingSubwordPrefix = try json.optionalString("continuing_subword_prefix") ?? "##"
        if let maxJSON = try json.optionalMember("max_input_chars_per_word") {
            let value = try maxJSON.int()
            guard value >= 0 else {
                throw TokenizerJSONError.invalidValue(path: maxJSON.path, value: "\(value)", reason: "use a non-negative number of characters (HF's default is 100)")
            }
            maxInputCharsPerWord = value
        } else {
            maxInputCharsPerWord = 100
        }
    }

    func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < vocabR.count ? vocabR[Int(id)] : nil
    }

    /// Tokenizes one word (HF `WordPiece::tokenize`).
    func tokenize(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        if word.isEmpty { return [] }
        let unknown = [_ModelToken(id: unknownID, start: 0, end: Int32(word.count))]
        if word.count > maxInputCharsPerWord { return unknown }
        let cacheable = word.count < _BPE.maxCachedLength
        if cacheable, let hit = cache.get(word) { return hit }
        var result: [_ModelToken] = []
        var start = 0
        let prefix = Array(continuingSubwordPrefix.unicodeScalars)
        var candidate: [Unicode.Scalar] = []
        candidate.reserveCapacity(word.count + prefix.count)
        while start < word.count {
            var end = min(word.count, start + longestToken)
            var found: Int32 = -1
            while start < end {
                candidate.removeAll(keepingCapacity: true)
                if start > 0 { candidate.append(contentsOf: prefix) }
                candidate.append(contentsOf: word[start..<end])
                if let id = vocab[token: String(scalars: candidate)] {
                    found = id
                    break
                }
                end -= 1
            }
            if found < 0 {
                result = unknown
                break
            }
            result.append(_ModelToken(id: found, start: Int32(start), end: Int32(end)))
            start = end
        }
        if cacheable { cache.set(word, result) }
        return result
    }
}
