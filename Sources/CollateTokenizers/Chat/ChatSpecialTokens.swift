/// The tokenizer's special token strings a chat format may render (Jinja's `bos_token` and
/// `eos_token`).
///
/// Formats such as `mistral-inst` and `alpaca` write the tokenizer's BOS/EOS into the text
/// (`<s>`, `</s>` for the Mistral tokenizers); formats whose model fixes its own markers
/// (`llama-3`, `gemma`, `phi-3`) ignore these.
public struct ChatSpecialTokens: Sendable, Hashable {
    /// Beginning-of-sequence token text, or `nil` when the tokenizer has none.
    public var bos: String?
    /// End-of-sequence token text, or `nil` when the tokenizer has none.
    public var eos: String?

    /// Creates special tokens; the defaults are the Mistral/Llama-2 family's `<s>` and `</s>`.
    /// - Parameters:
    ///   - bos: Beginning-of-sequence token text.
    ///   - eos: End-of-sequence token text.
    public init(bos: String? = "<s>", eos: String? = "</s>") {
        self.bos = bos
        self.eos = eos
    }

    /// The special tokens a tokenizer declares (``Tokenizer/bosToken``, ``Tokenizer/eosToken``).
    /// - Parameter tokenizer: The tokenizer the rendered text will be encoded with.
    public init(_ tokenizer: some Tokenizer) {
        self.bos = tokenizer.bosToken
        self.eos = tokenizer.eosToken
    }
}
