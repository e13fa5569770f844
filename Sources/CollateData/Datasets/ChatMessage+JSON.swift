import Collate
import CollateTokenizers

/// Why a line's `messages` could not be read: the field at fault, as a path, and what it held.
public struct MessagesDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the field (`messages[1].content`) and the value found.
    public var description: String
}

extension ChatMessage {
    /// Reads the `messages` array of one JSONL line: objects with a string `role` and, besides
    /// it, whatever the conversation carries — `content` as a string, a list of parts
    /// (`[{"type": "text", "text": ...}]`) or null/absent next to `tool_calls`; `tool_calls`,
    /// `tool_call_id`, `name`, `reasoning_content` and any other key, kept in order and unchanged.
    ///
    /// A built-in ``ChatFormat`` renders plain-text messages only and rejects the rest by name;
    /// a ``ChatTemplate`` renders them as the model's template says.
    /// - Parameter value: the line's `messages` value, or `nil` when the key is absent.
    /// - Throws: ``MessagesDecodingError`` naming the field and the value found.
    public static func list(fromJSON value: JSONValue?) throws(MessagesDecodingError) -> [ChatMessage] {
        guard let value else {
            throw MessagesDecodingError(description: "field 'messages' is missing; each line needs {\"messages\": [{\"role\": ..., \"content\": ...}]}")
        }
        guard case .array(let items) = value else {
            throw MessagesDecodingError(description: "field 'messages': expected an array of {\"role\", \"content\"} objects, got \(value.preview())")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let message) = item else {
                throw MessagesDecodingError(description: "field 'messages[\(index)]': expected an object with \"role\" and \"content\", got \(item.preview())")
            }
            guard let role = message["role"] else {
                throw MessagesDecodingError(description: "field 'messages[\(index)].role' is missing; every message needs a \"role\" string")
            }
            guard case .string = role else {
                throw MessagesDecodingError(description: "field 'messages[\(index)].role': expected a string, got \(role.preview())")
            }
            switch message["content"] {
            case nil, .null?, .string?, .array?:
                break
            case let other?:
                throw MessagesDecodingError(description: "field 'messages[\(index)].content': expected a string, got \(other.preview()) (or a list of parts [{\"type\": \"text\", \"text\": ...}])")
            }
            if message["content"] == nil || message["content"] == .null, !hasValue(message["tool_calls"]) {
                let found = message["content"] == nil ? "is missing" : ": expected a string or a list of parts, got null"
                throw MessagesDecodingError(description: "field 'messages[\(index)].content'\(found.hasPrefix(":") ? "" : " ")\(found); every message needs \"content\" (a string or a list of parts) unless it carries \"tool_calls\"")
            }
            do {
                messages.append(try ChatMessage(fields: message))
            } catch {
                throw MessagesDecodingError(description: "field 'messages[\(index)].\(error.field)'" + (error.value == nil ? " " : ": ") + error.reason)
            }
        }
        return messages
    }

    private static func hasValue(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: false
        default: true
        }
    }
}
