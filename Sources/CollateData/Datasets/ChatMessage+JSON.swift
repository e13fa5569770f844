import Collate
import CollateTokenizers

/// Why a line's `messages` could not be read: the field at fault, as a path, and what it held.
public struct MessagesDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the field (`messages[1].content`) and the value found.
    public var description: String
}

extension ChatMessage {
    /// Reads the `messages` array of one JSONL line: objects with string `role` and `content`.
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
            var fields: [String] = []
            for key in ["role", "content"] {
                guard let field = message[key] else {
                    throw MessagesDecodingError(description: "field 'messages[\(index)].\(key)' is missing; every message needs \"role\" and \"content\" strings")
                }
                guard case .string(let text) = field else {
                    throw MessagesDecodingError(description: "field 'messages[\(index)].\(key)': expected a string, got \(field.preview())")
                }
                fields.append(text)
            }
            messages.append(ChatMessage(role: fields[0], content: fields[1]))
        }
        return messages
    }
}
