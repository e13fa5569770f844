/// A chat format: renders `[ChatMessage]` to text natively (no Jinja) and records where every
/// message and every assistant generation region lands.
///
/// The built-in formats (``chatml``, ``mistralInst``, ``mistralTekken``, ``alpaca``,
/// ``llama3``, ``gemma``, ``phi3``, ``qwen``) reproduce their Jinja templates character for
/// character; look one up by name with ``named(_:)``. A custom format is a name, the roles it
/// accepts and a closure writing into a ``ChatTextBuilder``:
///
/// ```swift
/// let vicuna = ChatFormat(name: "vicuna", supportedRoles: ["user", "assistant"]) { out, messages, special in
///     for (i, m) in messages.enumerated() {
///         if m.role == "user" {
///             out.appendMessage(index: i, role: m.role, prefix: "USER: ", content: m.content, suffix: " ")
///         } else {
///             out.appendMessage(index: i, role: m.role, prefix: "ASSISTANT: ", content: m.content,
///                               endOfTurn: try ChatFormat.require(special.eos, "eos_token", in: "vicuna"),
///                               generation: true)
///         }
///     }
/// }
/// ```
///
/// ```
///   [ChatMessage] ──render──▶ RenderedChat(text, message spans, generation spans)
///                                   │ tokenizer.encodeWithOffsets(text, addSpecialTokens: false)
///                                   ▼
///                    Encoding(ids, offsets) ──AssistantMasking──▶ MaskedConversation
///                                                                 (input_ids, labels, assistant_masks)
/// ```
public struct ChatFormat: Sendable {
    /// The rendering body: writes every message into the builder; roles are already checked.
    public typealias Body = @Sendable (
        _ output: inout ChatTextBuilder, _ messages: [ChatMessage], _ special: ChatSpecialTokens
    ) throws -> Void

    /// The format's name, as ``named(_:)`` and `collate chat --template` take it.
    public let name: String
    /// The roles this format renders; any other role is rejected before rendering. Empty for a
    /// format made from a model's template (``init(template:)``), which renders every role.
    public let supportedRoles: [String]
    private let body: Body
    /// The model's own Jinja template this format renders with, for ``init(template:)``.
    public let template: ChatTemplate?

    /// Creates a format.
    /// - Parameters:
    ///   - name: The format's name.
    ///   - supportedRoles: Roles the format renders; others throw
    ///     ``ChatFormatError/unsupportedRole(messageIndex:role:format:supportedRoles:)``.
    ///   - body: Writes the messages into the builder.
    public init(name: String, supportedRoles: [String], body: @escaping Body) {
        self.name = name
        self.supportedRoles = supportedRoles
        self.body = body
        self.template = nil
    }

    /// A format that renders with a model's own chat template, so every API that takes a
    /// ``ChatFormat`` (datasets, `tokenize(_:with:masking:)`) takes any model's template.
    ///
    /// It accepts every role and key the template reads; its generation spans follow
    /// ``ChatTemplate/render(_:)``. The tokenizer's BOS/EOS fill `bos_token` / `eos_token` when the
    /// template's own config does not name them.
    /// - Parameter template: The template.
    public init(template: ChatTemplate) {
        self.name = template.name
        self.supportedRoles = []
        self.body = { _, _, _ in }
        self.template = template
    }

    /// Renders a conversation.
    ///
    /// - Parameters:
    ///   - messages: The conversation, in order.
    ///   - special: The tokenizer's BOS/EOS strings (Jinja's `bos_token`, `eos_token`).
    /// - Returns: The text with the span of every message and generation region.
    /// - Throws: ``ChatFormatError`` naming the message index and role of an unsupported role,
    ///   a key the format cannot render (`tool_calls`, `reasoning_content`, list-of-parts
    ///   `content`: use a ``ChatTemplate``), a missing special token, or broken alternation.
    /// - Complexity: O(*n*) in the total length of the messages.
    public func render(_ messages: [ChatMessage], special: ChatSpecialTokens = ChatSpecialTokens()) throws -> RenderedChat {
        if let template {
            return try template.filling(special).render(ChatConversation(messages))
        }
        for (index, message) in messages.enumerated() {
            guard supportedRoles.contains(message.role) else {
                throw ChatFormatError.unsupportedRole(
                    messageIndex: index, role: message.role, format: name, supportedRoles: supportedRoles)
            }
            if let field = message.unsupportedPlainTextField {
                throw ChatFormatError.unsupportedField(messageIndex: index, field: field, format: name)
            }
        }
        var builder = ChatTextBuilder()
        try body(&builder, messages, special)
        return builder.build()
    }

    /// Returns `token`, or throws ``ChatFormatError/missingSpecialToken(format:token:)``.
    ///
    /// For format bodies that write `bos_token` / `eos_token`.
    /// - Parameters:
    ///   - token: The special token text, if any.
    ///   - name: `"bos_token"` or `"eos_token"`, for the error.
    ///   - format: The format's name, for the error.
    public static func require(_ token: String?, _ name: String, in format: String) throws -> String {
        guard let token else { throw ChatFormatError.missingSpecialToken(format: format, token: name) }
        return token
    }
}
