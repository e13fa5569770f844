import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Loading a template from the places transformers reads it, errors that name the template,
/// and the assistant spans of the hard cases.
@Suite struct ChatTemplateTests {
    static func spanTexts(_ template: String, _ conversation: String) throws -> [String] {
        let chatTemplate = try #require(ChatTemplateGoldens.chatTemplate(template))
        let rendered = try chatTemplate.render(try #require(ChatTemplateGoldens.data.conversations[conversation]).conversation)
        return rendered.generations.compactMap { rendered.substring($0.range).map(String.init) }
    }

    // MARK: - Hard cases of the span rule

    /// Qwen3 strips the reasoning of turns before the last user query: the earlier turn trains
    /// its bare answer, the last trains its reasoning block; tool calls are trained.
    @Test func qwen3ReasoningAndToolCalls() throws {
        #expect(try Self.spanTexts("qwen3", "reasoning-multi-turn") == [
            "Paris.<|im_end|>", "<think>\nItaly's capital is Rome.\n</think>\n\nRome.<|im_end|>",
        ])
        #expect(try Self.spanTexts("qwen3", "reasoning-with-tools") == [
            "<think>\nI should call the weather tool.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>",
            "<think>\nThe tool said 21.\n</think>\n\nIt is 21 degrees in Paris.<|im_end|>",
        ])
    }

    /// Llama 3.1's date header and tool block stay in the prompt; the tool call is trained as
    /// the JSON Llama emits.
    @Test func llama31ToolCall() throws {
        #expect(try Self.spanTexts("llama3_1", "tools-one-call") == [
            "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<|eot_id|>",
            "It is 21 degrees and clear in Paris.<|eot_id|>",
        ])
        let rendered = try #require(ChatTemplateGoldens.chatTemplate("llama3_1"))
            .render(try #require(ChatTemplateGoldens.data.conversations["system-single-turn"]).conversation)
        #expect(rendered.text.contains("Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024"))
    }

    /// Gemma 3 folds the system prompt into the first user turn; only model turns are trained.
    @Test func gemma3SystemFolding() throws {
        #expect(try Self.spanTexts("gemma3", "system-multi-turn") == [
            "The capital of France is Paris.<end_of_turn>", "Rome.<end_of_turn>", "Madrid is the capital of Spain.<end_of_turn>",
        ])
    }

    /// GPT-OSS: the generation prompt is `<|start|>assistant`, so the model generates the
    /// recipient and channel of a tool call, and both channels of its final turn (the second
    /// channel's `<|start|>assistant` included: the model writes it).
    @Test func gptOssChannels() throws {
        #expect(try Self.spanTexts("gptoss", "reasoning-with-tools") == [
            " to=functions.get_weather<|channel|>commentary json<|message|>{\"city\": \"Paris\"}<|call|>",
            "<|channel|>analysis<|message|>The tool said 21.<|end|><|start|>assistant<|channel|>final<|message|>It is 21 degrees in Paris.<|return|>",
        ])
    }

    /// Gemma 4 writes tool results inside the model turn by reading the tool messages by index:
    /// they are cut out of the span; the tool call, closed by `<|tool_response>`, is trained.
    @Test(arguments: ["gemma4", "gemma4_v2", "gemma4_v3", "gemma4_v4", "gemma4_v5", "diffusion_gemma"])
    func gemma4ToolResultsAreNotTrained(_ template: String) throws {
        for conversation in ["tools-one-call", "tools-parallel-calls", "tools-multi-step", "tools-call-with-text"] {
            let spans = try Self.spanTexts(template, conversation)
            #expect(!spans.isEmpty)
            #expect(spans.allSatisfy { !$0.contains("<tool_response|>") && !$0.contains("temperature") }, "\(conversation): \(spans)")
            #expect(spans.contains { $0.contains("<|tool_call>call:get_weather") }, "\(conversation): \(spans)")
        }
    }

    /// A template that walks `messages` by index (no provenance) gets the same spans from
    /// prefix renderings as the same template written with `for message in messages`.
    @Test func indexLoopTemplateGetsTheSameSpans() throws {
        let body = "{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}"
        let prompt = "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"
        let byItem = ChatTemplate(source: "{%- for m in messages %}" + body + "{%- endfor %}" + prompt, name: "item.jinja")
        let byIndex = ChatTemplate(
            source: "{%- for i in range(messages|length) %}{%- set m = messages[i] %}" + body + "{%- endfor %}" + prompt,
            name: "index.jinja")
        for id in ["system-multi-turn", "multi-turn-prompt-generation", "empty-assistant", "unicode-and-whitespace"] {
            let conversation = try #require(ChatTemplateGoldens.data.conversations[id]).conversation
            let expected = try byItem.render(conversation)
            let rendered = try byIndex.render(conversation)
            #expect(rendered.text == expected.text)
            #expect(rendered.generations == expected.generations, "\(id)")
            #expect(rendered.messages.isEmpty)
        }
    }

    /// A template that renders earlier turns differently once later ones exist (here a tool list
    /// moved before the last user turn, as Mistral's templates do): the generation prompt alone
    /// is skipped at the start of each assistant turn.
    @Test func movingPreambleStillSkipsTheHeader() throws {
        let body = "{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}"
        let prompt = "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"
        let plain = ChatTemplate(source: "{%- for m in messages %}" + body + "{%- endfor %}" + prompt, name: "plain.jinja")
        let moving = ChatTemplate(
            source: "{%- set ns = namespace(last=-1) %}{%- for m in messages %}{%- if m.role == 'user' %}"
                + "{%- set ns.last = loop.index0 %}{%- endif %}{%- endfor %}{%- for m in messages %}"
                + "{%- if loop.index0 == ns.last %}{{ '[TOOLS]' }}{%- endif %}" + body + "{%- endfor %}" + prompt,
            name: "moving.jinja")
        let conversation = try #require(ChatTemplateGoldens.data.conversations["system-multi-turn"]).conversation
        let expected = try plain.render(conversation)
        let rendered = try moving.render(conversation)
        let texts = rendered.generations.compactMap { rendered.substring($0.range).map(String.init) }
        #expect(texts == expected.generations.compactMap { expected.substring($0.range).map(String.init) })
        #expect(texts == ["The capital of France is Paris.<|im_end|>", "Rome.<|im_end|>", "Madrid is the capital of Spain.<|im_end|>"])
    }

    /// A line's `documents` reach the template (transformers' `documents=`); without them it is `none`.
    @Test func documentsArePassed() throws {
        let template = ChatTemplate(source: "{% if documents is none %}none{% else %}{{ documents[0].title }}{% endif %}",
                                    name: "rag.jinja")
        #expect(try template.render(Self.user).text == "none")
        guard case .object(let line) = try JSONParser.parse(#"""
            {"messages": [{"role": "user", "content": "hi"}], "documents": [{"title": "Doc A", "text": "..."}]}
            """#) else { Issue.record("not an object"); return }
        #expect(try template.render(ChatConversation(line: line)).text == "Doc A")
    }

    @Test func endOfTurnMarkerIsSplitOff() throws {
        let template = try #require(ChatTemplateGoldens.chatTemplate("qwen2_5"))
        let rendered = try template.render(try #require(ChatTemplateGoldens.data.conversations["single-turn"]).conversation)
        let span = try #require(rendered.generations.first)
        #expect(rendered.substring(span.contentRange) == "The capital of France is Paris.")
        #expect(rendered.substring(span.endOfTurnRange) == "<|im_end|>")
        let masking = AssistantMasking(includeEndOfTurn: false)
        #expect(masking.trainedSpans(in: rendered) == [span.contentRange])
    }

    // MARK: - Loading

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, _ name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static let user = ChatConversation([.user("hi")])
    static let withTools = ChatConversation([.user("hi")], tools: [])

    @Test func loadsJinjaFileWithConfigBesideIt() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try Self.write("{{ bos_token }}{{ messages[0].content }}{{ eos_token }}{{ pad_token }}", "t.jinja", in: folder)
        _ = try Self.write(#"""
            {"bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false}, "eos_token": "</s>", "pad_token": null,
             "add_bos_token": true, "extra_special_tokens": {"image_token": "<img>"}}
            """#, "tokenizer_config.json", in: folder)
        let template = try ChatTemplate.load(from: file)
        #expect(template.specialTokens == ["bos_token": "<s>", "eos_token": "</s>", "image_token": "<img>"])
        // pad_token is null: undefined in the template, which prints nothing.
        #expect(try template.render(Self.user).text == "<s>hi</s>")
    }

    @Test func configStringAndNamedList() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let string = try Self.write(#"{"chat_template": "A{{ messages[0].content }}"}"#, "a.json", in: folder)
        #expect(try ChatTemplate.load(from: string).render(Self.user).text == "Ahi")
        let list = try Self.write(#"""
            {"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}, {"name": "rag", "template": "R"}]}
            """#, "b.json", in: folder)
        let template = try ChatTemplate.load(from: list)
        #expect(try template.render(Self.user).text == "D")
        #expect(try template.render(Self.withTools).text == "T")
        let noDefault = try Self.write(#"{"chat_template": [{"name": "rag", "template": "R"}, {"name": "x", "template": "X"}]}"#,
                                       "c.json", in: folder)
        #expect(throws: ChatTemplateError.noDefaultTemplate(template: noDefault.path, names: ["rag", "x"])) {
            try ChatTemplate.load(from: noDefault).render(Self.user)
        }
    }

    /// transformers 5: `chat_template.jinja` and `additional_chat_templates/*.jinja` win over the
    /// config's `chat_template`.
    @Test func folderFilesWinOverConfig() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.write(#"{"chat_template": "CONFIG", "eos_token": "</s>"}"#, "tokenizer_config.json", in: folder)
        #expect(try ChatTemplate.load(from: folder).render(Self.user).text == "CONFIG")
        _ = try Self.write("FILE{{ eos_token }}", "chat_template.jinja", in: folder)
        #expect(try ChatTemplate.load(from: folder).render(Self.user).text == "FILE</s>")
        _ = try Self.write("TOOLS", "additional_chat_templates/tool_use.jinja", in: folder)
        let template = try ChatTemplate.load(from: folder)
        #expect(Set(template.sources.keys) == ["default", "tool_use"])
        #expect(try template.render(Self.withTools).text == "TOOLS")
        #expect(try template.render(Self.user).text == "FILE</s>")
    }

    @Test func loadingErrorsNameThePath() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nope.jinja")
        #expect(throws: ChatTemplateError.notFound(path: missing.path)) { try ChatTemplate.load(from: missing) }
        #expect(throws: ChatTemplateError.noTemplate(path: folder.path)) { try ChatTemplate.load(from: folder) }
        let config = try Self.write(#"{"chat_template": 3}"#, "tokenizer_config.json", in: folder)
        #expect(throws: ChatTemplateError.malformed(path: config.path, field: "chat_template",
                                                    reason: "expected a string or a list of {\"name\", \"template\"}, got 3")) {
            try ChatTemplate.load(from: folder)
        }
        let bad = try Self.write(#"{"chat_template": "x", "eos_token": {"id": 2}}"#, "bad.json", in: folder)
        #expect(throws: ChatTemplateError.self) { try ChatTemplate.load(from: bad) }
        let noTemplate = try Self.write(#"{"eos_token": "</s>"}"#, "none.json", in: folder)
        #expect(throws: ChatTemplateError.noTemplate(path: noTemplate.path)) { try ChatTemplate.load(from: noTemplate) }
    }

    /// A template's own error and a syntax error name the template and its line; nothing renders.
    @Test func renderErrorsNameTemplateAndLine() throws {
        let raising = ChatTemplate(source: "ok\n{% if messages|length > 0 %}{{ raise_exception('no users allowed') }}{% endif %}",
                                   name: "model/chat_template.jinja")
        do {
            _ = try raising.render(Self.user)
            Issue.record("rendered")
        } catch {
            #expect(error.description.contains("model/chat_template.jinja"))
            #expect(error.description.contains("line 2"))
            #expect(error.description.contains("no users allowed"))
        }
        let broken = ChatTemplate(source: "{% for m in messages %}", name: "broken.jinja")
        #expect(throws: ChatTemplateError.self) { try broken.render(Self.user) }
    }

    /// A ChatFormat made from a template renders rich messages wherever a format is taken.
    @Test func chatFormatFromTemplate() throws {
        let template = try #require(ChatTemplateGoldens.chatTemplate("qwen2_5"))
        let conversation = try #require(ChatTemplateGoldens.data.conversations["tools-call-with-text"]).conversation
        let format = ChatFormat(template: template)
        var noTools = conversation
        noTools.tools = nil
        #expect(try format.render(conversation.messages).text == template.render(noTools).text)
        #expect(format.name == "qwen2_5.jinja")
    }
}
