import Collate
import CollateData
import CollateTokenizers
import Foundation
import Testing

/// A messages line with tools, tool calls, tool results, reasoning and list-of-parts content
/// loads in full; a built-in format then names what it cannot render instead of dropping it.
@Suite struct RichMessagesTests {
    static let line = #"""
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]}, {"role": "assistant", "content": null, "reasoning_content": "Call the tool.", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}, {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "21"}, {"role": "assistant", "content": "21 degrees."}]}
        """#

    @Test func loadsEveryKey() throws {
        guard case .object(let object) = try JSONParser.parse(Self.line) else { Issue.record("not an object"); return }
        let messages = try ChatMessage.list(fromJSON: object["messages"])
        #expect(messages.map(\.role) == ["user", "assistant", "tool", "assistant"])
        #expect(messages[0].content == "Weather in Paris?")
        #expect(messages[1].fields.keys == ["role", "content", "reasoning_content", "tool_calls"])
        #expect(messages[2].fields["tool_call_id"] == .string("call_1"))
        #expect(throws: ChatFormatError.unsupportedField(messageIndex: 0, field: "content", format: "chatml")) {
            try ChatFormat.chatml.render(messages)
        }
    }

    @Test func contentMayBeAbsentOnlyBesideToolCalls() throws {
        guard case .object(let object) = try JSONParser.parse(#"{"messages": [{"role": "assistant"}]}"#) else { return }
        #expect(throws: MessagesDecodingError.self) { try ChatMessage.list(fromJSON: object["messages"]) }
        do {
            _ = try ChatMessage.list(fromJSON: object["messages"])
        } catch {
            #expect(error.description.contains("'messages[0].content' is missing"))
            #expect(error.description.contains("tool_calls"))
        }
    }

    /// A dataset read with a model's own template: the line's tools reach the template (Qwen
    /// 2.5's tool block), the tool call is trained and the tool result is not.
    @Test func datasetReaderRendersWithTheModelsTemplate() throws {
        let fixtures = Fixtures.root
        let tokenizer = try PretrainedTokenizer(contentsOf: fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml"))
        let template = try ChatTemplate.load(from: fixtures.appendingPathComponent("chat-templates/templates/qwen2_5.jinja"))
        let line = #"""
            {"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}, {"role": "tool", "content": "21"}, {"role": "assistant", "content": "Warm."}], "tools": [{"type": "function", "function": {"name": "get_weather"}}]}
            """#
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-rich-\(UUID().uuidString).jsonl")
        try (line + "\n").write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let example = try DatasetReader(url: url, tokenizer: tokenizer, chatFormat: ChatFormat(template: template))
            .readAll().records[0].example
        let text = tokenizer.decode(ids: example.inputIDs)
        #expect(text.contains("# Tools") && text.contains("\"name\": \"get_weather\""))
        let trained = tokenizer.decode(ids: (example.labels ?? []).filter { $0 != -100 })
        #expect(trained.contains("get_weather") && trained.contains("Warm."))
        #expect(!trained.contains("21") && !trained.contains("Weather?"))
    }
}
