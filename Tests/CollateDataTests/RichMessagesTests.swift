import Collate
import CollateData
import CollateTokenizers
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
}
