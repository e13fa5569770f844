/// Writes JSON text without Foundation: compact, keys in the order given.
public enum JSONWriter {
    /// Appends the JSON text of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .integer(let number): out += String(number)
        case .number(let text): out += text
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                write(element, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += ", " }
                writeString(member.key, into: &out)
                out += ": "
                write(member.value, into: &out)
            }
            out += "}"
        }
    }

    /// Appends `text` as a JSON string literal, escaping as Python's `json.dumps(ensure_ascii=False)` does.
    public static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Appends a `float32` value as Python's `json.dumps` prints `float(value)`: the shortest
    /// text that reads back as the same double (`0.5`, `1.0`, `0.10000000149011612`, `1e-05`,
    /// `1e+16`), and `NaN`, `Infinity`, `-Infinity` for the values JSON has no number for.
    public static func writeFloat32(_ value: Float, into out: inout String) {
        writeDouble(Double(value), into: &out)
    }

    /// Appends a double as Python's `repr(float)` (and so `json.dumps`) prints it.
    public static func writeDouble(_ value: Double, into out: inout String) {
        guard value.isFinite else {
            out += value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity")
            return
        }
        // Swift's description is the shortest round-trip digits, as Python's repr; the two differ
        // only in layout: Python uses exponent form below 1e-4 and from 1e16, Swift from 2^53.
        let magnitude = abs(value)
        if magnitude != 0, magnitude < 1e-4 || magnitude >= 1e16 {
            let text = "\(value)"
            guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
                out += pythonExponent(text)
                return
            }
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var exponent = String(text[text.index(after: e)...])
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.count < 2 { exponent = "0" + exponent }
            out += mantissa + "e" + sign + exponent
            return
        }
        let text = "\(value)"
        if text.contains("e") {
            out += pythonFixed(value)
        } else {
            out += text
        }
    }

    /// Python layout of a large double Swift printed without an exponent (e.g. `1e+16`).
    private static func pythonExponent(_ text: String) -> String {
        var digits = text
        var negative = false
        if digits.hasPrefix("-") { negative = true; digits.removeFirst() }
        if let dot = digits.firstIndex(of: ".") {
            let fraction = digits[digits.index(after: dot)...]
            guard fraction.allSatisfy({ $0 == "0" }) else { return text }
            digits = String(digits[..<dot])
        }
        let exponent = digits.count - 1
        var significant = digits
        while significant.count > 1, significant.hasSuffix("0") { significant.removeLast() }
        var mantissa = String(significant.prefix(1))
        if significant.count > 1 { mantissa += "." + significant.dropFirst() }
        return (negative ? "-" : "") + mantissa + "e+" + (exponent < 10 ? "0" : "") + String(exponent)
    }

    /// Python layout of a double in [1e-4, 1e16) that Swift printed with an exponent.
    private static func pythonFixed(_ value: Double) -> String {
        let text = "\(value)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) else { return text }
        var mantissa = String(text[..<e])
        var negative = false
        if mantissa.hasPrefix("-") { negative = true; mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction == "0" { fraction = "" }
        var digits = whole + fraction
        var point = whole.count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        }
        if digits.count < point { digits += String(repeating: "0", count: point - digits.count) }
        let integerPart = digits.prefix(point)
        var fractionPart = String(digits.dropFirst(point))
        while fractionPart.hasSuffix("0") { fractionPart.removeLast() }
        if fractionPart.isEmpty { fractionPart = "0" }
        return (negative ? "-" : "") + integerPart + "." + fractionPart
    }

    /// Appends `"key": ` as UTF-8 bytes (the key escaped as ``writeString(_:into:)`` does).
    public static func appendKey(_ key: String, into out: inout [UInt8]) {
        var text = ""
        writeString(key, into: &text)
        out.append(contentsOf: text.utf8)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
    }

    /// Appends integers as comma-separated JSON numbers (`1, 2, 3`, no brackets) to UTF-8 bytes:
    /// the fast path of row output. `first` says whether nothing precedes them in the array,
    /// and is cleared once a value is written, so several runs can fill one array.
    /// - Complexity: O(*n*).
    public static func appendIntegers(_ values: UnsafeBufferPointer<Int32>, first: inout Bool, into out: inout [UInt8]) {
        guard !values.isEmpty else { return }
        // At most 13 bytes per value (", -2147483648"): write into a scratch array with pointers, copy once.
        let leadingSeparator = !first
        first = false
        let text = [UInt8](unsafeUninitializedCapacity: values.count * 13) { buffer, count in
            guard let start = buffer.baseAddress else { count = 0; return }
            var cursor = start
            for (index, value) in values.enumerated() {
                if index > 0 || leadingSeparator {
                    cursor[0] = UInt8(ascii: ",")
                    cursor[1] = UInt8(ascii: " ")
                    cursor += 2
                }
                if value < 0 {
                    cursor.pointee = UInt8(ascii: "-")
                    cursor += 1
                }
                var magnitude = value.magnitude
                cursor += decimalDigitCount(magnitude)
                var digit = cursor
                repeat {
                    digit -= 1
                    digit.pointee = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
            }
            count = start.distance(to: cursor)
        }
        out.append(contentsOf: text)
    }

    /// The number of decimal digits of `value` (1 for 0).
    @inline(__always)
    static func decimalDigitCount(_ value: UInt32) -> Int {
        if value < 10_000 {
            return value < 100 ? (value < 10 ? 1 : 2) : (value < 1000 ? 3 : 4)
        }
        if value < 100_000_000 {
            return value < 1_000_000 ? (value < 100_000 ? 5 : 6) : (value < 10_000_000 ? 7 : 8)
        }
        return value < 1_000_000_000 ? 9 : 10
    }

    /// Appends integers as a JSON array (`[1, 2, 3]`), the hot path of batch output.
    public static func writeIntegers<C: Collection>(_ values: C, into out: inout String) where C.Element == Int32 {
        out += "["
        var first = true
        for value in values {
            if !first { out += ", " }
            first = false
            out += String(value)
        }
        out += "]"
    }
}
