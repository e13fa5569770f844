/// What rendering a ``JinjaTemplate`` produced: the text and where each part of it came from.
///
/// ## Provenance
///
/// All ranges are half-open Unicode scalar offsets into ``text`` (Python's `str` indices, the
/// unit of ``RenderedChat`` and ``Encoding/offsets``).
///
/// - ``segments`` cover the whole text, in order, without gaps. Each says which message of
///   the context's top-level `messages` list the template was rendering when it wrote that
///   text: the element the innermost running `{% for %}` loop over that list (or over a slice,
///   filter, reversal or any list holding its elements: `messages[1:]`,
///   `messages|selectattr(...)`, a variable set from one) is currently on. Text written
///   outside any such loop has `messageIndex == nil` (system prompts read as `messages[0]`,
///   tool lists, the generation prompt). Text a macro or `{% set %}` block builds is
///   attributed where it is finally written, not where it was built.
/// - ``generations`` are the `{% generation %}...{% endgeneration %}` blocks, computed as
///   transformers computes them: the block's start is the length of the text the template had
///   written at top level when the block ran, its length the length of the block's text.
public struct JinjaRendering: Sendable, Hashable {
    /// The rendered text.
    public var text: String
    /// Number of Unicode scalars in ``text`` (Python's `len`).
    public var scalarCount: Int
    /// Consecutive runs of ``text`` with the message each came from; see the type's discussion.
    public var segments: [JinjaSegment]
    /// The spans of `{% generation %}` blocks, in the order they ran.
    public var generations: [JinjaGenerationSpan]

    /// Creates a rendering.
    public init(text: String, scalarCount: Int, segments: [JinjaSegment], generations: [JinjaGenerationSpan]) {
        self.text = text
        self.scalarCount = scalarCount
        self.segments = segments
        self.generations = generations
    }
}

/// A run of rendered text written while the template was on one message (or on none).
public struct JinjaSegment: Sendable, Hashable {
    /// The run, in Unicode scalar offsets of ``JinjaRendering/text``.
    public var range: Range<Int>
    /// Index into the context's `messages` list, or `nil` for text written outside a loop over it.
    public var messageIndex: Int?

    /// Creates a segment.
    public init(range: Range<Int>, messageIndex: Int?) {
        self.range = range
        self.messageIndex = messageIndex
    }
}

/// The text one `{% generation %}` block wrote.
public struct JinjaGenerationSpan: Sendable, Hashable {
    /// The block's text, in Unicode scalar offsets of ``JinjaRendering/text``.
    public var range: Range<Int>
    /// The message the template was on when the block ran (see ``JinjaRendering``), if any.
    public var messageIndex: Int?

    /// Creates a generation span.
    public init(range: Range<Int>, messageIndex: Int?) {
        self.range = range
        self.messageIndex = messageIndex
    }
}
