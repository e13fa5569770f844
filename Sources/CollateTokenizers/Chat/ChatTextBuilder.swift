/// Accumulates rendered text while recording message and generation spans in Unicode scalar
/// offsets; the building block of every ``ChatFormat``.
///
/// A custom format appends plain text with ``append(_:)`` and whole turns with
/// ``appendMessage(index:role:prefix:content:endOfTurn:suffix:generation:)``, which is where
/// spans are recorded.
public struct ChatTextBuilder: Sendable {
    /// The text rendered so far.
    public private(set) var text: String = ""
    /// Number of Unicode scalars in ``text``.
    public private(set) var scalarCount: Int = 0
    /// Spans of the messages appended so far.
    public private(set) var messages: [ChatMessageSpan] = []
    /// Generation spans recorded so far.
    public private(set) var generations: [GenerationSpan] = []

    /// Creates an empty builder.
    public init() {}

    /// Appends text that belongs to no message (BOS, a default system prompt, a final EOS).
    /// - Parameter piece: The text to append.
    /// - Complexity: O(*m*) in the length of `piece`.
    public mutating func append(_ piece: String) {
        text += piece
        scalarCount += Self.scalarCount(of: piece)
    }

    /// The number of Unicode scalars of `piece`: its UTF-8 bytes that start a scalar (faster
    /// than walking `unicodeScalars`).
    static func scalarCount(of piece: String) -> Int {
        if let count = piece.utf8.withContiguousStorageIfAvailable({ bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            // Eight bytes at a time: a continuation byte is 0b10xxxxxx (bit 7 set, bit 6 clear).
            var continuations = 0
            var index = 0
            while index + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                continuations &+= (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                index += 8
            }
            while index < bytes.count {
                if base[index] & 0xC0 == 0x80 { continuations += 1 }
                index += 1
            }
            return bytes.count - continuations
        }) {
            return count
        }
        return piece.unicodeScalars.count
    }

    /// Appends one turn as `prefix + content + endOfTurn + suffix` and records its spans.
    ///
    /// - Parameters:
    ///   - index: The message's index in the input.
    ///   - role: The message's role.
    ///   - prefix: Role header before the content (e.g. `"<|im_start|>assistant\n"`).
    ///   - content: The message content, already trimmed if the format trims.
    ///   - endOfTurn: The marker closing the turn (e.g. `"<|im_end|>"`, the EOS token, or `""`).
    ///   - suffix: Separator after the end-of-turn marker (e.g. `"\n"`).
    ///   - generation: Whether `content + endOfTurn` is a generation region (assistant turns).
    /// - Complexity: O(*m*) in the appended length.
    public mutating func appendMessage(
        index: Int, role: String, prefix: String = "", content: String,
        endOfTurn: String = "", suffix: String = "", generation: Bool = false
    ) {
        let start = scalarCount
        append(prefix)
        let contentStart = scalarCount
        append(content)
        let contentEnd = scalarCount
        append(endOfTurn)
        let endOfTurnEnd = scalarCount
        append(suffix)
        messages.append(ChatMessageSpan(
            messageIndex: index, role: role, range: start..<scalarCount, contentRange: contentStart..<contentEnd))
        if generation {
            generations.append(GenerationSpan(
                messageIndex: index, range: contentStart..<endOfTurnEnd,
                contentRange: contentStart..<contentEnd, endOfTurnRange: contentEnd..<endOfTurnEnd))
        }
    }

    /// The finished rendering.
    public func build() -> RenderedChat {
        RenderedChat(text: text, scalarCount: scalarCount, messages: messages, generations: generations)
    }
}
