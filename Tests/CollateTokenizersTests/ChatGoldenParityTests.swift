import Testing
@testable import CollateTokenizers

/// Id and mask parity with `apply_chat_template(..., return_assistant_tokens_mask=True)` on
/// `chat.jsonl`, tokenizing with the real tokenizers of `Tests/Fixtures/tokenizers`.
@Suite struct ChatGoldenParityTests {
    @Test(arguments: ChatGolden.chatCases)
    func idsAndAssistantMasksMatchGolden(_ golden: ChatCase) throws {
        let tokenizer = try Fixtures.tokenizer(golden.tokenizer)
        let chat = try ChatFormat.named(golden.template).tokenize(golden.messages, with: tokenizer)
        #expect(chat.text == golden.expected.text)
        #expect(chat.inputIDs == golden.expected.inputIDs)
        #expect(chat.assistantMasks == golden.expected.assistantMasks)
        #expect(chat.labels == MaskedConversation(
            inputIDs: golden.expected.inputIDs, assistantMasks: golden.expected.assistantMasks).labels)
    }

    @Test func tokenizerSuppliesBosAndEos() throws {
        for name in ["mistral-v1", "tekken"] {
            let special = ChatSpecialTokens(try Fixtures.tokenizer(name))
            #expect(special == ChatSpecialTokens(bos: "<s>", eos: "</s>"), "\(name)")
        }
    }
}
