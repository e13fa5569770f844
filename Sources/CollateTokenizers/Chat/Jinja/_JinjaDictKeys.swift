/// Dictionary keys other than strings: `{0: 0, 512: 128}` (Seed-OSS's thinking-budget table), a
/// `None` or float key. A dictionary stores its keys as strings; such a key is stored encoded, as
/// U+FFFF (a noncharacter, which no text a template handles carries), a tag (`i` int, `b` bool,
/// `f` float, `n` None) and the value's text. Iterating, `items()`, `keys()`, `dictsort`, the
/// repr and `tojson` give the key back as the value it was.
///
/// As in Python, `1`, `1.0` and `True` are one key: a dictionary keeps the first of them it was
/// given, with the last value. Tuple keys are not supported; a list or dictionary key is
/// Python's "unhashable type" error.
extension JinjaDict {
    /// The first scalar of an encoded key.
    static let encodedKeyMarker: Unicode.Scalar = "\u{FFFF}"

    /// The stored form of `key`, or `nil` for a key this interpreter cannot store.
    static func storageKey(_ key: JinjaValue) -> String? {
        switch key {
        case .string(let text): return text
        case .int(let number): return "\u{FFFF}i\(number)"
        case .bool(let flag): return flag ? "\u{FFFF}b1" : "\u{FFFF}b0"
        case .float(let number): return "\u{FFFF}f" + _pythonFloatRepr(number)
        case .none: return "\u{FFFF}n"
        default: return nil
        }
    }

    /// The stored forms Python takes for the same key as `key` (`1`, `1.0`, `True`), its own first.
    private static func equivalentStorageKeys(_ key: JinjaValue) -> [String]? {
        guard let own = storageKey(key) else { return nil }
        let integral: Int? = switch key {
        case .int(let number): number
        case .bool(let flag): flag ? 1 : 0
        case .float(let number): number.rounded() == number && abs(number) < 9.0e15 ? Int(number) : nil
        default: nil
        }
        guard let integral else { return [own] }
        var forms = [own]
        for form in ["\u{FFFF}i\(integral)", "\u{FFFF}f" + _pythonFloatRepr(Double(integral))] where form != own { forms.append(form) }
        let isBool: Bool = if case .bool = key { true } else { false }
        if (integral == 0 || integral == 1) && !isBool { forms.append("\u{FFFF}b\(integral)") }
        return forms
    }

    /// The key value a stored key stands for: the string itself unless it is an encoded key.
    @inline(__always)
    static func keyValue(_ stored: String) -> JinjaValue {
        // U+FFFF is EF BF BF in UTF-8: one byte read for every ordinary key.
        guard stored.utf8.first == 0xEF, stored.unicodeScalars.first == encodedKeyMarker else { return .string(stored) }
        return decodedKey(stored)
    }

    private static func decodedKey(_ stored: String) -> JinjaValue {
        var scalars = stored.unicodeScalars.dropFirst()
        guard let tag = scalars.popFirst() else { return .string(stored) }
        let text = String(scalars)
        switch tag {
        case "i": if let number = Int(text) { return .int(number) }
        case "b": return .bool(text == "1")
        case "f": if let number = Double(text) { return .float(number) }
        case "n": return .none
        default: break
        }
        return .string(stored)
    }

    /// Whether `stored` is an encoded (non-string) key.
    @inline(__always)
    static func isEncodedKey(_ stored: String) -> Bool {
        stored.utf8.first == 0xEF && stored.unicodeScalars.first == encodedKeyMarker
    }

    /// The key as Python's `json.dumps` writes a non-string key: `str(int)`, `true` / `false`,
    /// `null`, a float's repr; `nil` for an ordinary string key.
    static func jsonKeyText(_ stored: String) -> String? {
        guard isEncodedKey(stored) else { return nil }
        switch decodedKey(stored) {
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .none: return "null"
        case .float(let number):
            if number.isNaN { return "NaN" }
            if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
            return _pythonFloatRepr(number)
        case .string(let text): return text
        default: return stored
        }
    }

    /// Python's `dict[key]` for any key: `nil` when the dictionary has no such key (or the key
    /// cannot be one).
    func value(forKey key: JinjaValue) -> JinjaValue? {
        if case .string(let text) = key { return self[text] }
        guard let forms = Self.equivalentStorageKeys(key) else { return nil }
        for form in forms { if let value = self[form] { return value } }
        return nil
    }

    /// Python's `dict[key] = value` for any key: an equal key already there keeps its place and
    /// form. Throws Python's error for an unhashable key, an unsupported one for a tuple.
    mutating func setValue(_ value: JinjaValue, forKey key: JinjaValue, line: Int) throws {
        if case .string(let text) = key {
            self[text] = value
            return
        }
        guard let forms = Self.equivalentStorageKeys(key) else { throw Self.keyFailure(key, line: line) }
        for form in forms where self[form] != nil {
            self[form] = value
            return
        }
        self[forms[0]] = value
    }

    /// The error for a key a dictionary cannot hold: Python's "unhashable type" for a list or a
    /// dictionary, "not supported" for the rest (a tuple).
    static func keyFailure(_ key: JinjaValue, line: Int) -> _JinjaFailure {
        switch key {
        case .list, .dict: _JinjaFailure(.type, "unhashable type: '\(key.typeName)'", line: line)
        default: _JinjaFailure(.unsupported, "dictionary keys other than strings, numbers and None (got \(key.pythonRepr))", line: line)
        }
    }
}
