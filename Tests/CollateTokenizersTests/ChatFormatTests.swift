import Testing
@testable import CollateTokenizers

/// The model-specific built-in formats, role checks and name lookup.
@Suite struct ChatFormatTests {
    struct FormatCase: Sendable, CustomTestStringConvertible {
        var format: String
        var messages: [ChatMessage]
        var text: String
        /// The text of each generation span, in order.
        var generations: [String]
        var testDescription: String { format }
    }

    static let conversation: [ChatMessage] = [.system("Be brief."), .user(" Hi \n"), .assistant("Hello!\n")]
    static let noSystem: [ChatMessage] = [.user(" Hi \n"), .assistant("Hello!\n"), .user("Bye"), .assistant(" Bye.")]

    static let formatCases: [FormatCase] = [
        FormatCase(
            format: "llama-3", messages: conversation,
            text: "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>",
            generations: ["Hello!<|eot_id|>"]),
        FormatCase(
            format: "gemma", messages: noSystem,
            text: "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
                + "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\nBye.<end_of_turn>\n",
            generations: ["Hello!<end_of_turn>", "Bye.<end_of_turn>"]),
        FormatCase(
            format: "phi-3", messages: conversation,
            text: "<|system|>\nBe brief.<|end|>\n<|user|>\n Hi \n<|end|>\n<|assistant|>\nHello!\n<|end|>\n<|endoftext|>",
            generations: ["Hello!\n<|end|>"]),
        FormatCase(
            format: "qwen", messages: conversation,
            text: "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi \n<|im_end|>\n"
                + "<|im_start|>assistant\nHello!\n<|im_end|>\n",
            generations: ["Hello!\n<|im_end|>"]),
        FormatCase(
            format: "qwen", messages: Array(conversation.dropFirst()),
            text: "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\n Hi \n<|im_end|>\n<|im_start|>assistant\nHello!\n<|im_end|>\n",
            generations: ["Hello!\n<|im_end|>"]),
        FormatCase(
            format: "chatml", messages: conversation,
            text: "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n Hi \n<|im_end|>\n"
                + "<|im_start|>assistant\nHello!\n<|im_end|>\n",
            generations: ["Hello!\n<|im_end|>"]),
        FormatCase(
            format: "mistral-inst", messages: noSystem,
            text: "<s>[INST]  Hi \n [/INST]Hello!\n</s>[INST] Bye [/INST] Bye.</s>",
            generations: ["Hello!\n</s>", " Bye.</s>"]),
        FormatCase(
            format: "mistral-tekken", messages: conversation,
            text: "<s>[SYSTEM_PROMPT]Be brief.[/SYSTEM_PROMPT][INST] Hi \n[/INST]Hello!\n</s>",
            generations: ["Hello!\n</s>"]),
        FormatCase(
            format: "alpaca", messages: conversation,
            text: "Be brief.\n\n### Instruction:\n Hi \n\n\n### Response:\nHello!\n</s>\n\n",
            generations: ["Hello!\n</s>"]),
    ]

    @Test(arguments: formatCases)
    func rendersPublishedTemplate(_ testCase: FormatCase) throws {
        let rendered = try ChatFormat.named(testCase.format).render(testCase.messages)
        #expect(rendered.text == testCase.text)
        #expect(rendered.generations.compactMap { rendered.substring($0.range).map(String.init) } == testCase.generations)
        #expect(rendered.messages.count == testCase.messages.count)
    }

    @Test func qwenWithoutDefaultSystemPromptIsChatML() throws {
        let messages = Array(Self.conversation.dropFirst())
        #expect(try ChatFormat.qwen(defaultSystemPrompt: nil).render(messages) == ChatFormat.chatml.render(messages))
    }

    @Test func spansAreUnicodeScalarOffsets() throws {
        // "e\u{301}" is one Character but two scalars; 👩‍💻 is one Character, three scalars.
        let messages: [ChatMessage] = [.user("caf\u{65}\u{301} 👩‍💻"), .assistant("d\u{e9}j\u{e0} 👩‍💻!")]
        let rendered = try ChatFormat.chatml.render(messages)
        let scalars = Array(rendered.text.unicodeScalars)
        #expect(rendered.scalarCount == scalars.count)
        let span = try #require(rendered.generations.first)
        let viaOffsets = String(String.UnicodeScalarView(scalars[span.range]))
        #expect(viaOffsets == "d\u{e9}j\u{e0} 👩‍💻!<|im_end|>")
        #expect(rendered.substring(span.range).map(String.init) == viaOffsets)
        // 22 = "<|im_start|>user\n" (17) + 5 + 1 + 3 scalars ... computed independently:
        let prefix = "<|im_start|>user\ncaf\u{65}\u{301} 👩‍💻<|im_end|>\n<|im_start|>assistant\n"
        #expect(span.range.lowerBound == prefix.unicodeScalars.count)
        #expect(rendered.stringRange(0..<(scalars.count + 1)) == nil)
        // A scalarCount that overstates the text (both are public) is a nil range, not a trap.
        var overstated = rendered
        overstated.scalarCount += 10
        #expect(overstated.stringRange(0..<(scalars.count + 5)) == nil)
        #expect(overstated.stringRange((scalars.count + 1)..<(scalars.count + 2)) == nil)
    }

