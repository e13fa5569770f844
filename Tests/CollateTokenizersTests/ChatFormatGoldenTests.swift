import Testing
@testable import CollateTokenizers

/// Text parity of the built-in formats with `apply_chat_template` on `chat.jsonl`.
@Suite struct ChatFormatGoldenTests {
    @Test func fixturesAreComplete() {
        #expect(ChatGolden.chatCases.count == 300)
        #expect(Set(ChatGolden.templates.keys) == ["chatml", "mistral-inst", "mistral-tekken", "alpaca"])
        for name in ChatGolden.templates.keys {
            #expect(ChatFormat.builtInNames.contains(name))
        }
    }

    @Test(arguments: ChatGolden.chatCases)
    func renderedTextMatchesGolden(_ golden: ChatCase) throws {
        let format = try ChatFormat.named(golden.template)
        let rendered = try format.render(golden.messages, special: ChatSpecialTokens(bos: "<s>", eos: "</s>"))
        #expect(rendered.text == golden.expected.text)
        #expect(rendered.scalarCount == golden.expected.text.unicodeScalars.count)

        // Every message is rendered, and every assistant turn has a generation span whose text
        // is its content followed by the end-of-turn marker.
        #expect(rendered.messages.map(\.messageIndex) == Array(golden.messages.indices))
        let assistants = golden.messages.indices.filter { golden.messages[$0].role == "assistant" }
        #expect(rendered.generations.map(\.messageIndex) == assistants)
        let endOfTurn = golden.template == "chatml" ? "<|im_end|>" : "</s>"
        for span in rendered.generations {
            let content = golden.messages[span.messageIndex].content
            #expect(rendered.substring(span.contentRange).map(String.init) == content)
            #expect(rendered.substring(span.endOfTurnRange).map(String.init) == endOfTurn)
            #expect(span.range == span.contentRange.lowerBound..<span.endOfTurnRange.upperBound)
        }
        for span in rendered.messages {
            #expect(rendered.substring(span.contentRange).map(String.init) == golden.messages[span.messageIndex].content)
        }
    }
}
