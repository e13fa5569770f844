import CollateTokenizers

/// A tiny deterministic tokenizer for tests: added special tokens are matched first (longest
/// first), then each token is an optional single leading space plus a run of letters/digits,
/// or one other scalar — so a space merges into the word after it, as in SentencePiece.
struct WordTokenizer: Tokenizer {
    var specialTokens: [String] = ["<s>", "</s>", "<|im_start|>", "<|im_end|>", "<unk>"]
    var bosToken: String? = "<s>"
    var eosToken: String? = "</s>"
    var padToken: String? { nil }
    var unknownToken: String? { "<unk>" }
    var vocabularySize: Int { 50_000 }

    func encodeWithOffsets(text: String, addSpecialTokens: Bool) throws -> Encoding {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        var offsets: [Range<Int>] = []
        if addSpecialTokens, let bos = bosToken, let id = convertTokenToId(bos) {
            ids.append(Int32(id))
            offsets.append(0..<0)
        }
        let specials = specialTokens.sorted { $0.unicodeScalars.count > $1.unicodeScalars.count }
            .map { Array($0.unicodeScalars) }
        var position = 0
        func isWord(_ s: Unicode.Scalar) -> Bool { s.properties.isAlphabetic || ("0"..."9").contains(s) }
        outer: while position < scalars.count {
            for special in specials where scalars[position...].starts(with: special) {
                ids.append(Int32(convertTokenToId(String(String.UnicodeScalarView(special))) ?? 0))
                offsets.append(position..<position + special.count)
                position += special.count
                continue outer
            }
            var end = position + 1
            if isWord(scalars[position]) || (scalars[position] == " " && end < scalars.count && isWord(scalars[end])) {
                while end < scalars.count, isWord(scalars[end]) { end += 1 }
            }
            let piece = String(String.UnicodeScalarView(scalars[position..<end]))
            ids.append(Int32(100 + Self.hash(piece) % 40_000))
            offsets.append(position..<end)
            position = end
        }
        return Encoding(ids: ids, offsets: offsets)
    }

    static func hash(_ piece: String) -> Int {
        var h: UInt32 = 2_166_136_261
        for byte in piece.utf8 { h = (h ^ UInt32(byte)) &* 16_777_619 }
        return Int(h)
    }

    func decode(tokens: [Int], skipSpecialTokens: Bool) -> String { "" }
    func convertTokenToId(_ token: String) -> Int? { specialTokens.firstIndex(of: token) }
    func convertIdToToken(_ id: Int) -> String? { specialTokens.indices.contains(id) ? specialTokens[id] : nil }
}
