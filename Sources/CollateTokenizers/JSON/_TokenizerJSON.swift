import Collate
import Foundation

/// A value of a `tokenizer.json` (or a companion configuration file) read by Collate's one
/// JSON parser (``JSONParser``), together with its path in the document, so that every type
/// error names where it happened (`model.merges[3]`, `normalizer.normalizers[2].type`).
struct _JSONValue {
    /// The parsed value.
    let value: JSONValue
    /// The JSON path of this value, e.g. `model.merges[3]` (empty for the root).
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// Parses `bytes` as one JSON document; `file` names the document in errors.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> _JSONValue {
        do {
            // HF tokenizers (serde) and transformers (json.load) keep a repeated key's last value.
            return _JSONValue(try JSONParser.parse(bytes, duplicateKeys: .keepLast), path: "")
        } catch {
            throw TokenizerJSONError.malformedJSON(file: file)
        }
    }

    /// Parses `data` as one JSON document; `file` names the document in errors.
    static func parse(_ data: Data, file: String) throws -> _JSONValue {
        try data.withUnsafeBytes { raw in
            try parse(raw.bindMemory(to: UInt8.self), file: file)
        }
    }

    /// Whether the value is JSON `null`.
    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// A short name of the JSON type, for error messages (`"a string"`, `"an object"`, ...).
    var typeName: String { Self.typeName(of: value) }

    /// A short name of the JSON type of `value`, for error messages.
    static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The members of an object.
    func object() throws -> JSONObject {
        guard case .object(let object) = value else {
            throw TokenizerJSONError.wrongType(path: path.isEmpty ? "(root)" : path, expected: "an object", found: typeName)
        }
        return object
    }

    /// A required member of an object (present; it may be `null`).
    func member(_ key: String) throws -> _JSONValue {
        guard let member = try object()[key] else {
            throw TokenizerJSONError.missingKey(path: childPath(key))
        }
        return _JSONValue(member, path: childPath(key))
    }

    /// An optional member of an object: `nil` when absent or `null`.
    func optionalMember(_ key: String) throws -> _JSONValue? {
        guard let member = try object()[key] else { return nil }
        if case .null = member { return nil }
        return _JSONValue(member, path: childPath(key))
    }

    /// The elements of an array, each with its path.
    func array() throws -> [_JSONValue] {
        let elements = try rawArray()
        var result: [_JSONValue] = []
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            result.append(_JSONValue(element, path: "\(path)[\(index)]"))
        }
        return result
    }

    /// The elements of an array without per-element paths (for large arrays).
    func rawArray() throws -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw TokenizerJSONError.wrongType(path: path, expected: "an array", found: typeName)
        }
        return elements
    }

    /// A string value.
    func string() throws -> String {
        guard case .string(let string) = value else {
            throw TokenizerJSONError.wrongType(path: path, expected: "a string", found: typeName)
        }
        return string
    }

    /// A boolean value.
    func bool() throws -> Bool {
        guard case .bool(let flag) = value else {
            throw TokenizerJSONError.wrongType(path: path, expected: "a boolean", found: typeName)
        }
        return flag
    }

    /// An integer value (`3`, or a number such as `3.0` or `3e0` that is one).
    func int() throws -> Int {
        guard let integer = Self.integer(value) else {
            throw TokenizerJSONError.wrongType(path: path, expected: "an integer", found: typeName)
        }
        return integer
    }

    /// A number value.
    func double() throws -> Double {
        guard let number = Self.double(value) else {
            throw TokenizerJSONError.wrongType(path: path, expected: "a number", found: typeName)
        }
        return number
    }

    /// The integer `value` holds, if it is a number with an integral value.
    static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .integer(let integer): return Int(exactly: integer)
        case .number(let text): return Double(text).flatMap { Int(exactly: $0) }
        default: return nil
        }
    }

    /// The number `value` holds, if it is a number.
    static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let integer): return Double(integer)
        case .number(let text): return Double(text)
        default: return nil
        }
    }

    /// An optional boolean member with a default when absent or `null`.
    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        try optionalMember(key)?.bool() ?? defaultValue
    }

    /// An optional string member (`nil` when absent or `null`).
    func optionalString(_ key: String) throws -> String? {
        try optionalMember(key)?.string()
    }

    /// The `type` member of a component.
    func componentType() throws -> String {
        try member("type").string()
    }

    /// The error for an unsupported component at this path.
    func unsupported(_ type: String) -> TokenizerJSONError {
        .unsupportedComponent(path: childPath("type"), type: type)
    }
}
