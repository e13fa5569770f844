import CollateTokenizers

/// How a token id is shown to a person: its vocabulary entry with the tokenizer's space and
/// byte markers turned back into text (`▁Paris` → ` Paris`, `<0x0A>` → newline).
enum TokenDisplay {
    static func text(for id: Int32, in tokenizer: PretrainedTokenizer) -> String {
        guard let token = tokenizer.token(of: id) else { return "<\(id)?>" }
        if token.hasPrefix("<0x"), token.hasSuffix(">"), token.count == 6,
           let byte = UInt8(token.dropFirst(3).dropLast(), radix: 16) {
            return byte < 0x80 ? visible(String(UnicodeScalar(byte))) : "\\x" + String(byte, radix: 16, uppercase: true)
        }
        if token.contains("▁") { return visible(token.replacingOccurrences(of: "▁", with: " ")) }
        if tokenizer.addedTokens.contains(where: { $0.content == token }) { return token }
        // Byte-level vocabularies (GPT-2 alphabet): let the decoder map bytes back to text.
        return visible(tokenizer.decode(ids: [id]))
    }

    /// Makes control characters visible while keeping line structure.
    static func visible(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "↵\n").replacingOccurrences(of: "\t", with: "→")
    }
}
