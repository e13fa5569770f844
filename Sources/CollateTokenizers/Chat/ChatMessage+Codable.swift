import Collate

// MARK: - Codable

/// Encodes as the message's JSON object (every key, in order); decodes any object with a string
/// `role`, keeping every key.
extension ChatMessage: Codable {
    /// Decodes a message object, keeping every key.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` when the value is not an object with a string `role`.
    public init(from decoder: any Decoder) throws {
        let value = try _CodableJSON(from: decoder).value
        guard case .object(let object) = value else {
            throw DecodingError.typeMismatch(
                ChatMessage.self,
                .init(codingPath: decoder.codingPath, debugDescription: "a message is an object, got \(value.preview())"))
        }
        do {
            try self.init(fields: object)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the message's JSON object.
    /// - Parameter encoder: The encoder.
    /// - Throws: The encoder's error.
    public func encode(to encoder: any Encoder) throws {
        try _CodableJSON(.object(fields)).encode(to: encoder)
    }
}

/// A ``JSONValue`` bridged to `Codable`, key order kept where the coder keeps it.
struct _CodableJSON: Codable {
    var value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var members: [(key: String, value: JSONValue)] = []
            for key in object.allKeys {
                members.append((key.stringValue, try object.decode(_CodableJSON.self, forKey: key).value))
            }
            value = .object(JSONObject(members))
        } else if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(_CodableJSON.self).value) }
            value = .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = .null
            } else if let bool = try? single.decode(Bool.self) {
                value = .bool(bool)
            } else if let integer = try? single.decode(Int64.self) {
                value = .integer(integer)
            } else if let number = try? single.decode(Double.self) {
                value = .number(String(number))
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let bool):
            var single = encoder.singleValueContainer()
            try single.encode(bool)
        case .integer(let integer):
            var single = encoder.singleValueContainer()
            try single.encode(integer)
        case .number(let text):
            var single = encoder.singleValueContainer()
            if let number = Double(text) { try single.encode(number) } else { try single.encode(text) }
        case .string(let text):
            var single = encoder.singleValueContainer()
            try single.encode(text)
        case .array(let items):
            var array = encoder.unkeyedContainer()
            for item in items { try array.encode(_CodableJSON(item)) }
        case .object(let object):
            var container = encoder.container(keyedBy: Key.self)
            for member in object.members { try container.encode(_CodableJSON(member.value), forKey: Key(stringValue: member.key)) }
        }
    }
}
