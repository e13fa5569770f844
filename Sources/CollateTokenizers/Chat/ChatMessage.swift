import Collate

/// One turn of a conversation: who speaks and what they say — and, for tool-calling and
/// reasoning models, everything else the message carries.
///
/// A message is stored as the JSON object a dataset line holds (``fields``), keys in order, so a
/// model's own chat template sees exactly what the line says: `tool_calls`, `tool_call_id`,
/// `name`, `reasoning_content`, list-of-parts `content` (`[{"type": "text", "text": ...}]`) and
/// any other key. ``role`` and ``content`` are views of that object for plain-text callers.
///
/// Roles are plain strings as in HF `messages` (`"system"`, `"user"`, `"assistant"`, `"tool"`);
/// a ``ChatFormat`` decides which roles and keys it renders and throws
/// ``ChatFormatError/unsupportedRole(messageIndex:role:format:supportedRoles:)`` or
/// ``ChatFormatError/unsupportedField(messageIndex:field:format:)`` for the others, while a
/// ``ChatTemplate`` renders whatever its Jinja source reads.
public struct ChatMessage: Sendable, Hashable {
    /// Every key of the message in order, as the dataset line holds it (null values included;
    /// they are dropped before a template renders, as transformers 5.23 does).
    public var fields: JSONObject

    /// Creates a plain-text message.
    /// - Parameters:
    ///   - role: The speaker, e.g. `"user"`.
    ///   - content: The text of the turn.
    public init(role: String, content: String) {
        fields = JSONObject([("role", .string(role)), ("content", .string(content))])
    }

    /// Creates a message from a JSON object, keeping every key.
    ///
    /// - Parameter fields: The message object; it must hold a string `role`.
    /// - Throws: ``ChatMessageError`` when `role` is missing or not a string.
    public init(fields: JSONObject) throws(ChatMessageError) {
        guard let role = fields["role"] else { throw ChatMessageError(field: "role", value: nil) }
        guard case .string = role else { throw ChatMessageError(field: "role", value: role) }
        self.fields = fields
    }

    /// The speaker: `"system"`, `"user"`, `"assistant"`, `"tool"`, ...
    public var role: String {
        get {
            if case .string(let role)? = fields["role"] { return role }
            return ""
        }
        set { fields["role"] = .string(newValue) }
    }

    /// The text of the turn: the `content` string, or the `text` of every `{"type": "text"}`
    /// part of a list-of-parts `content` joined, or `""` when the message has no content
    /// (an assistant turn holding only `tool_calls`). Setting it stores a plain string.
    public var content: String {
        get {
            switch fields["content"] {
            case .string(let text)?:
                return text
            case .array(let parts)?:
                return parts.compactMap { part -> String? in
                    guard case .object(let object) = part, case .string("text")? = object["type"],
                          case .string(let text)? = object["text"] else { return nil }
                    return text
                }.joined()
            default:
                return ""
            }
        }
        set { fields["content"] = .string(newValue) }
    }

    /// Whether a built-in ``ChatFormat`` can render the message without losing what the model
    /// must see: a string (or absent) `content`, and no `tool_calls`, `reasoning_content`,
    /// `reasoning` or `thinking` (null values count as absent). Other keys (`name`,
    /// `tool_call_id`, ...) are ignored, as the formats' Jinja templates ignore them.
    public var isPlainText: Bool { unsupportedPlainTextField == nil }

    /// The first key that keeps the message from being plain text (see ``isPlainText``), or `nil`.
    public var unsupportedPlainTextField: String? {
        for member in fields.members {
            switch (member.key, member.value) {
            case (_, .null), ("content", .string):
                continue
            case ("content", _), ("tool_calls", _), ("reasoning_content", _), ("reasoning", _), ("thinking", _):
                return member.key
            default:
                continue
            }
        }
        return nil
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    /// An assistant message.
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }
    /// A tool result message, as OpenAI-style conversations carry it.
    /// - Parameters:
    ///   - content: The tool's output.
    ///   - toolCallID: The `id` of the assistant's tool call this answers (`tool_call_id`).
    ///   - name: The tool's name, for templates that print it.
    public static func tool(_ content: String, toolCallID: String? = nil, name: String? = nil) -> ChatMessage {
        var message = ChatMessage(role: "tool", content: content)
        if let toolCallID { message.fields["tool_call_id"] = .string(toolCallID) }
        if let name { message.fields["name"] = .string(name) }
        return message
    }
}

/// A message object without a usable `role`.
public struct ChatMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault (`"role"`).
    public var field: String
    /// The value found, or `nil` when the key is missing.
    public var value: JSONValue?

    /// What is wrong with the field, without its name.
    public var reason: String {
        if let value { return "expected a string such as \"user\", got \(value.preview())" }
        return "is missing; every message needs a \"role\" string"
    }

    /// What is wrong and how to fix it: `field 'role': ...`.
    public var description: String {
        "field '\(field)'" + (value == nil ? " " : ": ") + reason
    }
}
