/// Why a `transforms` spec could not build a pipeline; each case names the entry and says
/// what would be accepted.
public enum TransformSpecError: Error, Sendable, Hashable {
    /// `transforms` is not an array.
    case notAnArray(found: String)
    /// An entry is not a JSON object.
    case notAnObject(index: Int, found: String)
    /// An entry has no `"type"` string.
    case missingType(index: Int)
    /// No transform is registered under this type.
    case unknownType(String, index: Int, known: [String])
    /// A key the transform type does not take.
    case unknownKey(String, type: String, index: Int, allowed: [String])
    /// A key is missing or holds a bad value.
    case invalidEntry(index: Int, type: String, SpecError)
}

extension TransformSpecError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .notAnArray(found):
            "\"transforms\" must be an array of objects like [{\"type\": \"truncate\", \"max_length\": 2048}]; found \(found)"
        case let .notAnObject(index, found):
            "transforms[\(index)] must be an object with a \"type\"; found \(found)"
        case let .missingType(index):
            "transforms[\(index)] has no \"type\"; add one of the registered types, e.g. \"type\": \"truncate\""
        case let .unknownType(type, index, known):
            "transforms[\(index)]: unknown transform type \"\(type)\"; known types: \(known.joined(separator: ", "))"
                + (SpecError.closest(to: type, in: known).map { " (did you mean \"\($0)\"?)" } ?? "")
        case let .unknownKey(key, type, index, allowed):
            "transforms[\(index)]: unknown key \"\(key)\" for transform type \"\(type)\""
                + (SpecError.closest(to: key, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? "")
                + "; allowed keys: " + (allowed.isEmpty ? "(none)" : allowed.joined(separator: ", "))
        case let .invalidEntry(index, type, error):
            "transforms[\(index)] (\(type)): \(error)"
        }
    }
}
