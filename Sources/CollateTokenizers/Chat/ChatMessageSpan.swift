/// Where one input message landed in a rendered conversation.
///
/// Ranges are half-open and in Unicode scalar offsets of ``RenderedChat/text`` — the unit
/// tokenizers report offsets in (and Python's `str` indexes by). Use
/// ``RenderedChat/stringRange(_:)`` to turn one into a `Range<String.Index>`.
public struct ChatMessageSpan: Sendable, Hashable {
    /// Index of the message in the input `[ChatMessage]`.
    public var messageIndex: Int
    /// The message's role.
    public var role: String
    /// Everything the format rendered for this message: role header, content, end-of-turn
    /// marker and trailing separator.
    public var range: Range<Int>
    /// The message content alone (after any trimming the format does).
    public var contentRange: Range<Int>

    /// Creates a message span.
    public init(messageIndex: Int, role: String, range: Range<Int>, contentRange: Range<Int>) {
        self.messageIndex = messageIndex
        self.role = role
        self.range = range
        self.contentRange = contentRange
    }
}
