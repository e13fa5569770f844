/// A token added on top of the model vocabulary (`added_tokens` in `tokenizer.json`),
/// matched in the text before normalization and the model run, as HF tokenizers does.
public struct AddedToken: Hashable, Sendable {
    /// Its id.
    public var id: Int32
    /// The text it stands for.
    public var content: String
    /// Whether it only matches a whole word (no word character right before or after).
    public var singleWord: Bool
    /// Whether white space on its left is absorbed into it.
    public var leftStrip: Bool
    /// Whether white space on its right is absorbed into it.
    public var rightStrip: Bool
    /// Whether it is matched in the normalized text (`true`) or the original text.
    public var normalized: Bool
    /// Whether it is a special token (left out by `decode(skipSpecialTokens: true)`).
    public var special: Bool

    /// Creates an added token; the defaults are HF's for a special token.
    public init(
        id: Int32, content: String, singleWord: Bool = false, leftStrip: Bool = false,
        rightStrip: Bool = false, normalized: Bool = false, special: Bool = true
    ) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.normalized = normalized
        self.special = special
    }
}
