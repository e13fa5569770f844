import Collate
import Testing
@testable import CollateTokenizers

/// A template whose generation prompt is empty and which writes no end-of-turn marker after an
/// assistant turn cannot be delimited by the masking rule: found by ``ChatTemplate/undelimitedTurn()``,
/// reported as `template-turn-undelimited`. Before, Collate trained such a template's role header
/// silently (`assistant: Hello`) and no stop token.
@Suite struct ChatTemplateDelimitationTests {
    /// `role: content` lines, no generation prompt, no marker: the header is trained.
    static let plain = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"

    @Test func aTemplateWithoutPromptOrMarkerTrainsItsHeader() throws {
        let template = ChatTemplate(source: Self.plain, name: "plain.jinja")
        let rendered = try template.render(ChatConversation([.user("Hi"), .assistant("Hello")]))
        // What the rule does with it (unchanged): the whole line, header included, no marker.
        #expect(rendered.generations.compactMap { rendered.substring($0.range) } == ["assistant: Hello"])
        let turn = try #require(template.undelimitedTurn())
        #expect(turn == UndelimitedChatTurn(template: "plain.jinja", content: "Hello", trainedText: "assistant: Hello"))
        #expect(turn.trainsHeader)
    }

    /// The header written with the user's turn (`User: Hi\nBot:`): the content alone is trained,
    /// but still no stop token — reported, without the header.
    @Test func aHeaderInThePromptStillHasNoStopMarker() throws {
        let source = "{% for m in messages %}{% if m.role == 'user' %}User: {{ m.content }}\nBot:{% else %} {{ m.content }}\n{% endif %}{% endfor %}"
        let turn = try #require(ChatTemplate(source: source, name: "t").undelimitedTurn())
        #expect(turn.trainedText == " Hello")
        #expect(!turn.trainsHeader)
        let message = try #require(TemplateTurnUndelimitedRule(template: "t", content: turn.content, trainedText: turn.trainedText)
            .diagnostics.first?.message)
        #expect(message.contains("no stop token, so the model never learns to stop"))
        #expect(!message.contains("role header"))
    }

    /// A template that needs a system message is probed with one.
    @Test func aTemplateRequiringASystemPromptIsProbedWithOne() throws {
        let source = "{% if messages[0].role != 'system' %}{{ raise_exception('system first') }}{% endif %}" + Self.plain
        let turn = try #require(ChatTemplate(source: source, name: "t").undelimitedTurn())
        #expect(turn.trainedText == "assistant: Hello")
    }

    @Test(arguments: [
        // A generation prompt: the header is the prompt's, the rule starts after it.
        "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}",
        // An end-of-turn marker (the tokenizer's EOS) after each assistant turn.
        "{% for m in messages %}{{ m.role }}: {{ m.content }}{% if m.role == 'assistant' %}{{ eos_token }}{% endif %}\n{% endfor %}",
        // A known marker written literally.
        "{% for m in messages %}{{ m.role }}: {{ m.content }}<|im_end|>\n{% endfor %}",
        // {% generation %} blocks: HF's spans, exactly.
        "{% for m in messages %}{{ m.role }}: {% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}\n{% endfor %}",
        // Renders none of the probes: nothing can be said.
        "{{ raise_exception('never') }}",
    ])
    func delimitableTemplatesAreNotReported(_ source: String) {
        let template = ChatTemplate(source: source, name: "t", specialTokens: ["eos_token": "</s>"])
        #expect(template.undelimitedTurn() == nil)
    }

    /// The same template with the tokenizer's EOS filled in (`filling`) is delimited; without an
    /// EOS anywhere, `{{ eos_token }}` renders nothing and it is not.
    @Test func theEOSTheTokenizerFillsInCounts() {
        let source = "{% for m in messages %}{{ m.role }}: {{ m.content }}{% if m.role == 'assistant' %}{{ eos_token }}{% endif %}\n{% endfor %}"
        let template = ChatTemplate(source: source, name: "t")
        #expect(template.undelimitedTurn()?.trainedText == "assistant: Hello")
        #expect(template.filling(ChatSpecialTokens(bos: "<s>", eos: "</s>")).undelimitedTurn() == nil)
    }

    /// The validator's rule built from a chat format: a built-in format is never reported.
    @Test func theRuleComesFromTheChatFormat() throws {
        #expect(try TemplateTurnUndelimitedRuleProbe.diagnostics(ChatFormat.named("chatml")).isEmpty)
        let diagnostics = TemplateTurnUndelimitedRuleProbe.diagnostics(ChatFormat(template: ChatTemplate(source: Self.plain, name: "plain.jinja")))
        #expect(diagnostics.map(\.code) == [.templateTurnUndelimited])
        #expect(diagnostics.first?.severity == .warning)
        let message = try #require(diagnostics.first?.message)
        #expect(message.contains("plain.jinja"))
        #expect(message.contains(#""assistant: Hello""#))
        #expect(message.contains("Fix:"))
    }
}

