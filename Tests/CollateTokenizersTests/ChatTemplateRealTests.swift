import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Published chat templates the other fixtures do not hold (Kimi K2, DeepSeek-V3.1, GLM-4.6,
/// Seed-OSS, MiniMax, Nemotron, Qwen3-Coder, Llama 4, Hunyuan, OLMo 3, Mistral Small 3.1, MiniCPM3,
/// ...; provenance in `Tests/Fixtures/chat-templates-real/README.md`), on the attack conversations
/// plus twenty-one more. `Tests/Fixtures/chat-templates-real/goldens.jsonl` is transformers 5.23's
/// `apply_chat_template(..., tokenize=False)` (jinja2 3.1.6), written by
/// `Tests/Fixtures/scripts/make_real_template_goldens.py`.
@Suite struct ChatTemplateRealTests {
    @Test func loadsEveryLine() throws {
        let data = try RealGoldens.load()
        #expect(data.templates.count == RealGoldens.templateCount)
        #expect(data.conversations.count == RealGoldens.conversationCount)
        #expect(data.cases.count == RealGoldens.templateCount * RealGoldens.conversationCount)
    }

    @Test func generationTaggedTemplateIsCompared() {
        #expect(Set(RealGoldens.cases.filter { $0.generation != nil }.map(\.template)) == ["lfm2_5_8b"])
    }

    /// Every case: the same text, byte for byte (and HF's spans where the template has
    /// `{% generation %}` blocks); where transformers raised, an error of the same
    /// kind (the template's own `raise_exception` message, an undefined value, a type error, the
    /// sandbox refusing a mutation), naming the template.
    @Test(arguments: RealGoldens.cases)
    func rendersAsTransformers(_ golden: RealGoldens.Case) throws {
        let template = try #require(RealGoldens.data.templates[golden.template])
        let conversation = try #require(RealGoldens.data.conversations[golden.conversation])
        if let expected = golden.text {
            let rendered = try template.render(conversation)
            #expect(rendered.text == expected)
            #expect(rendered.scalarCount == expected.unicodeScalars.count)
            if let spans = golden.generation {
                // A template with `{% generation %}` blocks (LFM2.5): HF's AssistantTracker spans.
                #expect(rendered.generations.map(\.range) == spans)
            }
        } else {
            let reference = try #require(golden.error)
            #expect {
                try template.render(conversation)
            } throws: { error in
                guard let error = error as? ChatTemplateError, case .renderFailed(_, let message) = error,
                      error.description.contains(template.name) else { return false }
                return RealGoldens.sameKind(reference: reference, message: message)
            }
        }
    }

    /// The masking rule on every rendered case, stated without knowing the template: spans are
    /// assistant messages', in order, never overlapping; a span never holds another (non-assistant)
    /// message's content; and each plain assistant content the template writes as it is lies in
    /// that message's trained text.
    @Test(arguments: RealGoldens.cases.filter { $0.text != nil })
    func masksFollowTheRule(_ golden: RealGoldens.Case) throws {
        let template = try #require(RealGoldens.data.templates[golden.template])
        let conversation = try #require(RealGoldens.data.conversations[golden.conversation])
        try AttackGoldens.expectTurnsTrainTheirOwnContent(try template.render(conversation), conversation)
    }

    /// The mask reference: LFM2.5-8B ships `{% generation %}` blocks; with them removed
    /// (`lfm2_5_8b_untagged`, nothing else changed), Collate's rule gives the spans HF's
    /// AssistantTracker records for the tagged original, on every conversation it renders — but
    /// for one departure, stated here: LFM2.5's block ends after `"<|im_end|>\n"`, so HF trains the
    /// newline after the marker, which the rule leaves out (as TRL's Qwen2.5 variant departs).
    @Test(arguments: RealGoldens.cases.filter { $0.trainingGeneration != nil })
    func rulesSpansEqualTheTaggedOriginal(_ golden: RealGoldens.Case) throws {
        let template = try #require(RealGoldens.data.templates[golden.template])
        let rendered = try template.render(try #require(RealGoldens.data.conversations[golden.conversation]))
        let expected = try #require(golden.trainingGeneration)
        let ours = rendered.generations.map(\.range)
        #expect(ours.map(\.lowerBound) == expected.map(\.lowerBound), "\(ours) vs \(expected)")
        #expect(ours.count == expected.count)
        for (rule, tagged) in zip(ours, expected) {
            let trained = String(try #require(rendered.substring(rule)))
            #expect(trained.hasSuffix("<|im_end|>"), "\(trained.debugDescription)")
            #expect(tagged.upperBound == rule.upperBound + 1 && rendered.substring(rule.upperBound..<tagged.upperBound) == "\n",
                    "HF trains \(String(rendered.substring(tagged) ?? "").debugDescription), the rule \(trained.debugDescription)")
        }
    }

    /// Token level for the generation-tagged template (LFM2.5-8B): `ChatTemplate.tokenize` with the
    /// repository's mistral-v1-chatml tokenizer gives the `input_ids` and `assistant_masks` of
    /// transformers 5.23's `apply_chat_template(..., tokenize=True, return_assistant_tokens_mask=True)`
    /// (`Tests/Fixtures/chat-templates-real/token-goldens.jsonl`).
    @Test(arguments: RealGoldens.tokenCases)
    func tokensEqualTransformers(_ golden: RealGoldens.TokenCase) throws {
        let tokenizer = try Fixtures.tokenizer("mistral-v1-chatml")
        let template = try #require(RealGoldens.data.templates[golden.template])
        let chat = try template.tokenize(try #require(RealGoldens.data.conversations[golden.conversation]), with: tokenizer)
        #expect(chat.inputIDs == golden.inputIDs)
        #expect(chat.assistantMasks == golden.assistantMasks)
    }

    @Test func everyTokenGoldenLoads() {
        #expect(RealGoldens.tokenCases.count == 47)
    }

    /// Exact spans where they can be stated by hand: the trained text of each assistant turn.
    @Test(arguments: [
        // The generation prompt is `<|Assistant|>: ` and a newline (the template's `{% endif %}` sits
        // on its own line), which the turns lack: the header's `: ` is not trained (it was, once).
        ("deepseek_vl2", "sys-three-turns", ["Berne est la ville fédérale de la Suisse.<｜end▁of▁sentence｜>", "東京です。🗼<｜end▁of▁sentence｜>",
                                            "You're welcome — تم ✅<｜end▁of▁sentence｜>"]),
        ("deepseek_vl2", "reasoning-inline-think", ["<think>\nBern.\n</think>\n\nBerne.<｜end▁of▁sentence｜>", "<think>\nTokyo.\n</think>\n\n東京。<｜end▁of▁sentence｜>"]),
        ("seed_oss", "reasoning-two-turns", ["<seed:think>Switzerland has no de jure capital; Bern is the federal city.</seed:think>\nBerne.<seed:eos>",
                                             "<seed:think>Tokyo.</seed:think>\n東京。<seed:eos>"]),
        ("qwen3_coder", "tool-call-and-result", ["<tool_call>\n<function=get_weather>\n<parameter=city>\nZürich\n</parameter>\n<parameter=days>\n2\n</parameter>\n</function>\n</tool_call><|im_end|>",
                                                 "14 °C then 17 °C, cloudy.<|im_end|>"]),
        // The generation prompt `<|im_start|>assistant` stops before the turn's mode: the model
        // chooses ` -> tool/function_call` or a newline itself.
        ("hyperclovax_seed_think", "tool-call-and-result", [" -> tool/function_call\n[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}]<|im_end|>",
                                                            "\n14 °C then 17 °C, cloudy.<|im_end|><|endofturn|>"]),
        // The generation prompt opens the think block (`<|open|>think<|sep|>`): closing it is trained.
        ("kimi_k3", "no-system-two-turns", ["<|close|>think<|sep|><|open|>response<|sep|>Berne est la ville fédérale de la Suisse.<|close|>response<|sep|><|close|>message<|sep|><|end_of_msg|>",
                                            "<|close|>think<|sep|><|open|>response<|sep|>東京です。🗼<|close|>response<|sep|><|close|>message<|sep|><|end_of_msg|>"]),
    ] as [(String, String, [String])])
    func exactSpans(_ template: String, _ conversation: String, _ expected: [String]) throws {
        let chatTemplate = try #require(RealGoldens.data.templates[template])
        let rendered = try chatTemplate.render(try #require(RealGoldens.data.conversations[conversation]))
        #expect(rendered.generations.compactMap { rendered.substring($0.range).map(String.init) } == expected)
    }
}

/// `Tests/Fixtures/chat-templates-real/goldens.jsonl`, loaded once.
enum RealGoldens {
    static let templateCount = 35
    static let conversationCount = 49

    typealias Case = AttackGoldens.Case
    typealias Data = AttackGoldens.Data
    typealias TokenCase = ChatTemplateTokenGoldenTests.TokenCase

    static let folder = Fixtures.root.appendingPathComponent("chat-templates-real")

    static let tokenCases = TokenCase.read(folder.appendingPathComponent("token-goldens.jsonl"))
    static let data: Data = (try? load()) ?? Data()
    static var cases: [Case] { data.cases }

    /// Whether Collate's error `message` is the error jinja2 raised (`reference` is
    /// "ExceptionType: message"): `raise_exception`'s text word for word, a TypeError's and the
    /// sandbox's text (case aside), the missing filter's name, an undefined value or a recursion
    /// said as such (Collate names the undefined expression rather than its parent's type).
    static func sameKind(reference: String, message: String) -> Bool {
        guard let colon = reference.range(of: ": ") else { return false }
        let type = reference[..<colon.lowerBound]
        var text = String(reference[colon.upperBound...])
        if text.hasSuffix(".") { text.removeLast() }
        switch type {
        case "TemplateError": return message.contains("the template raised an error: \(text)")
        case "TypeError", "SecurityError": return message.lowercased().contains(text.lowercased())
        case "TemplateRuntimeError":
            guard let name = text.split(separator: "'").dropFirst().first else { return false }
            return message.contains("filter named '\(name)'")
        case "UndefinedError": return message.contains("is undefined")
        case "RecursionError": return message.contains("recursed more than")
        default: return false
        }
    }

    /// Reads the real templates' goldens (the attack fixture's format).
    static func load(_ file: URL = folder.appendingPathComponent("goldens.jsonl")) throws -> Data {
        try AttackGoldens.load(file)
    }
}
