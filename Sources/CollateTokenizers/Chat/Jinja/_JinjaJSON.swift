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
        defer { writer.bytes.deallocate() }
        try writer.write(value, level: 0)
        return writer.out
    }

    /// Writes into one UTF-8 buffer: separators and indentation are bytes prepared once, strings
    /// are copied from their contiguous UTF-8 (no per-value `String`, no generic `UTF8View` append).
    struct Writer {
        var ensureASCII: Bool
        /// One level's indentation, `nil` for one-line output.
        var indent: [UInt8]?
        var itemSeparator: [UInt8]
        var keySeparator: [UInt8]
        var sortKeys: Bool
        var line: Int
        /// The output, freed by `dumps` when the text is taken.
        var bytes = _ByteBuffer()

        init(ensureASCII: Bool, indent: String?, itemSeparator: String, keySeparator: String, sortKeys: Bool, line: Int) {
            self.ensureASCII = ensureASCII
            self.indent = indent.map { Array($0.utf8) }
            self.itemSeparator = Self.bytes(itemSeparator)
            self.keySeparator = Self.bytes(keySeparator)
            self.sortKeys = sortKeys
            self.line = line
        }

        /// The text written so far.
        var out: String { bytes.withBytes(_string) }

        // `json.dumps`' separators, made once: a `tojson` call builds no array for them.
        private static let comma: [UInt8] = [UInt8(ascii: ",")]
        private static let commaSpace: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: " ")]
        private static let colon: [UInt8] = [UInt8(ascii: ":")]
        private static let colonSpace: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: " ")]

        /// A separator's bytes: a shared array for the usual ones.
        private static func bytes(_ separator: String) -> [UInt8] {
            switch separator {
            case ", ": commaSpace
            case ",": comma
            case ": ": colonSpace
            case ":": colon
            default: Array(separator.utf8)
            }
        }

        @inline(__always) mutating func append(_ text: String) {
            bytes.append(text)
        }

        @inline(__always) mutating func append(_ text: StaticString) {
            bytes.append(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        @inline(__always) mutating func append(_ pattern: [UInt8]) {
            pattern.withUnsafeBufferPointer { bytes.append(bytes: $0) }
        }

        mutating func newline(_ level: Int) {
            guard let indent else { return }
            bytes.append(byte: UInt8(ascii: "\n"))
            for _ in 0..<level { append(indent) }
        }

        mutating func writeString(_ text: String) {
            let ensureASCII = self.ensureASCII
            var text = text
            let plain = text.withUTF8 { utf8 in
                for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (ensureASCII && byte > 0x7F) {
                    return false
                }
                bytes.append(byte: UInt8(ascii: "\""))
                bytes.append(bytes: utf8)
                bytes.append(byte: UInt8(ascii: "\""))
                return true
            }
            if plain { return }
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
            case .none: append("null" as StaticString)
            case .bool(let flag): append(flag ? "true" as StaticString : "false")
            case .int(let number): append(String(number))
            case .float(let number):
                if number.isNaN {
                    append("NaN" as StaticString)
                } else if number.isInfinite {
                    append(number < 0 ? "-Infinity" as StaticString : "Infinity")
                } else {
                    append(_pythonFloatRepr(number))
                }
            case .string(let text): writeString(text)
            case .list(let items):
                guard !items.isEmpty else {
                    append("[]" as StaticString)
                    return
                }
                bytes.append(byte: UInt8(ascii: "["))
                for index in items.indices {
                    if index > 0 { append(itemSeparator) }
                    newline(level + 1)
                    try write(items[index], level: level + 1)
                }
                newline(level)
                bytes.append(byte: UInt8(ascii: "]"))
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
            let count = dict.count
            guard count > 0 else {
                append("{}" as StaticString)
                return
            }
            let keys = dict.keys
            bytes.append(byte: UInt8(ascii: "{"))
            if sortKeys {
                let order = Array(0..<count).sorted { _compareScalars(keys[$0], keys[$1]) < 0 }
                for (position, index) in order.enumerated() { try writeMember(dict, keys, index, first: position == 0, level: level) }
            } else {
                for index in 0..<count { try writeMember(dict, keys, index, first: index == 0, level: level) }
            }
            newline(level)
            bytes.append(byte: UInt8(ascii: "}"))
        }

        /// One `"key": value` member of an object (key `keys[index]`).
        @inline(__always)
        private mutating func writeMember(_ dict: JinjaDict, _ keys: [String], _ index: Int, first: Bool, level: Int) throws {
            if !first { append(itemSeparator) }
            newline(level + 1)
            let key = keys[index]
            if JinjaDict.isEncodedKey(key), let text = JinjaDict.jsonKeyText(key) { writeString(text) } else { writeString(key) }
            append(keySeparator)
            try write(dict.value(at: index), level: level + 1)
        }
    }
}
