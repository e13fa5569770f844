/// Why a collator spec (JSON) could not build a collator. Each case names the key and value
/// at fault and says what would be accepted.
public enum SpecError: Error, Sendable, Hashable {
    /// The spec is not a JSON object, or not valid JSON.
    case notAnObject(found: String)
    /// The spec has no `"type"` string.
    case missingType
    /// No collator is registered under this type.
    case unknownType(String, known: [String])
    /// A key the collator type does not take (a typo, usually).
    case unknownKey(String, type: String, allowed: [String])
    /// A key whose value has the wrong JSON type.
    case wrongType(key: String, expected: String, found: String)
    /// A key whose value has the right type but is not allowed.
    case invalidValue(key: String, value: String, reason: String)
    /// A key the collator type cannot do without.
    case missingKey(String, type: String, reason: String)
}

extension SpecError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .notAnObject(found):
            "a collator spec must be a JSON object like {\"type\": \"language-modeling\", \"pad_token_id\": 0}; found \(found)"
        case .missingType:
            "the spec has no \"type\"; add one of the registered types, e.g. \"type\": \"language-modeling\""
        case let .unknownType(type, known):
            "unknown collator type \"\(type)\"; known types: \(known.joined(separator: ", "))"
                + (SpecError.closest(to: type, in: known).map { " (did you mean \"\($0)\"?)" } ?? "")
        case let .unknownKey(key, type, allowed):
            "unknown key \"\(key)\" for collator type \"\(type)\""
                + (SpecError.closest(to: key, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? "")
                + "; allowed keys: \(allowed.joined(separator: ", "))"
        case let .wrongType(key, expected, found):
            "key \"\(key)\" must be \(expected), found \(found)"
        case let .invalidValue(key, value, reason):
            "key \"\(key)\" = \(value): \(reason)"
        case let .missingKey(key, type, reason):
            "collator type \"\(type)\" needs key \"\(key)\": \(reason)"
        }
    }

    /// The candidate within edit distance 2 of `word` (or one extending it, or extended by it),
    /// if any: a likely typo's intent, for "did you mean" in spec and configuration errors.
    /// - Parameters:
    ///   - word: What the user wrote.
    ///   - candidates: The names it may have meant, in order of preference.
    /// - Returns: The closest candidate, or `nil` when none is near.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        if let extended = candidates.first(where: { $0.hasPrefix(word) || word.hasPrefix($0) }) { return extended }
        let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
