import Collate
import CollateTokenizers

extension TemplateTokensMissingRule {
    /// The rule for whatever a pipeline renders conversations with: a built-in format's markers,
    /// or the markers a model's Jinja template writes (every variant of it, e.g. `default` and
    /// `tool_use`), each checked to be one token of the tokenizer.
    /// - Parameters:
    ///   - chatFormat: The chat format; one made with ``ChatFormat/init(template:)`` is checked by
    ///     its template's source.
    ///   - tokenizer: The tokenizer its text is encoded with.
    ///   - tokenizerName: How messages name the tokenizer (its path).
    public init(chatFormat: ChatFormat, tokenizer: some Tokenizer, tokenizerName: String = "the tokenizer") {
        guard let template = chatFormat.template else {
            self.init(format: chatFormat, tokenizer: tokenizer, tokenizerName: tokenizerName)
            return
        }
        let source = template.sources.keys.sorted().compactMap { template.sources[$0] }.joined(separator: "\n")
        self.init(templateSource: source, templateName: template.name, tokenizer: tokenizer, tokenizerName: tokenizerName)
    }
}
