import Foundation

/// A value parsed by `JSONSerialization`, together with its path in the document, so that
/// every type error names where it happened.
struct _JSONValue {
    /// The raw Foundation value (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`).
    let raw: Any
    /// The JSON path of this value, e.g. `model.merges[3]`.
    let path: String

    init(raw: Any, path: String) {
        self.raw = raw
        self.path = path
    }

    /// Parses `data` as JSON; `file` names the document in errors.
    static func parse(_ data: Data, file: String) throws -> _JSONValue {
        do {
            let raw = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return _JSONValue(raw: raw, path: "")
        } catch {
            throw TokenizerJSONError.malformedJSON(file: file)
        }
    }

    /// Whether the value is JSON `null`.
    var isNull: Bool { raw is NSNull }

    /// A short name of the JSON type, for error messages.
    var typeName: String {
        if raw is NSNull { return "null" }
        if raw is String { return "a string" }
        if raw is [String: Any] { return "an object" }
        if raw is [Any] { return "an array" }
        if let number = raw as? NSNumber {
            return Self.isBool(number) ? "a boolean" : "a number"
        }
        return "an unknown value"
    }

    private static func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    private func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The members of an object.
    func object() throws -> [String: Any] {
        guard let object = raw as? [String: Any] else {
            throw TokenizerJSONError.wrongType(path: path.isEmpty ? "(root)" : path, expected: "an object", found: typeName)
        }
        return object
    }

    /// A required member of an object (present; it may be `null`).
    func member(_ key: String) throws -> _JSONValue {
        let object = try object()
        guard let value = object[key] else {
            throw TokenizerJSONError.missingKey(path: childPath(key))
        }
        return _JSONValue(raw: value, path: childPath(key))
    }

    /// An optional member of an object: `nil` when absent or `null`.
    func optionalMember(_ key: String) throws -> _JSONValue? {
        let object = try object()
        guard let value = object[key], !(value is NSNull) else { return nil }
        return _JSONValue(raw: value, path: childPath(key))
    }

    /// The elements of an array, each with its path.
    func array() throws -> [_JSONValue] {
        guard let array = raw as? [Any] else {
            throw TokenizerJSONError.wrongType(path: path, expected: "an array", found: typeName)
        }
        var result: [_JSONValue] = []
        result.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            result.append(_JSONValue(raw: element, path: "\(path)[\(index)]"))
        }
        return result
    }

    /// The raw elements of an array (no per-element paths; for large arrays).
    func rawArray() throws -> [Any] {
        guard let array = raw as? [Any] else {
            throw TokenizerJSONError.wrongType(path: path, expected: "an array", found: typeName)
        }
        return array
    }

    /// A string value.
    func string() throws -> String {
        guard let string = raw as? String else {
            throw TokenizerJSONError.wrongType(path: path, expected: "a string", found: typeName)
        }
        return string
    }

    /// A boolean value.
    func bool() throws -> Bool {
        guard let number = raw as? NSNumber, Self.isBool(number) else {
            throw TokenizerJSONError.wrongType(path: path, expected: "a boolean", found: typeName)
        }
        return number.boolValue
    }

    /// An integer value.
    func int() throws -> Int {
        guard let number = raw as? NSNumber, !Self.isBool(number),
              let value = Int(exactly: number.doubleValue)
        else {
            throw TokenizerJSONError.wrongType(path: path, expected: "an integer", found: typeName)
        }
        return value
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
