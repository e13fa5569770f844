/// A collator spec being read: typed accessors for its keys, with errors that name the key,
/// the value and what would be accepted.
///
/// Keys are HF's parameter names in snake_case; a key that is absent or `null` takes the
/// default the factory passes, as HF's does. A registration's factory reads its keys with these
/// readers, so a third-party type's errors read like the built-in types':
///
/// ```swift
/// try CollatorRegistry.shared.register("prefix-lm", keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of", "min_prefix"]) { spec in
///     // pad_token_id (required), padding_side, padding + max_length, pad_to_multiple_of, as the built-in collators read them
///     let padding = try spec.paddingOptions(withStrategy: true)
///     let minimum = try spec.int32("min_prefix", default: 0) ?? 0
///     return PrefixLMCollator(padding: padding, minimumPrefix: Int(minimum))
/// }
/// // {"type": "prefix-lm", "pad_token_id": "0"} → key "pad_token_id": expected an integer, found string "0"
/// ```
public struct CollatorSpec: Sendable {
    /// The spec's `type`.
    public let type: String
    /// The whole spec object.
    public let object: JSONObject

    /// Creates a spec reader over a spec object.
    public init(type: String, object: JSONObject) {
        self.type = type
        self.object = object
    }

    private func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    /// An integer key that fits in `Int32`, or `defaultValue` when absent or null.
    /// - Parameters:
    ///   - key: The key.
    ///   - defaultValue: The value when the key is absent or null.
    /// - Returns: The integer, or `defaultValue`.
    /// - Throws: ``SpecError/wrongType(key:expected:found:)`` for a non-integer,
    ///   ``SpecError/invalidValue(key:value:reason:)`` for one outside 32 bits.
    public mutating func int32(_ key: String, default defaultValue: Int32? = nil) throws(SpecError) -> Int32? {
        guard let value = value(key) else { return defaultValue }
        guard case .integer(let number) = value else {
            throw .wrongType(key: key, expected: "an integer", found: "\(value.typeName) \(value.preview())")
        }
        guard let narrowed = Int32(exactly: number) else {
            throw .invalidValue(key: key, value: value.preview(), reason: "must fit in 32 bits")
        }
        return narrowed
    }

    /// A required integer key.
    /// - Parameters:
    ///   - key: The key.
    ///   - reason: Why the type needs it, for the error (e.g. "the tokenizer's pad id").
    /// - Returns: The integer.
    /// - Throws: ``SpecError/missingKey(_:type:reason:)`` when absent or null; as ``int32(_:default:)``.
    public mutating func requiredInt32(_ key: String, reason: String) throws(SpecError) -> Int32 {
        guard let value = try int32(key) else { throw .missingKey(key, type: type, reason: reason) }
        return value
    }

    /// The longest length a spec may ask for (2^24 tokens): longer than any model's context,
    /// short enough that padding a batch to it cannot exhaust memory.
    public static let maximumLength = 1 << 24

    /// A positive integer key (a length), or `nil` when absent or null.
    ///
    /// Lengths above ``maximumLength`` are rejected: `pad_to_multiple_of: 2000000000` would
    /// otherwise pad every row to two billion tokens and exhaust memory instead of failing.
    /// - Parameter key: The key (`max_length`, `pad_to_multiple_of`, ...).
    /// - Returns: The length, or `nil`.
    /// - Throws: ``SpecError/invalidValue(key:value:reason:)`` for 0, a negative value or one
    ///   above ``maximumLength``; as ``int32(_:default:)``.
    public mutating func positiveInt(_ key: String) throws(SpecError) -> Int? {
        guard let value = try int32(key) else { return nil }
        guard value > 0 else { throw .invalidValue(key: key, value: String(value), reason: "must be a positive integer or null") }
        guard Int(value) <= Self.maximumLength else {
            throw .invalidValue(key: key, value: String(value), reason: "must be at most \(Self.maximumLength) tokens; no model takes longer rows (a typo?)")
        }
        return Int(value)
    }

    /// A number key (JSON integer or fraction, `0`, `0.15`, `1e-1`), or `defaultValue` when
    /// absent or null.
    public mutating func double(_ key: String, default defaultValue: Double) throws(SpecError) -> Double {
        guard let value = value(key) else { return defaultValue }
        switch value {
        case .integer(let number):
            return Double(number)
        case .number(let text):
            guard let number = Double(text), number.isFinite else {
                throw .invalidValue(key: key, value: text, reason: "must be a finite number")
            }
            return number
        default:
            throw .wrongType(key: key, expected: "a number", found: "\(value.typeName) \(value.preview())")
        }
    }

