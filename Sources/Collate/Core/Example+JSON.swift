/// Why one JSON object could not become an ``Example``: the field, its value and the fix.
public struct ExampleDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault, with an element index where one applies (`input_ids[3]`); empty for the whole object.
    public var field: String
    /// The offending value as compact JSON, shortened.
    public var value: String
    /// What is wrong and how to fix it.
    public var reason: String

    /// Creates a decoding error.
    public init(field: String, value: String, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String {
        field.isEmpty ? "\(reason) (got \(value))" : "field '\(field)' = \(value): \(reason)"
    }
}

extension Example {
    /// Decodes an example from one JSON object whose values are integers, arrays of integers,
    /// numbers, booleans or null.
    ///
    /// Every id must be a JSON integer that fits in `Int32`: `1.0`, `true`, `"1"`, nested
    /// arrays and out-of-range numbers are rejected with the field and element index named.
    /// A scalar field may also be a non-integer number (`"margin": 0.5`, kept as the `Float`
    /// PyTorch's `float32` would hold) or a boolean (`"label": true`).
    /// - Throws: ``ExampleDecodingError``.
    public init(json: JSONValue) throws(ExampleDecodingError) {
        guard case .object(let object) = json else {
            throw ExampleDecodingError(field: "", value: json.preview(), reason: "an example must be a JSON object of named integer arrays, e.g. {\"input_ids\": [1, 2, 3]}")
        }
        self.init()
        names.reserveCapacity(object.members.count)
        values.reserveCapacity(object.members.count)
        for (key, value) in object.members {
            names.append(key)
            values.append(try Example.decodeValue(value, field: key))
        }
    }

    /// Decodes an example from the JSON text of one object.
    /// - Throws: ``ExampleDecodingError`` for bad JSON or values.
    public init(jsonText: String) throws(ExampleDecodingError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(jsonText)
        } catch {
            throw ExampleDecodingError(field: "", value: String(jsonText.prefix(40)), reason: error.description)
        }
        try self.init(json: value)
    }

    private init() {
        names = []
        values = []
    }

    private static func decodeValue(_ value: JSONValue, field: String) throws(ExampleDecodingError) -> Value {
        switch value {
        case .null:
            return .null
        case .integer(let number):
            return .scalar(try checkedInt32(number, field: field, original: value))
        case .number(let text) where Example.isWholeNumber(text):
            throw ExampleDecodingError(field: field, value: value.preview(), reason: outOfRange)
        case .number(let text):
            // Python reads the text as a double and torch rounds it to float32: round the same way.
            guard let double = Double(text), double.isFinite else {
                throw ExampleDecodingError(field: field, value: value.preview(), reason: "must be a finite number")
            }
            return .float(Float(double))
        case .bool(let flag):
            return .bool(flag)
        case .array(let elements):
            var tokens = [Int32]()
            tokens.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                if case .number(let text) = element, Example.isWholeNumber(text) {
                    throw ExampleDecodingError(field: "\(field)[\(index)]", value: element.preview(), reason: outOfRange)
                }
                guard case .integer(let number) = element else {
                    throw ExampleDecodingError(
                        field: "\(field)[\(index)]", value: element.preview(),
                        reason: "token ids must be JSON integers (found \(element.typeName)); write ids as whole numbers, one flat array per field")
                }
                tokens.append(try checkedInt32(number, field: "\(field)[\(index)]", original: element))
            }
            return .sequence(tokens)
        default:
            throw ExampleDecodingError(
                field: field, value: value.preview(),
                reason: "example fields must be integers or arrays of integers (found \(value.typeName)); tokenize text fields first or drop them")
        }
    }

    private static let outOfRange = "does not fit in 32 bits; token ids and labels must be between -2147483648 and 2147483647"

    private static func checkedInt32(_ number: Int64, field: String, original: JSONValue) throws(ExampleDecodingError) -> Int32 {
        guard let narrowed = Int32(exactly: number) else {
            throw ExampleDecodingError(field: field, value: original.preview(), reason: outOfRange)
        }
        return narrowed
    }

    /// Whether number text is an integer too large for `Int64` (no fraction, no exponent),
    /// so the error can say "does not fit" rather than "not an integer".
    private static func isWholeNumber(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }
}
