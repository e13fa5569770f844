import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Messages carry everything a conversation line holds; built-in formats refuse what they
/// cannot render; conversations are preprocessed as transformers 5.23's `apply_chat_template` does.
@Suite struct ChatMessageTests {
    static func object(_ json: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(json) else {
            throw ChatMessageError(field: "test", value: nil)
        }
        return object
    }

    @Test func plainMessageIsRoleAndContent() {
        let message = ChatMessage.user("Hi")
        #expect(message.fields.keys == ["role", "content"])
        #expect(message.role == "user" && message.content == "Hi")
        #expect(message.isPlainText)
        #expect(message == ChatMessage(role: "user", content: "Hi"))
    }

    @Test func keepsEveryKeyInOrder() throws {
        let fields = try Self.object(#"""
            {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"b": 1, "a": [true, 1.5]}}}], "x_extra": "kept"}
            """#)
        let message = try ChatMessage(fields: fields)
        #expect(message.fields == fields)
        #expect(message.fields.keys == ["role", "content", "tool_calls", "x_extra"])
        #expect(message.content == "")
        #expect(message.unsupportedPlainTextField == "tool_calls")
    }

    @Test func listOfPartsContentJoinsTextParts() throws {
        var message = try ChatMessage(fields: Self.object(#"""
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is "}, {"type": "text", "text": "this?"}]}
            """#))
        #expect(message.content == "What is this?")
        #expect(message.unsupportedPlainTextField == "content")
        message.content = "plain"
        #expect(message.fields["content"] == .string("plain"))
        #expect(message.isPlainText)
    }

    @Test func roleMustBeAString() throws {
        #expect(throws: ChatMessageError(field: "role", value: nil)) {
            try ChatMessage(fields: Self.object(#"{"content": "x"}"#))
        }
        #expect(throws: ChatMessageError(field: "role", value: .integer(3))) {
            try ChatMessage(fields: Self.object(#"{"role": 3, "content": "x"}"#))
        }
    }

    @Test func codableRoundTripKeepsFields() throws {
        let message = try ChatMessage(fields: Self.object(#"""
            {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "{\"t\": 21}", "n": null, "k": 2}
            """#))
        let data = try JSONEncoder().encode([message, .assistant("ok")])
        let decoded = try JSONDecoder().decode([ChatMessage].self, from: data)
        #expect(decoded[1].role == "assistant" && decoded[1].content == "ok")
        // Foundation's coders do not promise key order, so compare the members as a set.
        #expect(Set(decoded[0].fields.keys) == Set(message.fields.keys))
        for key in message.fields.keys { #expect(decoded[0].fields[key] == message.fields[key]) }
    }

    struct RefusedCase: Sendable, CustomTestStringConvertible {
        var json: String
        var field: String
        var testDescription: String { field }
    }

    static let refusedCases: [RefusedCase] = [
        RefusedCase(json: #"{"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {}}}]}"#, field: "tool_calls"),
        RefusedCase(json: #"{"role": "assistant", "content": "Paris.", "reasoning_content": "Easy."}"#, field: "reasoning_content"),
        RefusedCase(json: #"{"role": "assistant", "content": "Paris.", "reasoning": "Easy."}"#, field: "reasoning"),
        RefusedCase(json: #"{"role": "assistant", "content": "Paris.", "thinking": "Easy."}"#, field: "thinking"),
        RefusedCase(json: #"{"role": "assistant", "content": [{"type": "text", "text": "Paris."}]}"#, field: "content"),
    ]

    /// A built-in format renders role/content turns only: it names what it would have dropped.
    @Test(arguments: refusedCases)
    func builtInFormatRefusesWhatItCannotRender(_ testCase: RefusedCase) throws {
        let messages = [ChatMessage.user("Hi"), try ChatMessage(fields: Self.object(testCase.json))]
        #expect(throws: ChatFormatError.unsupportedField(messageIndex: 1, field: testCase.field, format: "chatml")) {
            try ChatFormat.chatml.render(messages)
        }
        let message = ChatFormatError.unsupportedField(messageIndex: 1, field: testCase.field, format: "chatml").description
        #expect(message.contains("message 1") && message.contains("chatml") && message.contains("--template MODEL_FOLDER"))
    }

    @Test func builtInFormatIgnoresNullsAndNames() throws {
        let messages = [
            ChatMessage.user("Hi"),
            try ChatMessage(fields: Self.object(#"{"role": "assistant", "content": "Hello", "tool_calls": null, "reasoning_content": null, "name": "bot"}"#)),
        ]
        #expect(try ChatFormat.chatml.render(messages).text == ChatFormat.chatml.render([.user("Hi"), .assistant("Hello")]).text)
    }

    /// transformers 5.23 `apply_chat_template`: `{k: v for k, v in msg.items() if v is not None}`,
    /// then `_alias_reasoning_fields`: `{"thinking": r, **message, "reasoning_content": r}`.
    @Test func preprocessingMatchesTransformers() throws {
        let conversation = ChatConversation([
            try ChatMessage(fields: Self.object(#"{"role": "assistant", "content": "a", "tool_calls": null, "reasoning": "r1"}"#)),
            try ChatMessage(fields: Self.object(#"{"role": "assistant", "content": "b", "thinking": "t2", "reasoning_content": null}"#)),
            try ChatMessage(fields: Self.object(#"{"role": "assistant", "reasoning_content": "r3", "thinking": "t3", "content": "c"}"#)),
            try ChatMessage(fields: Self.object(#"{"role": "user", "content": "d", "name": null}"#)),
        ])
        let messages = conversation.preprocessedMessages()
        #expect(messages[0] == (try Self.object(#"{"thinking": "r1", "role": "assistant", "content": "a", "reasoning": "r1", "reasoning_content": "r1"}"#)))
        #expect(messages[1] == (try Self.object(#"{"thinking": "t2", "role": "assistant", "content": "b", "reasoning_content": "t2"}"#)))
        #expect(messages[2] == (try Self.object(#"{"thinking": "t3", "role": "assistant", "reasoning_content": "r3", "content": "c"}"#)))
        #expect(messages[3] == (try Self.object(#"{"role": "user", "content": "d"}"#)))
    }

    @Test func conversationLineCarriesToolsPromptAndVariables() throws {
        let line = try Self.object(#"""
            {"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function", "function": {"name": "f"}}], "add_generation_prompt": true, "enable_thinking": false, "date_string": "1 Jan 2026"}
            """#)
        let conversation = try ChatConversation(line: line)
        #expect(conversation.messages == [.user("Hi")])
        #expect(conversation.tools?.count == 1)
        #expect(conversation.addGenerationPrompt)
        #expect(conversation.variables.keys == ["enable_thinking", "date_string"])
        #expect(conversation.variables["enable_thinking"] == .bool(false))
    }

    struct BadLineCase: Sendable, CustomTestStringConvertible {
        var json: String
        var fragment: String
        var testDescription: String { fragment }
    }

    static let badLines: [BadLineCase] = [
        BadLineCase(json: #"{"msgs": []}"#, fragment: "field 'messages' is missing"),
        BadLineCase(json: #"{"messages": [1]}"#, fragment: "field 'messages[0]': expected an object"),
        BadLineCase(json: #"{"messages": [{"role": 1, "content": "x"}]}"#, fragment: "field 'messages[0].role'"),
        BadLineCase(json: #"{"messages": [], "tools": {"a": 1}}"#, fragment: "field 'tools': expected an array"),
        BadLineCase(json: #"{"messages": [], "tools": [3]}"#, fragment: "field 'tools[0]': expected a JSON schema object"),
        BadLineCase(json: #"{"messages": [], "add_generation_prompt": "yes"}"#, fragment: "field 'add_generation_prompt': expected true or false, got \"yes\""),
        BadLineCase(json: #"{"messages": [], "continue_final_message": true}"#, fragment: "field 'continue_final_message': value true is not supported"),
    ]

    @Test(arguments: badLines)
    func badConversationLinesNameTheField(_ testCase: BadLineCase) throws {
        let line = try Self.object(testCase.json)
        do {
            _ = try ChatConversation(line: line)
            Issue.record("accepted \(testCase.json)")
        } catch {
            #expect(error.description.contains(testCase.fragment), "\(error.description)")
        }
    }
}