    /// A probability key: a number in [0, 1], or `defaultValue` when absent or null.
    public mutating func probability(_ key: String, default defaultValue: Double) throws(SpecError) -> Double {
        let number = try double(key, default: defaultValue)
        guard (0...1).contains(number) else {
            throw .invalidValue(key: key, value: String(number), reason: "must be a probability between 0 and 1")
        }
        return number
    }

    /// A boolean key, or `defaultValue` when absent or null.
    public mutating func bool(_ key: String, default defaultValue: Bool) throws(SpecError) -> Bool {
        guard let value = value(key) else { return defaultValue }
        guard case .bool(let flag) = value else {
            throw .wrongType(key: key, expected: "true or false", found: "\(value.typeName) \(value.preview())")
        }
        return flag
    }

    /// A string key, or `nil` when absent or null.
    public mutating func string(_ key: String) throws(SpecError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            throw .wrongType(key: key, expected: "a string", found: "\(value.typeName) \(value.preview())")
        }
        return text
    }

    /// An array-of-integers key (token ids), or `nil` when absent or null.
    public mutating func int32Array(_ key: String) throws(SpecError) -> [Int32]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else {
            throw .wrongType(key: key, expected: "an array of token ids", found: "\(value.typeName) \(value.preview())")
        }
        var ids: [Int32] = []
        for element in elements {
            guard case .integer(let number) = element, let narrowed = Int32(exactly: number) else {
                throw .wrongType(key: key, expected: "an array of 32-bit integer token ids", found: "element \(element.preview())")
            }
            ids.append(narrowed)
        }
        return ids
    }

    /// `padding_side`: `"right"` (default) or `"left"`.
    /// - Returns: The side.
    /// - Throws: ``SpecError/invalidValue(key:value:reason:)`` for any other string.
    public mutating func paddingSide() throws(SpecError) -> PaddingSide {
        guard let text = try string("padding_side") else { return .right }
        guard let side = PaddingSide(rawValue: text) else {
            throw .invalidValue(key: "padding_side", value: "\"\(text)\"", reason: "must be \"right\" or \"left\"")
        }
        return side
    }

    /// `padding` with `max_length`, as HF reads them: `"longest"`/`true` (default),
    /// `"max_length"` (needs `max_length`), `"do_not_pad"`/`false`.
    /// - Returns: The strategy.
    /// - Throws: ``SpecError/missingKey(_:type:reason:)`` for `"max_length"` without `max_length`;
    ///   ``SpecError`` for any other value of either key.
    public mutating func paddingStrategy() throws(SpecError) -> PaddingStrategy {
        let maxLength = try positiveInt("max_length")
        let mode: String
        switch value("padding") {
        case nil: mode = "longest"
        case .bool(let flag)?: mode = flag ? "longest" : "do_not_pad"
        case .string(let text)?: mode = text
        case let other?:
            throw .wrongType(key: "padding", expected: "\"longest\", \"max_length\", \"do_not_pad\" or a boolean", found: "\(other.typeName) \(other.preview())")
        }
        switch mode {
        case "longest": return .longest
        case "do_not_pad": return .doNotPad
        case "max_length":
            guard let maxLength else {
                throw .missingKey("max_length", type: type, reason: "padding \"max_length\" pads every row to max_length; set it (HF would fall back to the model's maximum)")
            }
            return .maxLength(maxLength)
        default:
            throw .invalidValue(key: "padding", value: "\"\(mode)\"", reason: "must be \"longest\", \"max_length\" or \"do_not_pad\"")
        }
    }

    /// The common padding keys: `pad_token_id` (required), `padding_side`, `pad_to_multiple_of`,
    /// and, when `withStrategy`, `padding` and `max_length` — the keys a registration using it
    /// must list.
    /// - Parameter withStrategy: Whether the type takes `padding` and `max_length`.
    /// - Returns: Options for ``PaddingOptions``' padding engine.
    /// - Throws: ``SpecError`` naming the key at fault.
    public mutating func paddingOptions(withStrategy: Bool) throws(SpecError) -> PaddingOptions {
        let padID = try requiredInt32("pad_token_id", reason: "padding needs the tokenizer's pad id (often its eos id when it has no pad token)")
        let side = try paddingSide()
        let strategy = withStrategy ? try paddingStrategy() : .longest
        let multiple = try positiveInt("pad_to_multiple_of")
        return PaddingOptions(padTokenID: padID, side: side, strategy: strategy, padToMultipleOf: multiple)
    }
}
