import Foundation

/// The WordLevel model of `tokenizer.json` (`model.type = "WordLevel"`): each pre-tokenized
/// word is one token, or the unknown token when the vocabulary lacks it.
struct _WordLevel: Sendable {
    let vocab: _Vocabulary
    let vocabR: [String?]
    let unknownToken: String?
    private let unknownID: Int32

    init(json: _JSONValue, exactVocabulary: _ExactJSON? = nil) throws {
        (vocab, vocabR) = try json.member("vocab").vocabulary(maximumID: _BPE.maximumID, exact: exactVocabulary)
        let unknownJSON = try json.member("unk_token")
        let unknown = try unknownJSON.string()
        guard let id = vocab[token: unknown] else {
            // HF loads such a file but fails on the first word outside the vocabulary.
            throw TokenizerJSONError.tokenNotInVocabulary(path: unknownJSON.path, token: unknown)
        }
        unknownToken = unknown
        unknownID = id
    }

    func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < vocabR.count ? vocabR[Int(id)] : nil
    }

    func tokenize(_ word: [Unicode.Scalar]) -> [_ModelToken] {
        if word.isEmpty { return [] }
        return [_ModelToken(id: vocab[token: String(scalars: word)] ?? unknownID, start: 0, end: Int32(word.count))]
    }
}
