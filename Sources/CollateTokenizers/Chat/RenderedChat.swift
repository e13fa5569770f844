/// A conversation rendered to text by a ``ChatFormat``, with the span of every message and
/// of every assistant generation region.
///
/// Spans are Unicode scalar offsets, the unit of ``Encoding/offsets``, so a
/// ``GenerationSpan`` can be mapped to tokens without re-searching the text. The text is what
/// HF `apply_chat_template(..., tokenize=False)` returns for the same template.
public struct RenderedChat: Sendable, Hashable {
    /// The rendered conversation.
    public var text: String
    /// Number of Unicode scalars in ``text`` (Python's `len(text)`).
    public var scalarCount: Int
    /// One span per rendered input message, in input order.
    public var messages: [ChatMessageSpan]
    /// One span per assistant generation region, in text order.
    public var generations: [GenerationSpan]

    /// Creates a rendered chat.
    public init(text: String, scalarCount: Int, messages: [ChatMessageSpan], generations: [GenerationSpan]) {
        self.text = text
        self.scalarCount = scalarCount
        self.messages = messages
        self.generations = generations
    }

    /// Converts a Unicode-scalar range of ``text`` to string indices.
    ///
    /// - Parameter range: A range in scalar offsets, e.g. ``GenerationSpan/range``.
    /// - Returns: The matching `String.Index` range, or `nil` when `range` lies outside the text.
    /// - Complexity: O(*n*) in `range.upperBound`.
    public func stringRange(_ range: Range<Int>) -> Range<String.Index>? {
        guard range.lowerBound >= 0, range.upperBound <= scalarCount else { return nil }
        // Limited by the text itself too: `scalarCount` is a public property a caller may set.
        let scalars = text.unicodeScalars
        guard let lower = scalars.index(scalars.startIndex, offsetBy: range.lowerBound, limitedBy: scalars.endIndex),
              let upper = scalars.index(lower, offsetBy: range.count, limitedBy: scalars.endIndex)
        else { return nil }
        return lower..<upper
    }

    /// The text covered by a Unicode-scalar range of ``text``.
    ///
    /// - Parameter range: A range in scalar offsets.
    /// - Returns: The substring, or `nil` when `range` lies outside the text.
    /// - Complexity: O(*n*) in `range.upperBound`.
    public func substring(_ range: Range<Int>) -> Substring? {
        stringRange(range).map { text[$0] }
    }
}