/// The rule as the CLI builds it (CollateData's `TemplateTurnUndelimitedRule(chatFormat:tokenizer:)`
/// is not visible from this test target, so the same two steps are taken here).
enum TemplateTurnUndelimitedRuleProbe {
    static func diagnostics(_ format: ChatFormat) -> [Diagnostic] {
        guard let turn = format.template?.undelimitedTurn() else { return [] }
        return TemplateTurnUndelimitedRule(template: turn.template, content: turn.content, trainedText: turn.trainedText).diagnostics
    }
}

/// `checkSyntax()`: the default variant's syntax error up front; an unused broken variant is not
/// an error (transformers compiles only the template it renders).
@Suite struct ChatTemplateSyntaxCheckTests {
    @Test func theDefaultVariantsSyntaxErrorIsReported() {
        let template = ChatTemplate(source: "{% for m in messages %}\n{{ m.content }\n{% endfor %}", name: "bad.jinja")
        #expect(throws: ChatTemplateError.self) { try template.checkSyntax() }
        do {
            try template.checkSyntax()
        } catch {
            #expect(error.description.contains("bad.jinja"))
            #expect(error.description.contains("line 2"))
        }
    }

    @Test func anUnusedBrokenVariantIsNoError() throws {
        let template = ChatTemplate(sources: ["default": "{{ messages[0].content }}", "rag": "{% if %}"], name: "config")
        try template.checkSyntax()
        #expect(try template.render(ChatConversation([.user("Hi")])).text == "Hi")
    }
}

/// A line's `chat_template` key is transformers' `apply_chat_template(chat_template=...)`: a
/// variant's name picks it (Command-R's `rag`), any other string is the template itself; it was
/// passed to the template as a variable and `default` rendered. Checked against transformers 5.23:
/// `{"default": "D…", "rag": "R…"}` renders `Dhi`, `Rhi1` with `chat_template="rag"` and one
/// document, `Xhi` with `chat_template="X{{ messages[0].content }}"`.
@Suite struct ChatTemplateNamedVariantTests {
    static let template = ChatTemplate(
        sources: ["default": "D{{ messages[0].content }}", "rag": "R{{ messages[0].content }}{{ documents | length }}"], name: "config")

    static func line(_ extra: String) throws -> ChatConversation {
        guard case .object(let object) = try JSONParser.parse(#"{"messages": [{"role": "user", "content": "hi"}]"# + extra + "}") else {
            throw ChatTemplateError.noTemplate(path: "test")
        }
        return try ChatConversation(line: object)
    }

    @Test func aVariantIsPickedByName() throws {
        #expect(try Self.template.render(Self.line("")).text == "Dhi")
        #expect(try Self.template.render(Self.line(#", "chat_template": "rag", "documents": [{"text": "a"}]"#)).text == "Rhi1")
        #expect(try Self.template.render(Self.line(#", "chat_template": "X{{ messages[0].content }}""#)).text == "Xhi")
    }

    @Test func aBrokenLineTemplateIsTheLinesError() throws {
        #expect(throws: ChatTemplateError.self) { try Self.template.render(Self.line(#", "chat_template": "{% if %}""#)) }
    }
}
