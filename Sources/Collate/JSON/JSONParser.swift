/// A JSON syntax error: where in the text it is and what was expected.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset of the problem in the parsed text.
    public var offset: Int
    /// What is wrong, e.g. `expected ',' or ']' after an array element`.
    public var reason: String
    /// The key an object repeats, when that is the error (``JSONParser/DuplicateKeys/reject``); else `nil`.
    public var duplicateKey: String?

    /// Creates a syntax error.
    /// - Parameters:
    ///   - offset: Byte offset of the problem.
    ///   - reason: What is wrong and, where it helps, how to fix it.
    ///   - duplicateKey: The repeated key, when the error is a duplicate key.
    public init(offset: Int, reason: String, duplicateKey: String? = nil) {
        self.offset = offset
        self.reason = reason
        self.duplicateKey = duplicateKey
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict JSON parser (RFC 8259) over UTF-8 bytes.
///
/// Integers without fraction or exponent become ``JSONValue/integer(_:)`` when they fit in
/// `Int64`; everything else numeric keeps its text. Nesting is limited so hostile input
/// cannot exhaust the stack.
///
/// An object that repeats a key is an error by default (``DuplicateKeys/reject``): in a spec,
/// a pipeline file or a dataset line two `"input_ids"` are a mistake that Python's `json`
/// would hide by keeping the last. The error names the key, its line and the fix.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    /// What to do with an object that repeats a key.
    public enum DuplicateKeys: Sendable, Hashable {
        /// Throw a ``JSONSyntaxError`` naming the key (the default).
        case reject
        /// Keep the key's first position and last value, as Python's `json` does.
        case keepLast
    }

    /// Parses one JSON value that must span the whole of `text` (surrounding whitespace allowed).
    /// - Throws: ``JSONSyntaxError`` naming the byte offset and what was expected; a repeated key.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, JSONSyntaxError> = copy.withUTF8 { bytes in
            Result { () throws(JSONSyntaxError) in try parse(bytes) }
        }
        return try result.get()
    }

    /// Parses one JSON value that must span the whole of `bytes` (surrounding whitespace allowed).
    /// - Throws: ``JSONSyntaxError`` naming the byte offset and what was expected; a repeated key.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        try parse(bytes, duplicateKeys: .reject)
    }

    /// Parses one JSON value that must span the whole of `bytes`, with a choice for repeated keys.
    /// - Parameters:
    ///   - bytes: UTF-8 text (surrounding whitespace allowed).
    ///   - duplicateKeys: ``DuplicateKeys/reject`` (an error naming the key) or ``DuplicateKeys/keepLast``.
    /// - Returns: The value.
    /// - Throws: ``JSONSyntaxError`` naming the byte offset and what was expected.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, duplicateKeys: DuplicateKeys) throws(JSONSyntaxError) -> JSONValue {
        var parser = _Cursor(bytes: bytes)
        parser.rejectsDuplicateKeys = duplicateKeys == .reject
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }
}

