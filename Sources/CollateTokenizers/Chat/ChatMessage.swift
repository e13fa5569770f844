/// One turn of a conversation: who speaks and what they say.
///
/// Roles are plain strings as in HF `messages` (`"system"`, `"user"`, `"assistant"`); a
/// ``ChatFormat`` decides which roles it accepts and throws
/// ``ChatFormatError/unsupportedRole(messageIndex:role:format:supportedRoles:)`` for the others.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// The speaker: `"system"`, `"user"` or `"assistant"` for the built-in formats.
    public var role: String
    /// The text of the turn, rendered verbatim (or trimmed, where the model's template trims).
    public var content: String

    /// Creates a message.
    /// - Parameters:
    ///   - role: The speaker, e.g. `"user"`.
    ///   - content: The text of the turn.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    /// An assistant message.
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }
}
