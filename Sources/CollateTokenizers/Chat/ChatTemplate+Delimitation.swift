/// What the masking rule trains for an assistant turn of a template it cannot delimit: one
/// whose generation prompt is empty (`add_generation_prompt=True` appends nothing) and that
/// writes no end-of-turn marker after an assistant turn.
///
/// Without a generation prompt the rule cannot tell the role header the template writes from
/// the model's own text, so the header is trained; without a marker the model is never trained
/// to stop. ``ChatTemplate/undelimitedTurn()`` finds such a template by rendering a probe
/// conversation.
public struct UndelimitedChatTurn: Sendable, Hashable {
    /// The template's name (its path).
    public var template: String
    /// The probe's assistant content.
    public var content: String
    /// What the masking rule trains for that turn (the content, and any header before it).
    public var trainedText: String

    /// Creates a finding.
    /// - Parameters:
    ///   - template: The template's name.
    ///   - content: The probe's assistant content.
    ///   - trainedText: What the masking rule trains for it.
    public init(template: String, content: String, trainedText: String) {
        self.template = template
        self.content = content
        self.trainedText = trainedText
    }

    /// Whether text other than whitespace before the content (a role header such as
    /// `assistant: `) is trained.
    public var trainsHeader: Bool {
        let before = trainedText.range(of: content).map { trainedText[..<$0.lowerBound] } ?? trainedText[...]
        return before.contains { !$0.isWhitespace }
    }
}

extension ChatTemplate {
    /// The probe conversations, tried in order until one renders: a user turn and an assistant
    /// turn, then the same after a system prompt (for templates that require one).
    static let delimitationProbes: [[ChatMessage]] = [
        [.user("Hi"), .assistant("Hello")],
        [.system("You are a helpful assistant."), .user("Hi"), .assistant("Hello")],
    ]

    /// Whether the masking rule can delimit this template's assistant turns, checked on a probe
    /// conversation (a user turn, then an assistant turn `Hello`).
    ///
    /// The rule starts a turn's trained span where the generation prompt ends and stops it at
    /// the end-of-turn marker. A template whose generation prompt is empty and which writes no
    /// marker after the turn gives it neither edge: everything the template writes for the
    /// message is trained — a role header it writes there (`assistant: `) included — and no stop
    /// token. Such a template is reported here; one with `{% generation %}` blocks, a generation
    /// prompt or a marker is not.
    ///
    /// - Returns: What the rule trains for the probe turn when the template cannot be delimited;
    ///   `nil` when it can, or when the template renders none of the probes (it needs other
    ///   messages or variables: nothing can be said).
    /// - Complexity: a few renderings of a three-message conversation.
    public func undelimitedTurn() -> UndelimitedChatTurn? {
        guard let (_, source) = try? variant(hasTools: false), !Self.hasGenerationTags(source) else { return nil }
        for messages in Self.delimitationProbes {
            let conversation = ChatConversation(messages)
            var prompt = conversation
            prompt.messages.removeLast()
            guard let rendered = try? render(conversation),
                  let withPrompt = try? renderOutput({ var p = prompt; p.addGenerationPrompt = true; return p }()),
                  let withoutPrompt = try? renderOutput(prompt)
            else { continue }
            guard withPrompt.text == withoutPrompt.text else { return nil }
            let assistant = messages.count - 1
            let spans = rendered.generations.filter { $0.messageIndex == assistant }
            guard let last = spans.last else { return nil }
            guard last.endOfTurnRange.isEmpty else { return nil }
            let trained = spans.compactMap { rendered.substring($0.range) }.joined()
            return UndelimitedChatTurn(template: name, content: messages[assistant].content, trainedText: trained)
        }
        return nil
    }
}

extension ChatTemplate {
    /// Checks that the variant a conversation without tools renders (`default`, or the only one)
    /// parses, so its syntax error is reported once, as the template's, before any conversation
    /// is rendered. Other variants (`tool_use`, `rag`, ...) are compiled when a conversation
    /// selects them, as transformers does: a broken one that is never used is no error.
    /// - Throws: ``ChatTemplateError/renderFailed(template:message:)`` with the syntax error
    ///   (the template's name and line included).
    public func checkSyntax() throws(ChatTemplateError) {
        guard let (variant, _) = try? variant(hasTools: false) else { return }
        if case .failure(let error)? = compiled[variant] {
            throw ChatTemplateError.renderFailed(template: name, message: error.description)
        }
    }
}
