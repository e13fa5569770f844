/// `template-turn-undelimited`: a chat template writes no generation prompt
/// (`add_generation_prompt=True` appends nothing) and no end-of-turn marker after an assistant
/// turn, so the assistant masks cannot be delimited: a role header the template writes for the
/// turn (`assistant: `) is trained as if the model generated it, and no stop token is trained,
/// so the model never learns to stop.
///
/// The rule knows nothing of templates: it is given what the masking rule trains for a probe
/// assistant turn (`trainedText`) and that turn's content. `CollateData` builds it from a chat
/// format (`TemplateTurnUndelimitedRule(chatFormat:)`).
///
/// ```swift
/// let rule = TemplateTurnUndelimitedRule(template: "plain.jinja", content: "Hello", trainedText: "assistant: Hello")
/// rule.diagnostics   // one warning[template-turn-undelimited]
/// ```
public struct TemplateTurnUndelimitedRule: ValidationRule {
    /// The template's name, for messages (its path).
    public var template: String
    /// The probe turn's assistant content.
    public var content: String
    /// What the masking rule trains for that turn.
    public var trainedText: String

    /// Creates the rule from a probe turn.
    /// - Parameters:
    ///   - template: The template's name.
    ///   - content: The probe turn's assistant content.
    ///   - trainedText: What the masking rule trains for it.
    public init(template: String, content: String, trainedText: String) {
        self.template = template
        self.content = content
        self.trainedText = trainedText
    }

    public var code: Diagnostic.Code { .templateTurnUndelimited }

    /// One dataset-level warning.
    public func check(_ context: ValidationContext) -> [Diagnostic] { diagnostics }

    /// The finding, without a validation context.
    public var diagnostics: [Diagnostic] { [.templateTurnUndelimited(self)] }
}

extension Diagnostic {
    fileprivate static func templateTurnUndelimited(_ rule: TemplateTurnUndelimitedRule) -> Diagnostic {
        let trained = JSONValue.string(rule.trainedText).jsonText
        let content = JSONValue.string(rule.content).jsonText
        let before = rule.trainedText.range(of: rule.content).map { rule.trainedText[..<$0.lowerBound] } ?? rule.trainedText[...]
        let header = before.contains { !$0.isWhitespace }
        let consequence = header
            ? "the text it writes for the turn before the content is trained as if the model generated it (the assistant turn \(content) trains \(trained): the model learns to write the role header), and no stop token is trained, so generations do not stop"
            : "the assistant turn \(content) trains \(trained) and no stop token, so the model never learns to stop"
        return Diagnostic(.templateTurnUndelimited, message:
            "chat template '\(rule.template)' writes no generation prompt (add_generation_prompt=True appends nothing) and no "
            + "end-of-turn marker after an assistant turn, so the assistant masks cannot be delimited: Collate trains everything the "
            + "template writes for each assistant message — \(consequence). Fix: use the chat template the model was trained with; "
            + "or give this one a generation prompt ({% if add_generation_prompt %} followed by the header the assistant turn "
            + "starts with, after the message loop) and an end-of-turn marker after each assistant turn ({{ eos_token }}); or wrap "
            + "what the model must generate in {% generation %}...{% endgeneration %}, whose spans are then trained exactly.")
    }
}
