import Collate

/// transformers' `tojson` filter: `json.dumps(x, ensure_ascii=False, indent=None,
/// separators=None, sort_keys=False)`, byte for byte.
enum _JinjaJSON {
    static func dumps(_ value: JinjaValue, _ arguments: _JinjaCallArguments) throws -> String {
        let ensureASCII = arguments.bool(0, "ensure_ascii", default: false)
        var indent: String?
        if let indentValue = arguments.value(1, "indent") {
            switch indentValue {
            case .none: indent = nil
            case .string(let text): indent = text
            default:
                guard let width = indentValue.integerIndex else {
                    throw _JinjaFailure(.type, "tojson: indent must be an integer or a string", line: arguments.line)
                }
                try _checkWidth(width, "tojson's indent", line: arguments.line)
                indent = String(repeating: " ", count: max(0, width))
            }
        }
        var itemSeparator = indent == nil ? ", " : ","
        var keySeparator = ": "
        // `separators=(',', ':')`: a tuple, or a list (`json.dumps` unpacks either).
        if let separators = arguments.value(2, "separators"), let pair = separators.sequenceItems {
            guard pair.count == 2, case .string(let item) = pair[0], case .string(let key) = pair[1] else {
                throw _JinjaFailure(.type, "tojson: separators must be a pair of strings", line: arguments.line)
            }
            itemSeparator = item
            keySeparator = key
        }
        let sortKeys = arguments.bool(3, "sort_keys", default: false)
        var writer = Writer(ensureASCII: ensureASCII, indent: indent, itemSeparator: itemSeparator, keySeparator: keySeparator, sortKeys: sortKeys, line: arguments.line)
        try writer.write(value, level: 0)
        return writer.out
    }

    /// Writes into UTF-8 bytes (appending a byte is far cheaper than appending to a `String`).
    struct Writer {
        var ensureASCII: Bool
        var indent: String?
        var itemSeparator: String
        var keySeparator: String
        var sortKeys: Bool
        var line: Int
        var bytes: [UInt8] = []

        init(ensureASCII: Bool, indent: String?, itemSeparator: String, keySeparator: String, sortKeys: Bool, line: Int) {
            self.ensureASCII = ensureASCII
            self.indent = indent
            self.itemSeparator = itemSeparator
            self.keySeparator = keySeparator
            self.sortKeys = sortKeys
            self.line = line
            bytes.reserveCapacity(256)
        }

        /// The text written so far.
        var out: String { String(decoding: bytes, as: UTF8.self) }

        mutating func append(_ text: String) {
            bytes.append(contentsOf: text.utf8)
        }

        mutating func newline(_ level: Int) {
            guard let indent else { return }
            bytes.append(UInt8(ascii: "\n"))
            for _ in 0..<level { append(indent) }
        }

        mutating func writeString(_ text: String) {
            let ensureASCII = self.ensureASCII
            var plain = true
            for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (ensureASCII && byte > 0x7F) {
                plain = false
                break
            }
            if plain {
                bytes.append(UInt8(ascii: "\""))
                bytes.append(contentsOf: text.utf8)
                bytes.append(UInt8(ascii: "\""))
                return
            }
            guard ensureASCII else {
                var escaped = ""
                JSONWriter.writeString(text, into: &escaped)
                append(escaped)
                return
            }
            var out = "\""
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
                    if scalar.value < 0x20 || scalar.value > 0x7F {
                        for unit in String(scalar).utf16 {
                            let hex = String(unit, radix: 16)
                            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                        }
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            out += "\""
            append(out)
        }

        mutating func write(_ value: JinjaValue, level: Int) throws {
            if bytes.count > _JinjaRenderer.maximumValueBytes {
                throw _JinjaFailure(.security, "tojson would build more than the \(_JinjaRenderer.maximumValueBytes) bytes a chat template may build", line: line)
            }
            switch value {
            case .none: append("null")
            case .bool(let flag): append(flag ? "true" : "false")
            case .int(let number): append(String(number))
            case .float(let number):
                if number.isNaN { append("NaN") } else if number.isInfinite { append(number < 0 ? "-Infinity" : "Infinity") } else {
                    append(_pythonFloatRepr(number))
                }
            case .string(let text): writeString(text)
            case .list(let items):
                guard !items.isEmpty else {
                    append("[]")
                    return
                }
                bytes.append(UInt8(ascii: "["))
                for (index, item) in items.enumerated() {
                    if index > 0 { append(itemSeparator) }
                    newline(level + 1)
                    try write(item, level: level + 1)
                }
                newline(level)
                bytes.append(UInt8(ascii: "]"))
            case .dict(let dict):
                try writeObject(dict, level: level)
            case .object(let object):
                // A tuple is a JSON array, as Python's `json` writes it.
                if case .tuple(let items) = object.kind { return try write(.list(items), level: level) }
                throw _JinjaFailure(.type, "Object of type \(object.kind.typeName) is not JSON serializable", line: line)
            case .undefined:
                throw _JinjaFailure(.type, "Object of type Undefined is not JSON serializable", line: line)
            }
        }

        mutating func writeObject(_ dict: JinjaDict, level: Int) throws {
            guard dict.count > 0 else {
                append("{}")
                return
            }
            let keys = dict.keys
            var order = Array(0..<keys.count)
            if sortKeys {
                order.sort { _compareScalars(keys[$0], keys[$1]) < 0 }
            }
            bytes.append(UInt8(ascii: "{"))
            for (position, index) in order.enumerated() {
                if position > 0 { append(itemSeparator) }
                newline(level + 1)
                writeString(keys[index])
                append(keySeparator)
                try write(dict.value(at: index), level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
