import Collate
import Testing

/// `template-tokens-missing`: the core rule, given markers and how a tokenizer splits them
/// (the real tokenizers are tested in CollateTokenizersTests).
@Suite("template-tokens-missing")
struct TemplateTokensMissingRuleTests {
    /// How the Mistral v1 tokenizer splits ChatML's markers (its tokenizer.json has no such tokens).
    static func mistralV1(_ marker: String) -> [String] {
        switch marker {
        case "<|im_start|>": ["▁<", "|", "im", "_", "start", "|", ">"]
        case "<|im_end|>": ["▁<", "|", "im", "_", "end", "|", ">"]
        default: [marker]
        }
    }

    @Test func aMarkerSplitIntoPiecesIsAnError() throws {
        var asked: [String] = []
        let rule = TemplateTokensMissingRule(template: "chatml", tokenizer: "mistral-v1", markers: ["<|im_start|>", "<|im_end|>", "<|im_end|>"]) {
            asked.append($0)
            return Self.mistralV1($0)
        }
        #expect(asked == ["<|im_start|>", "<|im_end|>"], "each marker is looked up once")
        let diagnostics = Validator(rules: [rule]).validate([Example(inputIDs: [1])], collator: LanguageModelingCollator(padTokenID: 0).contract, backend: .training())
        #expect(diagnostics.map(\.code) == [.templateTokensMissing, .templateTokensMissing])
        #expect(diagnostics.allSatisfy { $0.severity == .error && $0.example == nil })
        let message = try #require(diagnostics.last?.message)
        #expect(message.contains("'<|im_end|>'"))
        #expect(message.contains("splits it into 7 text pieces ('▁<' '|' 'im' '_' 'end' '|' '>')"))
        #expect(message.contains("never learned as one stop token"))
        #expect(message.contains("Fix:"))
    }

    @Test func markersThatAreOneTokenPass() {
        let rule = TemplateTokensMissingRule(template: "chatml", markers: ["<|im_start|>", "<|im_end|>"]) { [$0] }
        #expect(rule.diagnostics.isEmpty)
        #expect(TemplateTokensMissingRule(template: "alpaca", markers: []).diagnostics.isEmpty)
        // One token that is not the marker itself (an unknown-token id) is still a miss.
        #expect(TemplateTokensMissingRule(template: "t", markers: [.init(text: "<|x|>", pieces: ["<unk>"])]).diagnostics.count == 1)
    }
}
