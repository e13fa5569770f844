/// The part of an assistant turn a model is trained to generate — what HF templates wrap in
/// `{% generation %}...{% endgeneration %}`.
///
/// ``range`` is the content followed by the end-of-turn marker (`<|im_end|>`, `</s>`, ...);
/// ``contentRange`` and ``endOfTurnRange`` split it. All ranges are half-open, in Unicode
/// scalar offsets of ``RenderedChat/text``.
public struct GenerationSpan: Sendable, Hashable {
    /// Index of the assistant message in the input `[ChatMessage]`.
    public var messageIndex: Int
    /// The whole generation region: ``contentRange`` followed by ``endOfTurnRange``.
    public var range: Range<Int>
    /// The assistant content.
    public var contentRange: Range<Int>
    /// The end-of-turn marker that closes the turn (may be empty).
    public var endOfTurnRange: Range<Int>

    /// Creates a generation span.
    public init(messageIndex: Int, range: Range<Int>, contentRange: Range<Int>, endOfTurnRange: Range<Int>) {
        self.messageIndex = messageIndex
        self.range = range
        self.contentRange = contentRange
        self.endOfTurnRange = endOfTurnRange
    }
}