struct _Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var rejectsDuplicateKeys = true

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, reason: reason)
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case 0x80...:
            // Not a Latin-1 character: a byte-order mark in mid-file or text that is not UTF-8.
            throw error("unexpected byte 0x\(String(byte, radix: 16, uppercase: true)) (non-ASCII outside a string: a byte-order mark or text that is not UTF-8?), expected a value")
        default: throw error("unexpected character '\(Character(Unicode.Scalar(byte)))', expected a value")
        }
    }

    mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input in a literal") }
        let pointer = word.utf8Start
        for index in 0..<count where bytes[position + index] != pointer[index] {
            throw error("invalid literal, expected '\(word)'")
        }
        position += count
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            case nil: throw error("unexpected end of input in an array (a truncated line?), expected ',' or ']'")
            default: throw error("expected ',' or ']' after an array element")
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        // Index of each key, so a repeated key replaces in O(1) even in a 100k-member vocabulary.
        var indexOfKey: [_ExactJSONKey: Int] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(JSONObject(distinctMembers: members)) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key in an object") }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':' after the key \"\(key)\"") }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // A small object is searched in place; the index is built once it has 16 members.
            let existing: Int?
            if members.count < 16 {
                existing = members.firstIndex { _sameUTF8($0.key, key) }
            } else {
                if indexOfKey.isEmpty {
                    for (index, member) in members.enumerated() { indexOfKey[_ExactJSONKey(member.key)] = index }
                }
                existing = indexOfKey[_ExactJSONKey(key)]
            }
            if let existing {
                if rejectsDuplicateKeys { throw duplicateKeyError(key, at: keyOffset) }
                members[existing].value = value  // last one wins, as in Python's json
            } else {
                if !indexOfKey.isEmpty || members.count >= 16 { indexOfKey[_ExactJSONKey(key)] = members.count }
                members.append((key, value))
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(JSONObject(distinctMembers: members))
            case nil: throw error("unexpected end of input in an object (a truncated line?), expected ',' or '}'")
            default: throw error("expected ',' or '}' after the value of \"\(key)\"")
            }
        }
    }

    /// The error for a key an object repeats: the key, its line when the text has several, the fix.
    func duplicateKeyError(_ key: String, at offset: Int) -> JSONSyntaxError {
        var place = ""
        if bytes.contains(0x0A) {
            let line = 1 + UnsafeBufferPointer(rebasing: bytes[..<offset]).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            place = " on line \(line)"
        }
        return JSONSyntaxError(
            offset: offset,
            reason: "duplicate key \"\(key)\"\(place): remove one of the two \"\(key)\" keys; Python's json would silently keep the last",
            duplicateKey: key)
    }

    mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        var isInteger = true
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw error("expected a digit")
        }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let digit = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) { position += 1 }
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let digit = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                throw error("expected a digit after '.'")
            }
            while let digit = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                throw error("expected a digit in the exponent")
            }
            while let digit = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) { position += 1 }
        }
        if isInteger {
            // Accumulate negatively so Int64.min parses; overflow means "keep as text".
            var value: Int64 = 0
            var overflow = false
            let negative = bytes[start] == UInt8(ascii: "-")
            for index in (negative ? start + 1 : start)..<position {
                let digit = Int64(bytes[index] &- UInt8(ascii: "0"))
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.subtractingReportingOverflow(digit)
                if o1 || o2 { overflow = true; break }
                value = next
            }
            if !overflow {
                if negative { return .integer(value) }
                if value != Int64.min { return .integer(-value) }
            }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
    }

    mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes. Eight bytes at a time while none is a quote, a backslash or a
        // control character (each test is exact for the word as a whole), then byte by byte.
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while position + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                if special & highs != 0 { break }
                position += 8
            }
        }
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 {
            position += 1
        }
        if current == UInt8(ascii: "\"") {
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
            position += 1
            return try validatedString(slice, at: start)
        }
        var scratch: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try scratch.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
                    try validatedString(buffer, at: start)
                }
            case UInt8(ascii: "\\"):
                position += 1
                guard let escaped = current else { throw error("unterminated escape") }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                              bytes[position + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired UTF-16 surrogate in \\u escape")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired UTF-16 surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw error("unpaired UTF-16 surrogate in \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scratch.append(contentsOf: Array(String(scalar).utf8))
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
                }
            default:
                guard byte >= 0x20 else { throw error("control character in a string; escape it") }
                scratch.append(byte)
                position += 1
            }
        }
    }

    mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    func validatedString(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONSyntaxError) -> String {
        // `String(validating:as:)` is not specialized here: its generic metadata lookups cost
        // ~1,000 instructions a string (a tenth of reading a chat dataset). The same check,
        // then the specialized `String(decoding:as:)` (which has nothing left to repair).
        guard _isValidUTF8(buffer) else {
            throw JSONSyntaxError(offset: start, reason: "string is not valid UTF-8")
        }
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Whether `bytes` are well-formed UTF-8 (Unicode 16, table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF): what `String(validating:as: UTF8.self)` accepts.
@inline(__always)
func _isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let count = bytes.count
    var index = 0
    while index < count {
        // Eight ASCII bytes at a time.
        while index + 8 <= count, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            index += 8
        }
        guard index < count else { return true }
        let lead = base[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        @inline(__always) func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            index + offset < count && base[index + offset] >= low && base[index + offset] <= high
        }
        switch lead {
        case 0xC2...0xDF:
            guard continuation(1) else { return false }
            index += 2
        case 0xE0:
            guard continuation(1, 0xA0), continuation(2) else { return false }
            index += 3
        case 0xE1...0xEC, 0xEE...0xEF:
            guard continuation(1), continuation(2) else { return false }
            index += 3
        case 0xED:
            guard continuation(1, 0x80, 0x9F), continuation(2) else { return false }
            index += 3
        case 0xF0:
            guard continuation(1, 0x90), continuation(2), continuation(3) else { return false }
            index += 4
        case 0xF1...0xF3:
            guard continuation(1), continuation(2), continuation(3) else { return false }
            index += 4
        case 0xF4:
            guard continuation(1, 0x80, 0x8F), continuation(2), continuation(3) else { return false }
            index += 4
        default:
            return false
        }
    }
    return true
}
