import Collate
import CollateTokenizers

extension TemplateTurnUndelimitedRule {
    /// The rule for a pipeline's chat format, when its assistant masks cannot be delimited: a
    /// model's own template (``ChatFormat/init(template:)``) whose probe turn
    /// (``ChatTemplate/undelimitedTurn()``) has neither a generation prompt nor an end-of-turn
    /// marker. Built-in formats always delimit their turns.
    /// - Parameters:
    ///   - chatFormat: The chat format conversations are rendered with.
    ///   - tokenizer: The tokenizer the text is encoded with: its BOS/EOS fill `bos_token` /
    ///     `eos_token` where the template's config lacks them, as when tokenizing.
    /// - Returns: The rule, or `nil` when the format's turns can be delimited.
    public init?(chatFormat: ChatFormat, tokenizer: (any Tokenizer)?) {
        guard var template = chatFormat.template else { return nil }
        if let tokenizer { template = template.filling(ChatSpecialTokens(tokenizer)) }
        guard let turn = template.undelimitedTurn() else { return nil }
        self.init(template: turn.template, content: turn.content, trainedText: turn.trainedText)
    }
}
