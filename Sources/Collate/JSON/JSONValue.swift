/// A JSON value, as read by Collate's own parser.
///
/// Collate parses JSON itself rather than through `JSONSerialization` because training data
/// needs distinctions Foundation blurs: `1` versus `1.0` versus `true`, integers beyond 64 bits,
/// and the exact position of a bad value so an error can name its line and field.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int64`.
    case integer(Int64)
    /// Any other number, kept as its source text so nothing is lost (`1.5`, `1e3`, `99999999999999999999`).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, with its keys in source order.
    case object(JSONObject)
}

/// A JSON object that keeps its keys in source order.
public struct JSONObject: Sendable, Hashable {
    /// The members in source order, keys distinct: ``JSONParser`` rejects a repeated key (or keeps its last value with ``JSONParser/DuplicateKeys/keepLast``).
    public private(set) var members: [(key: String, value: JSONValue)]

    /// Creates an object from members in order; a repeated key keeps its first position and
    /// its last value.
    /// - Complexity: O(*n*) (a safetensors header or an export index can have 50,000 keys).
    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = []
        self.members.reserveCapacity(members.count)
        var indexOfKey: [_ExactJSONKey: Int] = [:]
        indexOfKey.reserveCapacity(members.count)
        for member in members {
            if let index = indexOfKey[_ExactJSONKey(member.key)] {
                self.members[index].value = member.value
            } else {
                indexOfKey[_ExactJSONKey(member.key)] = self.members.count
                self.members.append(member)
            }
        }
    }

    /// Creates an object from members whose keys are known to be distinct (the parser's path).
    init(distinctMembers: [(key: String, value: JSONValue)]) {
        members = distinctMembers
    }

    /// The keys in source order.
    public var keys: [String] { members.map(\.key) }

    /// The value of `key`, or `nil` when the object has no such key.
    ///
    /// - Complexity: O(*n*) in the number of members; objects here are small.
    public subscript(key: String) -> JSONValue? {
        get { members.first(where: { _sameUTF8($0.key, key) })?.value }
        set {
            if let index = members.firstIndex(where: { _sameUTF8($0.key, key) }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { _sameUTF8($0.key, $1.key) && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

extension JSONValue {
    /// A short name of the value's JSON type, for error messages (`"string"`, `"array"`, ...).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value written back as compact JSON, shortened to `limit` characters for messages.
    public func preview(limit: Int = 60) -> String {
        let text = jsonText
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "..."
    }

    /// The value as compact JSON text.
    public var jsonText: String {
        var out = ""
        JSONWriter.write(self, into: &out)
        return out
    }
}

/// Whether two strings have the same UTF-8 bytes (code points, not canonical equivalence):
/// the lengths first, then the bytes in place (`utf8.elementsEqual` walked them through the
/// generic view, ~400 instructions a key lookup).
@inline(__always)
func _sameUTF8(_ lhs: String, _ rhs: String) -> Bool {
    let left = lhs.utf8, right = rhs.utf8
    guard left.count == right.count else { return false }
    let same = left.withContiguousStorageIfAvailable { left in
        right.withContiguousStorageIfAvailable { right in
            var index = 0
            while index < left.count {
                if left[index] != right[index] { return false }
                index += 1
            }
            return true
        }
    }
    return (same ?? nil) ?? left.elementsEqual(right)
}

/// An object key compared by its code points, as JSON and Python compare keys: Swift's `String`
/// equality is canonical equivalence, which would make "\u{E9}" and "e\u{301}" (two distinct
/// vocabulary pieces) one key.
struct _ExactJSONKey: Hashable {
    let key: String

    init(_ key: String) { self.key = key }

    static func == (lhs: _ExactJSONKey, rhs: _ExactJSONKey) -> Bool {
        _sameUTF8(lhs.key, rhs.key)
    }

    func hash(into hasher: inout Hasher) {
        var key = key
        key.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
