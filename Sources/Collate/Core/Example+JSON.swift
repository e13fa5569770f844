import Foundation

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
                // The common case first, without building the field name ("input_ids[3]") per element.
                if case .integer(let number) = element, let narrowed = Int32(exactly: number) {
                    tokens.append(narrowed)
                    continue
                }
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

extension Example {
    /// Decodes one JSONL line of a pre-tokenized example straight from its bytes, the fast path
    /// of every data reader: an object whose values are arrays of integers, integers, booleans
    /// or `null`, written without escapes in the keys.
    ///
    /// Returns `nil` for anything else — a string or nested value, a number with a fraction or
    /// exponent, an id out of `Int32` range, a repeated key, a syntax error — so the caller
    /// falls back to ``JSONParser`` and ``init(json:)``, whose errors and results are the
    /// reference. Whatever this accepts decodes to the same example those two produce.
    /// - Parameter bytes: One line's UTF-8 bytes (surrounding JSON whitespace allowed).
    /// - Returns: The example, or `nil` when the line needs the general parser.
    /// - Complexity: O(*n*) in the line's length, one pass per array plus a comma count.
    public static func decodeTokenizedLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Example? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        var scanner = _TokenizedLineScanner(position: base, end: base + bytes.count)
        return scanner.example()
    }
}

