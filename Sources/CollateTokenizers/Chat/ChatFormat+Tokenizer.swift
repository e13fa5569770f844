// MARK: - Rendering and tokenizing in one step

extension ChatFormat {
    /// Renders a conversation, encodes the text once and computes labels and assistant mask.
    ///
    /// The text is encoded with `addSpecialTokens: false`, as HF's `apply_chat_template` does:
    /// formats that need a BOS write it into the text (`mistral-inst`, `llama-3`, ...), so
    /// the post-processor must not add a second one.
    ///
    /// - Parameters:
    ///   - messages: The conversation.
    ///   - tokenizer: Supplies `bos_token`/`eos_token` and encodes the text.
    ///   - masking: Which tokens are trained; the default is HF's exact assistant mask.
    /// - Returns: The rendering, the encoding and `input_ids`/`labels`/`assistant_masks`.
    /// - Throws: ``ChatFormatError`` from rendering, or the tokenizer's error.
    /// - Complexity: O(*n*) in the rendered length, plus the tokenizer's cost.
    public func tokenize(
        _ messages: [ChatMessage], with tokenizer: some Tokenizer, masking: AssistantMasking = AssistantMasking()
    ) throws -> TokenizedChat {
        let rendered = try render(messages, special: ChatSpecialTokens(tokenizer))
        let encoding = try tokenizer.encodeWithOffsets(text: rendered.text, addSpecialTokens: false)
        return TokenizedChat(rendered: rendered, encoding: encoding, masked: masking.apply(to: rendered, encoding: encoding))
    }
}
