import Collate
import Testing

@testable import CollateTokenizers

/// The tokenizer side of `template-tokens-missing`: the markers each built-in format writes and
/// how the real tokenizers split them.
@Suite("Chat format markers")
struct ChatFormatMarkersTests {
    /// ChatML on the Mistral v1 tokenizer (no `<|im_end|>` token): seven text pieces, as HF
    /// tokenizers 0.23.3 splits it (`tokenizer.encode("<|im_end|>", add_special_tokens=False).tokens`).
    @Test func chatMLMarkersAreTextPiecesForMistralV1() throws {
        let tokenizer = try Fixtures.tokenizer("mistral-v1")
        #expect(tokenizer.markerPieces("<|im_end|>") == ["▁<", "|", "im", "_", "end", "|", ">"])
        let rule = TemplateTokensMissingRule(format: .chatml, tokenizer: tokenizer, tokenizerName: "mistral-v1")
        #expect(rule.markers.map(\.text) == ["<|im_start|>", "<|im_end|>"])
        #expect(rule.diagnostics.map(\.code) == [.templateTokensMissing, .templateTokensMissing])
        #expect(rule.diagnostics.last?.message.contains("splits it into 7 text pieces") == true)
    }

    @Test func chatMLMarkersAreOneTokenForTheChatMLTokenizer() throws {
        let tokenizer = try Fixtures.tokenizer("mistral-v1-chatml")
        #expect(tokenizer.markerPieces("<|im_end|>") == ["<|im_end|>"])
        #expect(TemplateTokensMissingRule(format: .chatml, tokenizer: tokenizer).diagnostics.isEmpty)
    }

    @Test(arguments: [
        ("mistral-v1", "mistral-inst", 0), ("mistral-v1", "alpaca", 0), ("mistral-v1", "chatml", 2), ("mistral-v1", "mistral-tekken", 4),
        ("mistral-v1", "llama-3", 4), ("mistral-v1", "gemma", 3), ("mistral-v1", "phi-3", 5), ("mistral-v1", "qwen", 2),
        ("tekken", "mistral-tekken", 0), ("tekken", "chatml", 2), ("mistral-v1-chatml", "qwen", 0),
    ])
    func markersMissingPerFormatAndTokenizer(tokenizerName: String, format: String, missing: Int) throws {
        let tokenizer = try Fixtures.tokenizer(tokenizerName)
        let rule = TemplateTokensMissingRule(format: try ChatFormat.named(format), tokenizer: tokenizer)
        #expect(rule.diagnostics.count == missing, "\(rule.markers)")
    }

    /// When `mistral-inst` refuses a system prompt, the advice names only formats whose markers
    /// the tokenizer has: for Mistral v1 not ChatML (the trap), only alpaca, or folding the prompt.
    @Test func systemPromptAdviceNeverNamesATrap() throws {
        let mistral = try Fixtures.tokenizer("mistral-v1")
        #expect(ChatFormat.builtInNames(rendering: "system", markersKeptBy: mistral) == ["alpaca"])
        let advice = ChatFormat.mistralInst.systemPromptAdvice(for: mistral)
        #expect(advice.contains("fold the system prompt into the first user message"))
        #expect(advice.contains("'alpaca'"))
        #expect(!advice.contains("chatml") && !advice.contains("tekken"))
        let tekken = try Fixtures.tokenizer("tekken")
        #expect(ChatFormat.builtInNames(rendering: "system", markersKeptBy: tekken) == ["mistral-tekken", "alpaca"])
        let chatml = try Fixtures.tokenizer("mistral-v1-chatml")
        #expect(ChatFormat.builtInNames(rendering: "system", markersKeptBy: chatml) == ["chatml", "alpaca", "qwen"])
        // The format-independent message names no format at all.
        let error = ChatFormatError.unsupportedRole(messageIndex: 0, role: "system", format: "mistral-inst", supportedRoles: ["user", "assistant"])
        #expect(!error.description.contains("'chatml'") && !error.description.contains("'mistral-tekken'"))
        #expect(error.description.contains("fold it into the first user message"))
    }

    @Test func markersAreFoundInAJinjaTemplate() {
        let source = """
            {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}\
            {% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}{{ bos_token }}<b>{{ x < y }}
            """
        #expect(ChatFormat.markers(inTemplate: source) == ["<|im_start|>", "<|im_end|>", "<start_of_turn>"])
        #expect(ChatFormat.markers(inTemplate: "").isEmpty)
        #expect(ChatFormat.markers(inTemplate: "<||> <|a b|> <|eot_id|>") == ["<|eot_id|>"])
    }
}
