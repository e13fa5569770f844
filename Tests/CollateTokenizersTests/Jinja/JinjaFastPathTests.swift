import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// The interpreter's byte-level fast paths (string slices and `split` on UTF-8, `|length`,
/// `|string`, `|trim`, type tests and filters resolved at compile time, `tojson` and captures
/// written into byte buffers) against transformers 5.23's chat-template environment (jinja2
/// 3.1.6): `Tests/Fixtures/jinja/fast-paths.jsonl`, from
/// `Tests/Fixtures/scripts/make_jinja_fast_path_cases.py`.
@Suite("Jinja fast paths (transformers 5.23 chat-template environment, jinja2 3.1.6)")
struct JinjaFastPathTests {
    static let cases = JinjaCorpusCase.load("fast-paths.jsonl")

    @Test func everyCaseIsLoaded() {
        #expect(Self.cases.count == 9)
    }

    @Test(arguments: cases)
    func rendersAsJinja2(_ testCase: JinjaCorpusCase) throws {
        let template = try JinjaTemplate(source: testCase.template, name: testCase.id)
        let rendering = try template.render(testCase.context)
        #expect(rendering.text == testCase.expected)
        #expect(rendering.scalarCount == rendering.text.unicodeScalars.count)
    }

    /// The variables `ChatTemplate` builds: special tokens, then the conversation's variables
    /// (`chat_template` left out), messages as transformers preprocesses them, tools, `documents`
    /// (none unless the line has its own) and `add_generation_prompt`, later names winning.
    @Test func templateVariablesFollowTransformers() throws {
        let message = try ChatMessage(fields: JSONObject([
            ("role", .string("assistant")), ("content", .string("Hi")), ("name", .null), ("reasoning", .string("think")),
        ]))
        var conversation = ChatConversation(
            [.user("Hello"), message], tools: nil, addGenerationPrompt: true,
            variables: JSONObject([("chat_template", .string("ignored")), ("bos_token", .string("<B>")), ("enable_thinking", .bool(false))]))
        var variables: [String: JinjaValue] = [:]
        for (key, value) in ChatTemplate.templateVariables(for: conversation, specialTokens: ["bos_token": "<s>", "eos_token": "</s>"]) {
            variables[key] = value
        }
        #expect(variables["chat_template"] == nil)
        #expect(variables["bos_token"] == .string("<B>"))
        #expect(variables["eos_token"] == .string("</s>"))
        #expect(variables["enable_thinking"] == .bool(false))
        #expect(variables["add_generation_prompt"] == .bool(true))
        #expect(variables["tools"] == JinjaValue.none)
        #expect(variables["documents"] == JinjaValue.none)
        guard case .list(let messages)? = variables["messages"], messages.count == 2, case .dict(let second) = messages[1] else {
            Issue.record("messages is not a list of two dictionaries")
            return
        }
        // {"thinking": reasoning, **message (nulls dropped), "reasoning_content": reasoning}
        #expect(second.keys == ["thinking", "role", "content", "reasoning", "reasoning_content"])
        #expect(second["thinking"] == .string("think"))
        #expect(second["reasoning_content"] == .string("think"))
        conversation.variables["documents"] = .array([.string("d")])
        let withDocuments = ChatTemplate.templateVariables(for: conversation, specialTokens: [:])
        #expect(withDocuments.filter { $0.key == "documents" }.map(\.value) == [.list([.string("d")])])
    }
}