    @Test func jinjaTrimRemovesPythonWhitespace() throws {
        let rendered = try ChatFormat.llama3.render([.user("\u{1C}\u{3000} x \u{85}\t"), .assistant("\u{A0}y\u{2028}")])
        #expect(rendered.text.contains("\n\nx<|eot_id|>"))
        #expect(rendered.generations.first.flatMap { rendered.substring($0.contentRange) } == "y")
    }

    // MARK: - Errors

    struct RejectCase: Sendable, CustomTestStringConvertible {
        var format: String
        var messages: [ChatMessage]
        var error: ChatFormatError
        var testDescription: String { "\(format): \(error)" }
    }

    static let rejectCases: [RejectCase] = [
        RejectCase(
            format: "mistral-inst", messages: [.user("a"), .assistant("b"), .system("c")],
            error: .unsupportedRole(messageIndex: 2, role: "system", format: "mistral-inst", supportedRoles: ["user", "assistant"])),
        RejectCase(
            format: "chatml", messages: [.user("a"), ChatMessage(role: "bot", content: "b")],
            error: .unsupportedRole(
                messageIndex: 1, role: "bot", format: "chatml", supportedRoles: ["system", "user", "assistant"])),
        RejectCase(
            format: "alpaca", messages: [ChatMessage(role: "Assistant", content: "b")],
            error: .unsupportedRole(
                messageIndex: 0, role: "Assistant", format: "alpaca", supportedRoles: ["system", "user", "assistant"])),
        RejectCase(
            format: "gemma", messages: [.system("s"), .user("a")],
            error: .unsupportedRole(messageIndex: 0, role: "system", format: "gemma", supportedRoles: ["user", "assistant"])),
        RejectCase(
            format: "gemma", messages: [.user("a"), .user("b")],
            error: .rolesMustAlternate(messageIndex: 1, role: "user", format: "gemma", expected: "assistant")),
        RejectCase(
            format: "gemma", messages: [.assistant("a")],
            error: .rolesMustAlternate(messageIndex: 0, role: "assistant", format: "gemma", expected: "user")),
    ]

    @Test(arguments: rejectCases)
    func rejectsUnsupportedConversations(_ testCase: RejectCase) throws {
        let format = try ChatFormat.named(testCase.format)
        #expect(throws: testCase.error) { try format.render(testCase.messages) }
        #expect(testCase.error.description.contains("message"))
    }

    @Test func missingSpecialTokensAreNamed() {
        #expect(throws: ChatFormatError.missingSpecialToken(format: "mistral-inst", token: "bos_token")) {
            try ChatFormat.mistralInst.render([.user("a")], special: ChatSpecialTokens(bos: nil, eos: "</s>"))
        }
        #expect(throws: ChatFormatError.missingSpecialToken(format: "alpaca", token: "eos_token")) {
            try ChatFormat.alpaca.render([.user("a")], special: ChatSpecialTokens(bos: nil, eos: nil))
        }
    }

    @Test func unknownNameListsKnownFormats() {
        #expect(throws: ChatFormatError.unknownFormat(name: "vicuna", known: ChatFormat.builtInNames)) {
            try ChatFormat.named("vicuna")
        }
        let message = ChatFormatError.unknownFormat(name: "vicuna", known: ChatFormat.builtInNames).description
        #expect(message.contains("vicuna") && message.contains("chatml") && message.contains("phi-3"))
    }

    @Test func everyBuiltInNameResolves() throws {
        for name in ChatFormat.builtInNames {
            #expect(try ChatFormat.named(name).name == name)
        }
    }

    @Test func customFormatRecordsSpans() throws {
        let vicuna = ChatFormat(name: "vicuna", supportedRoles: ["user", "assistant"]) { output, messages, special in
            for (index, message) in messages.enumerated() {
                if message.role == "user" {
                    output.appendMessage(index: index, role: message.role, prefix: "USER: ", content: message.content, suffix: " ")
                } else {
                    output.appendMessage(
                        index: index, role: message.role, prefix: "ASSISTANT: ", content: message.content,
                        endOfTurn: try ChatFormat.require(special.eos, "eos_token", in: "vicuna"), generation: true)
                }
            }
        }
        let rendered = try vicuna.render([.user("hi"), .assistant("yo")])
        #expect(rendered.text == "USER: hi ASSISTANT: yo</s>")
        #expect(rendered.generations.map(\.range) == [20..<26])
    }
}
