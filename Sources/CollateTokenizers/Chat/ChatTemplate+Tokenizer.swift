// MARK: - Rendering and tokenizing in one step

extension ChatTemplate {
    /// Renders a conversation, encodes the text once and computes labels and assistant mask —
    /// HF `apply_chat_template(..., return_dict=True, return_assistant_tokens_mask=True)`, with
    /// Collate's spans for templates without `{% generation %}` blocks.
    ///
    /// The text is encoded with `addSpecialTokens: false`, as `apply_chat_template` does; the
    /// tokenizer's BOS/EOS fill `bos_token` / `eos_token` when the template's config lacks them.
    ///
    /// - Parameters:
    ///   - conversation: The conversation.
    ///   - tokenizer: Encodes the text.
    ///   - masking: Which tokens are trained; the default is HF's assistant mask over the spans.
    /// - Returns: The rendering, the encoding and `input_ids`/`labels`/`assistant_masks`.
    /// - Throws: ``ChatTemplateError`` from rendering, or the tokenizer's error.
    public func tokenize(
        _ conversation: ChatConversation, with tokenizer: some Tokenizer, masking: AssistantMasking = AssistantMasking()
    ) throws -> TokenizedChat {
        let rendered = try filling(ChatSpecialTokens(tokenizer)).render(conversation)
        let encoding = try tokenizer.encodeWithOffsets(text: rendered.text, addSpecialTokens: false)
        return TokenizedChat(rendered: rendered, encoding: encoding, masked: masking.apply(to: rendered, encoding: encoding))
    }
}
