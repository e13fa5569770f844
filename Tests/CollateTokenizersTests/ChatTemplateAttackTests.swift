import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Model templates the other goldens do not hold, written from their published text (Mistral v7
/// tekken, Command-R's named `default`/`tool_use` list, Llama 3.3, QwQ, Qwen2-VL, Granite 3,
/// SmolLM3, Phi-4, Phi-4-mini, Gemma 3n, GLM-4, Hermes tool use) and six TRL 1.16 templates, on
/// conversations built to break them. `Tests/Fixtures/chat-templates-attack/goldens.jsonl` is
/// transformers 5.23's `apply_chat_template(..., tokenize=False)` (jinja2 3.1.6), written by
/// `Tests/Fixtures/scripts/make_chat_template_attack_goldens.py`.
@Suite struct ChatTemplateAttackTests {
    @Test func loadsEveryLine() throws {
        let data = try AttackGoldens.load()
        #expect(data.templates.count == 18)
        #expect(data.conversations.count == 28)
        #expect(data.cases.count == 18 * 28)
    }

    /// Every case: the same text, byte for byte, or an error where transformers raised; the
    /// `{% generation %}` spans where the template has them (SmolLM3).
    @Test(arguments: AttackGoldens.cases)
    func rendersAsTransformers(_ golden: AttackGoldens.Case) throws {
        let template = try #require(AttackGoldens.template(golden.template))
        let conversation = try #require(AttackGoldens.data.conversations[golden.conversation])
        if let expected = golden.text {
            let rendered = try template.render(conversation)
            #expect(rendered.text == expected)
            #expect(rendered.scalarCount == expected.unicodeScalars.count)
            if let spans = golden.generation {
                #expect(rendered.generations.map(\.range) == spans)
            }
        } else {
            #expect {
                try template.render(conversation)
            } throws: { error in
                guard let error = error as? ChatTemplateError, case .renderFailed = error else { return false }
                return error.description.contains(template.name)
            }
        }
    }

    /// The masking rule on every rendered case of a template without generation tags, stated per
    /// template: each assistant turn's trained text ends with the template's end-of-turn marker
    /// (where it writes one), never starts with the generation prompt (the header is not
    /// trained), never holds another message's content, and spans do not overlap.
    @Test(arguments: AttackGoldens.cases.filter { $0.text != nil && AttackGoldens.rules[$0.template] != nil })
    func masksFollowTheRule(_ golden: AttackGoldens.Case) throws {
        let rule = try #require(AttackGoldens.rules[golden.template])
        let template = try #require(AttackGoldens.template(golden.template))
        let conversation = try #require(AttackGoldens.data.conversations[golden.conversation])
        let rendered = try template.render(conversation)
        for span in rendered.generations {
            let trained = String(try #require(rendered.substring(span.range)))
            if let marker = rule.marker, rule.markerEveryTurn {
                #expect(trained.hasSuffix(marker), "\(trained.debugDescription) does not end with \(marker)")
            }
            #expect(!trained.hasPrefix(rule.prompt), "the header is trained: \(trained.debugDescription)")
            if let tail = rule.headerTail { #expect(!trained.hasPrefix(tail), "the header's end is trained: \(trained.debugDescription)") }
        }
        try AttackGoldens.expectTurnsTrainTheirOwnContent(rendered, conversation)
    }

    /// The mask reference: for the templates with a generation-tagged copy written by the rule
    /// (`templates/NAME_training.jinja`), Collate given the ORIGINAL produces the spans HF's
    /// AssistantTracker records for the copy (transformers 5.23, `return_assistant_tokens_mask`).
    @Test(arguments: AttackGoldens.cases.filter { $0.trainingGeneration != nil })
    func rulesSpansEqualTheTaggedCopy(_ golden: AttackGoldens.Case) throws {
        let template = try #require(AttackGoldens.template(golden.template))
        let rendered = try template.render(try #require(AttackGoldens.data.conversations[golden.conversation]))
        let expected = try #require(golden.trainingGeneration)
        #expect(rendered.generations.map(\.range) == expected,
                "\(rendered.generations.compactMap { rendered.substring($0.range) }) vs \(expected.compactMap { rendered.substring($0) })")
    }

    @Test func everyTaggedCopyIsCompared() {
        let tagged = Set(AttackGoldens.cases.filter { $0.trainingGeneration != nil }.map(\.template))
        #expect(tagged == ["mistral_v7_tekken", "llama3_3", "granite3", "phi4", "gemma3n"])
    }

    /// Exact spans where they can be stated by hand: the trained text of each assistant turn.
    @Test(arguments: [
        ("phi4", "sys-three-turns", ["Berne est la ville fédérale de la Suisse.<|im_end|>", "東京です。🗼<|im_end|>", "You're welcome — تم ✅<|im_end|>"]),
        ("mistral_v7_tekken", "tool-call-and-result", [#"[TOOL_CALLS]get_weather[ARGS]{"city": "Zürich", "days": 2}</s>"#, "14 °C then 17 °C, cloudy.</s>"]),
        ("llama3_3", "no-system-two-turns", ["Berne est la ville fédérale de la Suisse.<|eot_id|>", "東京です。🗼<|eot_id|>"]),
        ("gemma3n", "unicode-edges", ["Both are 'é'. 🇨🇭<end_of_turn>"]),
        // The generation prompt is `<|im_start|>assistant\n<think>\n`: the last turn's `<think>\n` is the
        // prompt's, not trained; the earlier turn, stripped of its reasoning, starts at its content.
        ("qwq", "reasoning-inline-think", ["Berne.<|im_end|>", "Tokyo.\n</think>\n\n東京。<|im_end|>"]),
        ("granite3", "tool-call-and-result", ["<|tool_call|>[\n    {\n        \"name\": \"get_weather\",\n        \"arguments\": {\n            \"city\": \"Zürich\",\n            \"days\": 2\n        }\n    }\n]<|end_of_text|>", "14 °C then 17 °C, cloudy.<|end_of_text|>"]),
        // Command-R's tool_use writes an instruction turn after the last message, so the prompt
        // departs from the full text at `<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>` — one marker
        // into the assistant header `<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>`. The header was
        // trained from `<|CHATBOT_TOKEN|>` on (fixed: the generation prompt is skipped alone).
        ("command_r", "tool-call-and-result", ["\nAction:\n```json\n[\n    {\n        \"tool_name\": \"get_weather\",\n        \"parameters\": {\n            \"city\": \"Zürich\",\n            \"days\": 2\n        }\n    }\n]```", "14 °C then 17 °C, cloudy.<|END_OF_TURN_TOKEN|>"]),
        // The prompt `<|im_start|>assistant\n` holds the newline the tool-call turn starts with.
        ("hermes", "tool-call-and-result", ["<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}\n</tool_call><|im_end|>", "14 °C then 17 °C, cloudy.<|im_end|>"]),
    ] as [(String, String, [String])])
    func exactSpans(_ template: String, _ conversation: String, _ expected: [String]) throws {
        let chatTemplate = try #require(AttackGoldens.template(template))
        let rendered = try chatTemplate.render(try #require(AttackGoldens.data.conversations[conversation]))
        #expect(rendered.generations.compactMap { rendered.substring($0.range).map(String.init) } == expected)
    }
}

/// `Tests/Fixtures/chat-templates-attack/goldens.jsonl`, loaded once.
enum AttackGoldens {
    struct Case: Sendable, CustomTestStringConvertible {
        var template: String
        var conversation: String
        var text: String?
        var error: String?
        var generation: [Range<Int>]?
        /// HF's spans for the template's generation-tagged copy (`NAME_training.jinja`).
        var trainingGeneration: [Range<Int>]?
        var testDescription: String { "\(template) / \(conversation)" }
    }

    struct Data: Sendable {
        var conversations: [String: ChatConversation] = [:]
        var templates: [String: ChatTemplate] = [:]
        var cases: [Case] = []
    }

    /// What the masking rule must give a template: its generation prompt (never trained) and its
    /// end-of-turn marker (trained last), when every assistant turn ends with one.
    struct Rule: Sendable {
        var prompt: String
        var marker: String?
        var markerEveryTurn = true
        /// The generation prompt's last marker, which a turn must not start with either.
        var headerTail: String?
    }

    static let rules: [String: Rule] = [
        "mistral_v7_tekken": Rule(prompt: "[/INST]", marker: "</s>"),
        "command_r": Rule(prompt: "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>", marker: "<|END_OF_TURN_TOKEN|>", markerEveryTurn: false,
                          headerTail: "<|CHATBOT_TOKEN|>"),
        "llama3_3": Rule(prompt: "<|start_header_id|>assistant<|end_header_id|>\n\n", marker: "<|eot_id|>", headerTail: "<|end_header_id|>"),
        "qwq": Rule(prompt: "<|im_start|>assistant\n", marker: "<|im_end|>"),
        "qwen2_vl": Rule(prompt: "<|im_start|>assistant\n", marker: "<|im_end|>"),
        "granite3": Rule(prompt: "<|start_of_role|>assistant<|end_of_role|>", marker: "<|end_of_text|>", headerTail: "<|end_of_role|>"),
        "phi4": Rule(prompt: "<|im_start|>assistant<|im_sep|>", marker: "<|im_end|>", headerTail: "<|im_sep|>"),
        "phi4_mini": Rule(prompt: "<|assistant|>", marker: "<|end|>"),
        "gemma3n": Rule(prompt: "<start_of_turn>model\n", marker: "<end_of_turn>"),
        "glm4": Rule(prompt: "<|assistant|>", marker: nil),
        "hermes": Rule(prompt: "<|im_start|>assistant", marker: "<|im_end|>"),
        "trl_qwen2_5": Rule(prompt: "<|im_start|>assistant\n", marker: "<|im_end|>"),
        "trl_qwen2_5_vl": Rule(prompt: "<|im_start|>assistant\n", marker: "<|im_end|>"),
        "trl_llama3_2": Rule(prompt: "<|start_header_id|>assistant<|end_header_id|>\n\n", marker: "<|eot_id|>", headerTail: "<|end_header_id|>"),
        "trl_gptoss": Rule(prompt: "<|start|>assistant", marker: nil),
        "trl_glm4moe": Rule(prompt: "<|assistant|>", marker: nil),
        "trl_cohere2": Rule(prompt: "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>", marker: "<|END_OF_TURN_TOKEN|>", headerTail: "<|CHATBOT_TOKEN|>"),
    ]

    static let folder = Fixtures.root.appendingPathComponent("chat-templates-attack")

    /// The date `strftime_now` returns in the goldens (2026-01-15T09:30:00, local time).
    static let now: Date = {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (2026, 1, 15, 9, 30)
        return Calendar.current.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }()

    static let data: Data = (try? load()) ?? Data()
    static var cases: [Case] { data.cases }

    static func template(_ name: String) -> ChatTemplate? { data.templates[name] }

    /// The rule's checks that hold for any template: spans do not overlap, each belongs to an
    /// assistant message and holds no other message's content, and each plain assistant content
    /// the template writes as it is lies inside that message's trained spans.
    static func expectTurnsTrainTheirOwnContent(_ rendered: RenderedChat, _ conversation: ChatConversation) throws {
        var previousEnd = 0
        for span in rendered.generations {
            #expect(span.range.lowerBound >= previousEnd, "spans overlap")
            previousEnd = span.range.upperBound
            #expect(conversation.messages[span.messageIndex].role == "assistant")
            let trained = String(try #require(rendered.substring(span.range)))
            for (index, message) in conversation.messages.enumerated() where index != span.messageIndex && message.role != "assistant" {
                let content = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
                if content.count >= 8 { #expect(!trained.contains(content), "message \(index)'s content is trained: \(trained.debugDescription)") }
            }
        }
        for (index, message) in conversation.messages.enumerated() where message.role == "assistant" {
            guard case .string(let content)? = message.fields["content"], content.count >= 4,
                  content == content.trimmingCharacters(in: .whitespacesAndNewlines), rendered.text.contains(content),
                  !content.contains("</think>") else { continue }
            let trained = rendered.generations.filter { $0.messageIndex == index }.compactMap { rendered.substring($0.range) }.joined()
            #expect(trained.contains(content), "message \(index) (\(content.debugDescription)) trains \(trained.debugDescription)")
        }
    }

    /// Reads a goldens file in this format: the attack fixture's by default, also the real
    /// templates' (`RealGoldens`). A template given as a `tokenizer_config.json` is loaded as a
    /// user's would be.
    static func load(_ file: URL = folder.appendingPathComponent("goldens.jsonl")) throws -> Data {
        let text = try String(contentsOf: file, encoding: .utf8)
        var data = Data()
        for line in text.split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(line)) else { continue }
            switch object["kind"] {
            case .string("conversation")?:
                guard case .string(let id)? = object["id"], case .array(let items)? = object["messages"] else { continue }
                var lineObject = JSONObject([("messages", .array(items))])
                if let tools = object["tools"] { lineObject["tools"] = tools }
                if case .object(let kwargs)? = object["kwargs"] {
                    for member in kwargs.members { lineObject[member.key] = member.value }
                }
                data.conversations[id] = try ChatConversation(line: lineObject)
            case .string("template")?:
                guard case .string(let name)? = object["name"], case .string(let path)? = object["path"],
                      case .object(let special)? = object["special_tokens"] else { continue }
                let url = Fixtures.root.appendingPathComponent(path)
                var template: ChatTemplate
                if url.pathExtension == "json" {
                    // A tokenizer_config.json with a named list: loaded as a user's would be.
                    template = try ChatTemplate.load(from: url)
                } else {
                    var tokens: [String: String] = [:]
                    for member in special.members { if case .string(let value) = member.value { tokens[member.key] = value } }
                    template = ChatTemplate(source: try String(contentsOf: url, encoding: .utf8), name: url.lastPathComponent, specialTokens: tokens)
                }
                template.now = now
                data.templates[name] = template
            case .string("case")?:
                guard case .string(let template)? = object["template"], case .string(let conversation)? = object["conversation"]
                else { continue }
                var golden = Case(template: template, conversation: conversation)
                if case .string(let text)? = object["text"] { golden.text = text }
                if case .string(let error)? = object["error"] { golden.error = error }
                func ranges(_ value: JSONValue?) -> [Range<Int>]? {
                    guard case .array(let spans)? = value else { return nil }
                    return spans.compactMap { span -> Range<Int>? in
                        guard case .array(let pair) = span, pair.count == 2, case .integer(let start) = pair[0],
                              case .integer(let end) = pair[1] else { return nil }
                        return Int(start)..<Int(end)
                    }
                }
                golden.generation = ranges(object["generation"])
                golden.trainingGeneration = ranges(object["training_generation"])
                data.cases.append(golden)
            default:
                continue
            }
        }
        return data
    }
}