/// The byte scanner behind ``Example/decodeTokenizedLine(_:)``: pointer arithmetic, no bounds
/// checks beyond the explicit `position < end` tests, no intermediate ``JSONValue``.
struct _TokenizedLineScanner {
    var position: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            switch position.pointee {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The byte at the position, or 0 at the end (0 is never valid JSON outside a string).
    @inline(__always)
    var current: UInt8 { position < end ? position.pointee : 0 }

    mutating func example() -> Example? {
        skipWhitespace()
        guard current == UInt8(ascii: "{") else { return nil }
        position += 1
        var names: [String] = []
        var values: [Example.Value] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard let name = key() else { return nil }
                // A repeated key is an error the general parser words (it finds repeats by hashing:
                // a wide line, thousands of fields, goes there too, so this linear search never
                // makes a 50,000-field line quadratic).
                if names.count >= 64 || names.contains(name) { return nil }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return nil }
                position += 1
                skipWhitespace()
                guard let value = value() else { return nil }
                names.append(name)
                values.append(value)
                skipWhitespace()
                let separator = current
                position += 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else { return nil }
            }
        }
        skipWhitespace()
        guard position == end else { return nil }
        var example = Example([:])
        example.names = names
        example.values = values
        return example
    }

    /// A key of printable ASCII without escapes; `nil` for anything else.
    mutating func key() -> String? {
        guard current == UInt8(ascii: "\"") else { return nil }
        position += 1
        let start = position
        while position < end {
            let byte = position.pointee
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(start: start, count: start.distance(to: position)), as: UTF8.self)
                position += 1
                return text
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            position += 1
        }
        return nil
    }

    mutating func value() -> Example.Value? {
        switch current {
        case UInt8(ascii: "["): return sequence()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let number = integer() else { return nil }
            return .scalar(number)
        case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return word("null") ? .null : nil
        default: return nil
        }
    }

    mutating func word(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position.distance(to: end) >= count else { return false }
        let expected = text.utf8Start
        for index in 0..<count where position[index] != expected[index] { return false }
        position += count
        return true
    }

    /// An integer that fits in `Int32`, written as JSON writes it (no leading zeros, no
    /// fraction or exponent); `nil` otherwise.
    @inline(__always)
    mutating func integer() -> Int32? {
        var negative = false
        if position < end, position.pointee == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < end else { return nil }
        let first = position.pointee &- UInt8(ascii: "0")
        guard first < 10 else { return nil }
        position += 1
        var magnitude = Int64(first)
        var digits = 1
        if first == 0 {
            if position < end, position.pointee &- UInt8(ascii: "0") < 10 { return nil }
        } else {
            while position < end {
                let digit = position.pointee &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                digits += 1
                guard digits <= 10 else { return nil }
                magnitude = magnitude &* 10 &+ Int64(digit)
                position += 1
            }
        }
        if position < end {
            let next = position.pointee
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        }
        return Int32(exactly: negative ? -magnitude : magnitude)
    }

    /// An array of `Int32` integers; `nil` for any other element.
    ///
    /// The closing `]` is found first (`memchr`), so the element loop reads up to it with no
    /// other end test: `]` stops every digit and whitespace run. The commas before it give the
    /// exact capacity of valid input.
    mutating func sequence() -> Example.Value? {
        position += 1  // "["
        guard position < end, let found = memchr(position, Int32(UInt8(ascii: "]")), position.distance(to: end)) else { return nil }
        let close = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
        var cursor = position
        while Self.isWhitespace(cursor.pointee) { cursor += 1 }
        if cursor == close {
            position = close + 1
            return .sequence([])
        }
        // Every element but the last takes two bytes or more (a digit and a comma): a bound
        // found without a pass over the bytes. A short array is parsed into it; a long one,
        // whose bound would hold several times the memory its ids need, into a buffer of the
        // bound and then copied to an exact array (one copy costs less than a pass counting commas).
        let capacity = (cursor.distance(to: close) + 1) / 2 + 1
        var failed = false
        var tokens = [Int32](unsafeUninitializedCapacity: capacity) { buffer, count in
            var index = 0
            count = 0
            guard let output = buffer.baseAddress else { failed = true; return }
            // Eight bytes may be loaded at the cursor while this many remain before the line's end.
            let swarLimit = end - 8
            while true {
                // The common element, a non-negative id of 1–7 digits, eight bytes at a time.
                if cursor <= swarLimit, let (token, digits) = Self.swarDigits(cursor) {
                    guard index < capacity else { failed = true; return }
                    output[index] = token
                    index += 1
                    count = index
                    cursor += digits
                    if cursor.pointee == UInt8(ascii: ",") {
                        cursor += 1
                        if cursor.pointee == 0x20 { cursor += 1 }
                        while Self.isWhitespace(cursor.pointee) { cursor += 1 }
                        continue
                    }
                    while Self.isWhitespace(cursor.pointee) { cursor += 1 }
                    if cursor.pointee == UInt8(ascii: ",") {
                        cursor += 1
                        while Self.isWhitespace(cursor.pointee) { cursor += 1 }
                        continue
                    }
                    // Anything else (`.`, `e`, a letter) is for the general parser; `]` ends the array.
                    if cursor != close { failed = true }
                    return
                }
                // One element: -?(0|[1-9][0-9]*), at most 10 digits, then in Int32 range.
                let negative = cursor.pointee == UInt8(ascii: "-")
                if negative { cursor += 1 }
                var digit = cursor.pointee &- UInt8(ascii: "0")
                guard digit < 10 else { failed = true; return }
                cursor += 1
                var magnitude = UInt64(digit)
                if digit == 0 {
                    guard cursor.pointee &- UInt8(ascii: "0") >= 10 else { failed = true; return }
                } else {
                    let first = cursor
                    while true {
                        digit = cursor.pointee &- UInt8(ascii: "0")
                        if digit >= 10 { break }
                        magnitude = magnitude &* 10 &+ UInt64(digit)
                        cursor += 1
                    }
                    guard first.distance(to: cursor) < 10 else { failed = true; return }
                }
                let signed = negative ? -Int64(magnitude) : Int64(magnitude)
                guard index < capacity, let token = Int32(exactly: signed) else { failed = true; return }
                output[index] = token
                index += 1
                count = index
                var separator = cursor.pointee
                if separator == UInt8(ascii: ",") {
                    cursor += 1
                    if cursor.pointee == 0x20 { cursor += 1 }
                    while Self.isWhitespace(cursor.pointee) { cursor += 1 }
                    continue
                }
                while Self.isWhitespace(separator) {
                    cursor += 1
                    separator = cursor.pointee
                }
                if separator == UInt8(ascii: ",") {
                    cursor += 1
                    while Self.isWhitespace(cursor.pointee) { cursor += 1 }
                    continue
                }
                // Anything else (`.`, `e`, a letter) is for the general parser; `]` ends the array.
                if cursor != close { failed = true }
                return
            }
        }
        guard !failed else { return nil }
        if tokens.capacity > 2 * tokens.count + 16 {
            tokens = tokens.withUnsafeBufferPointer { source in
                [Int32](unsafeUninitializedCapacity: source.count) { target, count in
                    count = target.initialize(fromContentsOf: source)
                }
            }
        }
        position = close + 1
        return .sequence(tokens)
    }

    /// The value and length of the run of 1–7 decimal digits at `pointer`, read as one 64-bit
    /// word (SWAR: eight digits converted with three multiplications); `nil` when the run is
    /// empty, longer than seven digits, or a leading zero followed by a digit (the scalar loop
    /// decides those). The caller guarantees eight readable bytes.
    @inline(__always)
    static func swarDigits(_ pointer: UnsafePointer<UInt8>) -> (Int32, Int)? {
        let word = UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
        // Each byte minus '0' is 0–9 for a digit; any other byte has its high bit set after + 0x76.
        // A carry out of a non-digit byte only reaches the bytes after it, never an earlier digit.
        let values = word &- 0x3030_3030_3030_3030
        let nonDigits = ((values &+ 0x7676_7676_7676_7676) | values) & 0x8080_8080_8080_8080
        let digits = nonDigits.trailingZeroBitCount >> 3
        guard digits > 0, digits < 8 else { return nil }
        // "0" alone is fine; "01" is not JSON.
        if digits > 1, values & 0xFF == 0 { return nil }
        // Move the digits to the top bytes (leading zeros below), then combine pairs, quads, octets.
        var number = values &<< UInt64(64 - 8 * digits)
        number = ((number & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) &>> 8
        number = ((number & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        number = ((number & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
        return (Int32(truncatingIfNeeded: number), digits)
    }

    /// The number of `,` bytes in `start..<end`, eight bytes at a time.
    @inline(__always)
    static func countCommas(from start: UnsafePointer<UInt8>, to end: UnsafePointer<UInt8>) -> Int {
        var pointer = start
        var count = 0
        let raw = UnsafeRawPointer(start)
        var offset = 0
        let length = start.distance(to: end)
        while offset + 8 <= length {
            // Bytes equal to ',' become zero; the exact zero-byte test marks each with its high bit.
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ 0x2C2C_2C2C_2C2C_2C2C
            let zeros = ~(((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word | 0x7F7F_7F7F_7F7F_7F7F)
            count &+= zeros.nonzeroBitCount
            offset &+= 8
        }
        pointer += offset
        while pointer < end {
            count &+= pointer.pointee == UInt8(ascii: ",") ? 1 : 0
            pointer += 1
        }
        return count
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
