/// A conversation rendered, tokenized once and masked: what
/// ``ChatFormat/tokenize(_:with:masking:)`` returns.
public struct TokenizedChat: Sendable, Hashable {
    /// The rendered text and its message/generation spans.
    public var rendered: RenderedChat
    /// The encoding of `rendered.text` (no special tokens added).
    public var encoding: Encoding
    /// `input_ids`, `labels` and `assistant_masks`.
    public var masked: MaskedConversation

    /// Creates a tokenized chat.
    public init(rendered: RenderedChat, encoding: Encoding, masked: MaskedConversation) {
        self.rendered = rendered
        self.encoding = encoding
        self.masked = masked
    }

    /// The rendered text.
    public var text: String { rendered.text }
    /// `input_ids`.
    public var inputIDs: [Int32] { masked.inputIDs }
    /// `labels`.
    public var labels: [Int32] { masked.labels }
    /// `assistant_masks`.
    public var assistantMasks: [Int32] { masked.assistantMasks }
}

extension TokenizedChat {
    /// `input_ids`; renamed ``inputIDs``.
    @available(*, deprecated, renamed: "inputIDs")
    public var inputIds: [Int32] { inputIDs }
}
