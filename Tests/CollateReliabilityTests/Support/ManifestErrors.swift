import Collate
import CollateData
import CollateTokenizers

/// The manifest's JSON form of the errors a bad input must raise, both ways: decoded into the
/// exact typed value for `#expect(throws:)`, and encoded from an actual error (for recording
/// a new case's outcome with `COLLATE_RECORD_BAD`).
enum ManifestError {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func string(_ object: JSONObject, _ key: String) throws -> String {
        guard case .string(let text)? = object[key] else { throw Malformed(description: "manifest: missing string '\(key)' in \(JSONValue.object(object).preview())") }
        return text
    }

    static func strings(_ object: JSONObject, _ key: String) throws -> [String] {
        guard case .array(let items)? = object[key] else { throw Malformed(description: "manifest: missing array '\(key)'") }
        return try items.map { item in
            guard case .string(let text) = item else { throw Malformed(description: "manifest: '\(key)' must hold strings") }
            return text
        }
    }

    static func spec(_ json: JSONObject) throws -> SpecError {
        switch try string(json, "case") {
        case "notAnObject": return .notAnObject(found: try string(json, "found"))
        case "missingType": return .missingType
        case "unknownType": return .unknownType(try string(json, "type"), known: try strings(json, "known"))
        case "unknownKey": return .unknownKey(try string(json, "key"), type: try string(json, "type"), allowed: try strings(json, "allowed"))
        case "wrongType": return .wrongType(key: try string(json, "key"), expected: try string(json, "expected"), found: try string(json, "found"))
        case "invalidValue": return .invalidValue(key: try string(json, "key"), value: try string(json, "value"), reason: try string(json, "reason"))
        case "missingKey": return .missingKey(try string(json, "key"), type: try string(json, "type"), reason: try string(json, "reason"))
        case let other: throw Malformed(description: "manifest: unknown SpecError case \(other)")
        }
    }

    static func encode(_ error: SpecError) -> JSONValue {
        func object(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(pairs.map { (key: $0.0, value: $0.1) })) }
        func list(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }
        switch error {
        case let .notAnObject(found): return object([("case", .string("notAnObject")), ("found", .string(found))])
        case .missingType: return object([("case", .string("missingType"))])
        case let .unknownType(type, known): return object([("case", .string("unknownType")), ("type", .string(type)), ("known", list(known))])
        case let .unknownKey(key, type, allowed):
            return object([("case", .string("unknownKey")), ("key", .string(key)), ("type", .string(type)), ("allowed", list(allowed))])
        case let .wrongType(key, expected, found):
            return object([("case", .string("wrongType")), ("key", .string(key)), ("expected", .string(expected)), ("found", .string(found))])
        case let .invalidValue(key, value, reason):
            return object([("case", .string("invalidValue")), ("key", .string(key)), ("value", .string(value)), ("reason", .string(reason))])
        case let .missingKey(key, type, reason):
            return object([("case", .string("missingKey")), ("key", .string(key)), ("type", .string(type)), ("reason", .string(reason))])
        }
    }

    static func tokenizer(_ json: JSONObject, fixtures: String) throws -> TokenizerJSONError {
        func path(_ key: String) throws -> String { try string(json, key).replacingOccurrences(of: "$BAD", with: fixtures) }
        switch try string(json, "case") {
        case "unreadableFile": return .unreadableFile(path: try path("path"))
        case "missingTokenizerFile": return .missingTokenizerFile(folder: try path("folder"))
        case "malformedJSON": return .malformedJSON(file: try path("file"))
        case "missingKey": return .missingKey(path: try string(json, "path"))
        case "wrongType": return .wrongType(path: try string(json, "path"), expected: try string(json, "expected"), found: try string(json, "found"))
        case "unsupportedComponent": return .unsupportedComponent(path: try string(json, "path"), type: try string(json, "type"))
        case "invalidRegex": return .invalidRegex(path: try string(json, "path"), pattern: try string(json, "pattern"))
        case "tokenNotInVocabulary": return .tokenNotInVocabulary(path: try string(json, "path"), token: try string(json, "token"))
        case "invalidValue": return .invalidValue(path: try string(json, "path"), value: try string(json, "value"), reason: try string(json, "reason"))
        case let other: throw Malformed(description: "manifest: unknown TokenizerJSONError case \(other)")
        }
    }

    static func encode(_ error: TokenizerJSONError, fixtures: String) -> JSONValue {
        func object(_ pairs: [(String, String)]) -> JSONValue {
            .object(JSONObject(pairs.map { (key: $0.0, value: .string($0.1.replacingOccurrences(of: fixtures, with: "$BAD"))) }))
        }
        switch error {
        case let .unreadableFile(path): return object([("case", "unreadableFile"), ("path", path)])
        case let .missingTokenizerFile(folder): return object([("case", "missingTokenizerFile"), ("folder", folder)])
        case let .malformedJSON(file): return object([("case", "malformedJSON"), ("file", file)])
        case let .missingKey(path): return object([("case", "missingKey"), ("path", path)])
        case let .wrongType(path, expected, found): return object([("case", "wrongType"), ("path", path), ("expected", expected), ("found", found)])
        case let .unsupportedComponent(path, type): return object([("case", "unsupportedComponent"), ("path", path), ("type", type)])
        case let .invalidRegex(path, pattern): return object([("case", "invalidRegex"), ("path", path), ("pattern", pattern)])
        case let .tokenNotInVocabulary(path, token): return object([("case", "tokenNotInVocabulary"), ("path", path), ("token", token)])
        case let .invalidValue(path, value, reason): return object([("case", "invalidValue"), ("path", path), ("value", value), ("reason", reason)])
        }
    }

    /// An example as the manifest writes it: `{"input_ids": [1, 2], "idx": 3, "labels": null}`.
    static func encode(_ example: Example) -> JSONValue {
        .object(JSONObject(zip(example.names, example.values).map { name, value in
            switch value {
            case .sequence(let ids): return (key: name, value: .array(ids.map { .integer(Int64($0)) }))
            case .scalar(let id): return (key: name, value: .integer(Int64(id)))
            case .null: return (key: name, value: .null)
            case .float(let value): return (key: name, value: .number("\(Double(value))"))
            case .bool(let flag): return (key: name, value: .bool(flag))
            }
        }))
    }
}
