import Collate

/// One conversation as a chat template renders it: the messages, the tools offered to the model,
/// whether to append the generation prompt, and the template's extra variables.
///
/// This is what one line of a messages dataset holds —
/// `{"messages": [...], "tools": [...], "add_generation_prompt": false, "enable_thinking": true}` —
/// and what transformers' `apply_chat_template(messages, tools=..., add_generation_prompt=...,
/// **kwargs)` takes.
public struct ChatConversation: Sendable, Hashable {
    /// The messages, in order.
    public var messages: [ChatMessage]
    /// The tool schemas (`tools=`), or `nil` when none are given. A template sees `tools` as
    /// `none` then; an empty list is passed as an empty list, as transformers does.
    public var tools: [JSONValue]?
    /// Whether the template appends the prompt that opens an assistant turn.
    public var addGenerationPrompt: Bool
    /// Extra template variables (`enable_thinking`, `date_string`, `reasoning_effort`, ...),
    /// in order. They override the tokenizer's special tokens of the same name, as in transformers.
    public var variables: JSONObject

    /// Creates a conversation.
    /// - Parameters:
    ///   - messages: The messages.
    ///   - tools: Tool schemas, or `nil`.
    ///   - addGenerationPrompt: Whether to append the generation prompt.
    ///   - variables: Extra template variables.
    public init(_ messages: [ChatMessage], tools: [JSONValue]? = nil, addGenerationPrompt: Bool = false,
                variables: JSONObject = JSONObject()) {
        self.messages = messages
        self.tools = tools
        self.addGenerationPrompt = addGenerationPrompt
        self.variables = variables
    }

    /// Reads a conversation from one dataset line: `messages` (see
    /// ``ChatMessage/init(fields:)``), optional `tools` (an array of objects, or null),
    /// optional `add_generation_prompt` (a boolean) and every other key as a template variable
    /// (`documents` included, which transformers passes as `documents=`).
    /// `continue_final_message` is refused: transformers applies it outside the template.
    ///
    /// - Parameter line: The line's JSON object.
    /// - Throws: ``ChatConversationError`` naming the field and the value found.
    public init(line: JSONObject) throws(ChatConversationError) {
        guard let messagesValue = line["messages"] else {
            throw ChatConversationError(field: "messages", reason: "is missing; each line needs {\"messages\": [{\"role\": ..., \"content\": ...}]}")
        }
        guard case .array(let items) = messagesValue else {
            throw ChatConversationError(field: "messages", reason: "expected an array of message objects, got \(messagesValue.preview())")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw ChatConversationError(field: "messages[\(index)]", reason: "expected an object with \"role\" and \"content\", got \(item.preview())")
            }
            do {
                messages.append(try ChatMessage(fields: object))
            } catch {
                throw ChatConversationError(field: "messages[\(index)].\(error.field)", reason: error.reason)
            }
        }
        var tools: [JSONValue]?
        switch line["tools"] {
        case nil, .null?:
            tools = nil
        case .array(let schemas)?:
            for (index, schema) in schemas.enumerated() {
                guard case .object = schema else {
                    throw ChatConversationError(field: "tools[\(index)]", reason: "expected a JSON schema object {\"type\": \"function\", \"function\": {...}}, got \(schema.preview())")
                }
            }
            tools = schemas
        case let other?:
            throw ChatConversationError(field: "tools", reason: "expected an array of JSON schema objects, got \(other.preview())")
        }
        var addGenerationPrompt = false
        switch line["add_generation_prompt"] {
        case nil, .null?:
            break
        case .bool(let flag)?:
            addGenerationPrompt = flag
        case let other?:
            throw ChatConversationError(field: "add_generation_prompt", reason: "expected true or false, got \(other.preview())")
        }
        switch line["continue_final_message"] {
        case nil, .null?, .bool(false)?:
            break
        case let other?:
            // transformers cuts the text after the final message outside the template; passing it
            // on as a variable would render something else without a word.
            throw ChatConversationError(
                field: "continue_final_message",
                reason: "value \(other.preview()) is not supported: Collate renders whole conversations for training; "
                    + "drop the key (the final message is rendered closed, as with continue_final_message=false)")
        }
        var variables = JSONObject()
        for member in line.members where !["messages", "tools", "add_generation_prompt"].contains(member.key) {
            variables[member.key] = member.value
        }
        self.init(messages, tools: tools, addGenerationPrompt: addGenerationPrompt, variables: variables)
    }

    /// The messages as transformers 5.23's `apply_chat_template` hands them to the template:
    /// keys whose value is null dropped; a non-null `reasoning_content`, `thinking` or
    /// `reasoning` (the first, in that order) copied into `reasoning_content`, and into
    /// `thinking` unless the message has its own.
    ///
    /// - Returns: One JSON object per message.
    /// - Complexity: O(*n*) in the number of keys.
    public func preprocessedMessages() -> [JSONObject] {
        messages.map { message in
            let kept = message.fields.members.filter { $0.value != .null }
            var reasoning: JSONValue?
            for key in ["reasoning_content", "thinking", "reasoning"] {
                if let value = kept.first(where: { $0.key == key })?.value {
                    reasoning = value
                    break
                }
            }
            guard let reasoning else { return JSONObject(kept) }
            // Python: {"thinking": reasoning, **message, "reasoning_content": reasoning}
            var object = JSONObject([("thinking", reasoning)])
            for member in kept { object[member.key] = member.value }
            object["reasoning_content"] = reasoning
            return object
        }
    }
}

/// A conversation line that cannot be read: the field at fault and why.
public struct ChatConversationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field, as a path (`messages[2].role`, `tools[0]`).
    public var field: String
    /// What is wrong with it and how to fix it.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - field: The field's path.
    ///   - reason: What is wrong.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field 'PATH': REASON`.
    public var description: String {
        reason.hasPrefix("field '") ? reason : "field '\(field)'" + (reason.hasPrefix("is ") ? " " : ": ") + reason
    }
}
