import Collate

/// A value a chat template sees or computes, with Jinja's (Python's) semantics.
///
/// Build a context from JSON with ``init(_:)`` (a `JSONValue`) or from the cases directly.
/// Strings count, index and slice by Unicode scalar, as Python's `str` does by code point.
public enum JinjaValue: Sendable {
    /// A name or attribute that does not exist. Renders as empty, is falsy, iterates as empty;
    /// arithmetic on it, calling it or reading its attributes is an error (jinja2's `Undefined`).
    case undefined
    /// Python's `None` (JSON `null`).
    case none
    /// A boolean.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A float.
    case float(Double)
    /// A string.
    case string(String)
    /// A list (Python list or tuple).
    case list([JinjaValue])
    /// A dictionary that keeps its keys in insertion order.
    case dict(JinjaDict)
    /// A namespace, macro, loop object or built-in function: things only a template creates.
    case object(JinjaObject)
}

/// A Jinja dictionary: string keys in insertion order, as a Python `dict` keeps them.
///
/// A dictionary may carry the index of the message of the rendered conversation it is (see
/// ``JinjaRendering/segments``); the tag survives binding to variables and does not take part
/// in equality.
public struct JinjaDict: Sendable {
    /// What a dictionary's storage holds besides its values.
    struct Header {
        /// The keys in order (one array shared by the dictionaries of a JSON list with the same keys).
        let keys: [String]
        /// The index of the conversation message this dictionary is, when it is one.
        let messageIndex: Int?
    }

    /// Keys and values behind one reference, so that copying a dictionary value (which a
    /// template does on every `message.content`) costs one retain; the values lie in the same
    /// allocation as the header (one allocation per dictionary, not two). Shared storage is never
    /// changed: a write copies it unless only the writing dictionary holds it.
    final class Storage: ManagedBuffer<Header, JinjaValue> {
        /// A storage for `keys` whose values `initialize` writes: it must initialize exactly
        /// `keys.count` values at the pointer it is given.
        static func make(keys: [String], messageIndex: Int? = nil, initialize: (UnsafeMutablePointer<JinjaValue>) -> Void) -> Storage {
            let buffer = Storage.create(minimumCapacity: keys.count) { _ in Header(keys: keys, messageIndex: messageIndex) }
            let storage = unsafeDowncast(buffer, to: Storage.self)
            storage.withUnsafeMutablePointerToElements(initialize)
            return storage
        }

        /// A storage for `keys` and the parallel `values`.
        static func make(keys: [String], values: [JinjaValue], messageIndex: Int? = nil) -> Storage {
            make(keys: keys, messageIndex: messageIndex) { elements in
                values.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress { elements.initialize(from: base, count: source.count) }
                }
            }
        }

        // Through the pointer: `header` is a class property, and every read of it would pay a
        // dynamic exclusivity check (the storage is not written while it is read).
        var keys: [String] { withUnsafeMutablePointerToHeader { $0.pointee.keys } }
        var messageIndex: Int? { withUnsafeMutablePointerToHeader { $0.pointee.messageIndex } }

        /// The value at `index` (in `0 ..< keys.count`).
        @inline(__always) func value(at index: Int) -> JinjaValue {
            withUnsafeMutablePointerToElements { $0[index] }
        }

        /// The values as an array.
        var values: [JinjaValue] {
            withUnsafeMutablePointers { header, elements in Array(UnsafeBufferPointer(start: elements, count: header.pointee.keys.count)) }
        }

        deinit {
            // Value by value: `deinitialize(count:)` goes through the runtime's generic array
            // destruction (a value witness call per element); a moved-out value is released by
            // the code specialized for `JinjaValue`.
            withUnsafeMutablePointers { header, elements in
                for index in 0..<header.pointee.keys.count { _ = (elements + index).move() }
            }
        }
    }

    // `ManagedBuffer` is not `Sendable`; a storage is only written while one dictionary holds
    // it (shared, a write makes a new one), so sharing it between threads is safe.
    nonisolated(unsafe) var storage: Storage

    /// The index of the conversation message this dictionary is, when it is one.
    var messageIndex: Int? {
        get { storage.messageIndex }
        set { storage = Storage.make(keys: storage.keys, values: storage.values, messageIndex: newValue) }
    }

    /// Creates a dictionary from key-value pairs in order; a repeated key keeps its last value
    /// at its first position, as Python's `dict` does.
    ///
    /// - Parameter pairs: The members in order.
    public init(_ pairs: [(String, JinjaValue)] = []) {
        // Distinct keys (`namespace(a=1, b=2)`, `dict(...)`: almost always): the keys array and
        // the storage, the values written straight into it.
        var distinct: [String] = []
        distinct.reserveCapacity(pairs.count)
        for (key, _) in pairs {
            if distinct.contains(where: { _pythonStringEqual($0, key) }) { break }
            distinct.append(key)
        }
        if distinct.count == pairs.count {
            storage = pairs.withUnsafeBufferPointer { pairs in
                Storage.make(keys: distinct) { elements in
                    for index in 0..<pairs.count { (elements + index).initialize(to: pairs[index].1) }
                }
            }
            return
        }
        var keys: [String] = []
        var values: [JinjaValue] = []
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if let index = keys.firstIndex(where: { _pythonStringEqual($0, key) }) {
                values[index] = value
            } else {
                keys.append(key)
                values.append(value)
            }
        }
        storage = Storage.make(keys: keys, values: values)
    }

    /// Creates a dictionary from keys known to be distinct.
    init(distinctKeys: [String], values: [JinjaValue]) {
        storage = Storage.make(keys: distinctKeys, values: values)
    }

    /// Creates a dictionary from keys known to be distinct, `initialize` writing exactly
    /// `distinctKeys.count` values at the pointer it is given (no intermediate array).
    init(distinctKeys: [String], initialize: (UnsafeMutablePointer<JinjaValue>) -> Void) {
        storage = Storage.make(keys: distinctKeys, initialize: initialize)
    }

    /// The keys in insertion order.
    public var keys: [String] { storage.keys }
    /// The values, parallel to ``keys``.
    public var values: [JinjaValue] { storage.values }

    /// The number of members.
    public var count: Int { storage.keys.count }

    /// The value at `index` of ``keys`` (in `0 ..< count`), without building ``values``.
    func value(at index: Int) -> JinjaValue { storage.value(at: index) }

    /// The value of `key`, or `nil` when the dictionary has no such key. Setting `nil` removes it.
    ///
    /// - Complexity: O(*n*); chat-template dictionaries are small.
    public subscript(key: String) -> JinjaValue? {
        get {
            // In place (no copy of the keys array), comparing bytes as Python compares `str`
            // (Swift's `==` would find "e\u{301}" under the key "\u{E9}").
            storage.withUnsafeMutablePointers { header, elements in
                header.pointee.keys.withUnsafeBufferPointer { keys in
                    for index in keys.indices where _pythonStringEqual(keys[index], key) { return elements[index] }
                    return nil
                }
            }
        }
        set {
            if let newValue, isKnownUniquelyReferenced(&storage) {
                // Only this dictionary holds the storage: an existing key's value is replaced in place.
                let keys = storage.keys
                for index in keys.indices where _pythonStringEqual(keys[index], key) {
                    storage.withUnsafeMutablePointerToElements { $0[index] = newValue }
                    return
                }
            }
            let old = storage
            let oldKeys = old.keys
            let found = oldKeys.firstIndex { _pythonStringEqual($0, key) }
            // A new storage written in one pass from the old one: the same keys array when a
            // value is replaced, one key more when one is added.
            if let newValue {
                let keys: [String]
                if found == nil {
                    var grown = oldKeys
                    grown.append(key)
                    keys = grown
                } else {
                    keys = oldKeys
                }
                let count = oldKeys.count
                storage = Storage.make(keys: keys, messageIndex: old.messageIndex) { elements in
                    for index in 0..<count { (elements + index).initialize(to: index == found ? newValue : old.value(at: index)) }
                    if found == nil { (elements + count).initialize(to: newValue) }
                }
                return
            }
            // Setting `nil` removes the key.
            guard let index = found else { return }
            var keys = oldKeys
            var values = old.values
            keys.remove(at: index)
            values.remove(at: index)
            storage = Storage.make(keys: keys, values: values, messageIndex: old.messageIndex)
        }
    }

    /// The members in order.
    public var pairs: [(key: String, value: JinjaValue)] {
        Array(zip(storage.keys, storage.values)).map { (key: $0.0, value: $0.1) }
    }
}

/// Something only a template makes: a namespace, a macro, a loop object or a built-in function.
///
/// Opaque to callers; a template renders it as Python would name it.
public final class JinjaObject: @unchecked Sendable {
    // Only touched by the one render that created it, on one thread, one access at a time.
    @exclusivity(unchecked) var kind: _JinjaObjectKind
    /// A loop object's arguments of its last `loop.changed(...)` call, `nil` before the first
    /// (jinja2's `_last_changed_value`): kept here, outside ``kind``, which each iteration replaces.
    @exclusivity(unchecked) var lastChanged: [JinjaValue]?

    init(_ kind: _JinjaObjectKind) {
        self.kind = kind
    }
}

extension JinjaValue {
    /// Converts a JSON value: objects become dictionaries in key order, arrays lists, numbers
    /// with a fraction or exponent floats (as Python's `json` reads them).
    ///
    /// - Parameter json: The JSON value.
    public init(_ json: JSONValue) {
        var converter = _JinjaJSONConverter()
        self = converter.value(json)
    }

    /// Messages as transformers 5.23's `apply_chat_template` hands them to a template, converted
    /// straight from their JSON objects (see ``_JinjaJSONConverter/message(_:)``).
    static func _preprocessedMessages<Messages: Collection>(_ messages: Messages) -> [JinjaValue] where Messages.Element == JSONObject {
        var converter = _JinjaJSONConverter()
        return converter.messages(messages)
    }

    /// Whether the value is ``undefined``.
    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python truthiness: `None`, `False`, `0`, `0.0`, empty strings, lists and dicts are false.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .float(let number): number != 0
        case .string(let text): !text.isEmpty
        case .list(let elements): !elements.isEmpty
        case .dict(let dict): dict.count > 0
        case .object(let object):
            switch object.kind {
            case .unsafeUndefined: false
            case .tuple(let items): !items.isEmpty
            default: true
            }
        }
    }

    /// The value as Python's `str()` writes it (`True`, `None`, `1.0`, `['a', 1]`); undefined is empty.
    public var pythonString: String {
        switch self {
        case .string(let text): return text
        default:
            var out = ""
            _writeRepr(into: &out, top: true)
            return out
        }
    }

    /// The value as Python's `repr()` writes it.
    var pythonRepr: String {
        var out = ""
        _writeRepr(into: &out, top: false)
        return out
    }

    private func _writeRepr(into out: inout String, top: Bool) {
        switch self {
        // Printed, an undefined value is empty; inside a list or dict (or through `repr`) it is
        // jinja2's `Undefined`, as Python writes `[Undefined]`.
        case .undefined: if !top { out += "Undefined" }
        case .none: out += "None"
        case .bool(let flag): out += flag ? "True" : "False"
        case .int(let number): out += String(number)
        case .float(let number): out += _pythonFloatRepr(number)
        case .string(let text):
            if top { out += text } else { _writePythonStringRepr(text, into: &out) }
        case .list(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                element._writeRepr(into: &out, top: false)
            }
            out += "]"
        case .dict(let dict):
            out += "{"
            for index in 0..<dict.count {
                if index > 0 { out += ", " }
                let key = dict.keys[index]
                if JinjaDict.isEncodedKey(key) { JinjaDict.keyValue(key)._writeRepr(into: &out, top: false) } else { _writePythonStringRepr(key, into: &out) }
                out += ": "
                dict.value(at: index)._writeRepr(into: &out, top: false)
            }
            out += "}"
        case .object(let object):
            guard case .tuple(let elements) = object.kind else {
                out += object.kind.displayName
                return
            }
            // Python's tuple: `(1, 2)`, `(1,)`, `()`.
            out += "("
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                element._writeRepr(into: &out, top: false)
            }
            if elements.count == 1 { out += "," }
            out += ")"
        }
    }

    /// The Jinja type name used in error messages (`'dict object'`).
    var typeName: String {
        switch self {
        case .undefined: "undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .list: "list"
        case .dict: "dict"
        case .object(let object): object.kind.typeName
        }
    }
}

extension JinjaValue: Equatable {
    /// Python equality: `1 == 1.0 == True`; dictionaries compare members regardless of order;
    /// undefined equals only undefined.
    public static func == (lhs: JinjaValue, rhs: JinjaValue) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)):
            // Python compares code points, not canonical equivalence as Swift's `==` does: the
            // bytes, lengths first (`role == 'assistant'` against 'user' stops there).
            return _pythonStringEqual(a, b)
        case (.list(let a), .list(let b)): return a == b
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            for index in 0..<a.count {
                let key = a.keys[index]
                // A key other than a string matches its Python equal (`{1: x} == {True: x}`).
                let found = JinjaDict.isEncodedKey(key) ? b.value(forKey: JinjaDict.keyValue(key)) : b[key]
                guard let other = found, other == a.value(at: index) else { return false }
            }
            return true
        case (.object(let a), .object(let b)):
            if case .tuple(let x) = a.kind, case .tuple(let y) = b.kind { return x == y }
            return a === b
        default:
            if let a = lhs.numericValue, let b = rhs.numericValue {
                switch (a, b) {
                case (.int(let x), .int(let y)): return x == y
                default: return a.doubleValue == b.doubleValue
                }
            }
            return false
        }
    }

    /// Bools, ints and floats as a number (Python's `bool` is an `int`).
    var numericValue: JinjaValue? {
        switch self {
        case .bool(let flag): .int(flag ? 1 : 0)
        case .int, .float: self
        default: nil
        }
    }

    var doubleValue: Double {
        switch self {
        case .int(let number): Double(number)
        case .float(let number): number
        case .bool(let flag): flag ? 1 : 0
        default: .nan
        }
    }
}

/// Whether two strings are equal as Python compares `str`: the same code points, so the same
/// UTF-8 bytes (Swift's `==` is canonical equivalence). Lengths first, then the bytes in place.
@inline(__always)
func _pythonStringEqual(_ a: String, _ b: String) -> Bool {
    #if _pointerBitWidth(_64) && _endian(little)
        // The same representation (one small string's bytes, or one shared storage) is the same
        // text: a key from a template literal against itself, a shared key array's keys.
        let x = unsafeBitCast(a, to: (UInt64, UInt64).self), y = unsafeBitCast(b, to: (UInt64, UInt64).self)
        if x == y { return true }
        // Two small ASCII strings (bits 61 and 62 of the second word: the discriminator's isSmall
        // and isASCII) hold their bytes in place, zero-padded, with the count: different bits are
        // different text (the standard library's own comparison of small ASCII strings compares
        // these words).
        let smallASCII: UInt64 = 0b11 << 61
        if x.1 & y.1 & smallASCII == smallASCII { return false }
    #endif
    guard a.utf8.count == b.utf8.count else { return false }
    let compared = a.utf8.withContiguousStorageIfAvailable { left in
        b.utf8.withContiguousStorageIfAvailable { right in
            for index in 0..<left.count where left[index] != right[index] { return false }
            return true
        }
    }
    if let compared, let result = compared { return result }
    return a.utf8.elementsEqual(b.utf8)
}

/// Writes `text` as Python's `repr()` of a str does: single quotes unless the text holds a
/// single quote and no double quote.
func _writePythonStringRepr(_ text: String, into out: inout String) {
    // Printable ASCII without a backslash and without both quotes (a chat message, a key): the
    // text as it is, between the quote Python picks, in one append.
    var text = text
    let plain = text.withUTF8 { bytes -> Unicode.Scalar? in
        var single = false, double = false
        for byte in bytes {
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            if byte == UInt8(ascii: "'") { single = true } else if byte == UInt8(ascii: "\"") { double = true }
        }
        if single && double { return nil }
        return single ? "\"" : "'"
    }
    if let quote = plain {
        out.unicodeScalars.append(quote)
        out += text
        out.unicodeScalars.append(quote)
        return
    }
    // Byte searches: `String.contains(String)` is Foundation's locale-aware search.
    let utf8 = text.utf8
    let quote: Unicode.Scalar = utf8.contains(UInt8(ascii: "'")) && !utf8.contains(UInt8(ascii: "\"")) ? "\"" : "'"
    out.unicodeScalars.append(quote)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar == quote {
                out += "\\"
                out.unicodeScalars.append(scalar)
            } else if (scalar.value >= 0x20 && scalar.value < 0x7F) || (scalar.value >= 0x7F && _isPythonPrintable(scalar)) {
                out.unicodeScalars.append(scalar)
            } else {
                // Python escapes what `str.isprintable()` refuses: `\xhh`, `\uhhhh`, `\Uhhhhhhhh`.
                let hex = String(scalar.value, radix: 16)
                let width = scalar.value < 0x100 ? 2 : scalar.value < 0x10000 ? 4 : 8
                out += (width == 2 ? "\\x" : width == 4 ? "\\u" : "\\U") + String(repeating: "0", count: width - hex.count) + hex
            }
        }
    }
    out.unicodeScalars.append(quote)
}

/// Whether Python's `str.isprintable()` holds for the scalar: not a control, format, surrogate,
/// private-use or unassigned code point, nor a separator other than the ASCII space.
func _isPythonPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
    case .spaceSeparator: return scalar == " "
    default: return true
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, fixed notation for decimal
/// exponents in -4..<16, otherwise `1e-05` / `1e+16` style.
func _pythonFloatRepr(_ number: Double) -> String {
    if number.isNaN { return "nan" }
    if number.isInfinite { return number < 0 ? "-inf" : "inf" }
    if number == 0 { return number.sign == .minus ? "-0.0" : "0.0" }
    // Swift's description gives the shortest round-trip digits; take them apart.
    var text = "\(number.magnitude)"
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        exponent = Int(text[text.index(after: e)...]) ?? 0
        text = String(text[..<e])
    }
    var digits = ""
    var pointPosition = text.count
    if let dot = text.firstIndex(of: ".") {
        pointPosition = text.distance(from: text.startIndex, to: dot)
        digits = String(text[..<dot]) + String(text[text.index(after: dot)...])
    } else {
        digits = text
    }
    // Normalise: digits d1 d2 ... with the value 0.d1d2... * 10^(decimalPoint)
    var decimalPoint = pointPosition + exponent
    while digits.hasPrefix("0") && digits.count > 1 {
        digits.removeFirst()
        decimalPoint -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let sci = decimalPoint - 1  // exponent in d.ddd form
    var out = number < 0 ? "-" : ""
    if sci < -4 || sci >= 16 {
        out += String(digits.prefix(1))
        if digits.count > 1 { out += "." + digits.dropFirst() }
        out += "e" + (sci < 0 ? "-" : "+")
        let magnitude = String(abs(sci))
        out += magnitude.count < 2 ? "0" + magnitude : magnitude
    } else if decimalPoint <= 0 {
        out += "0." + String(repeating: "0", count: -decimalPoint) + digits
    } else if decimalPoint >= digits.count {
        out += digits + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
    } else {
        let split = digits.index(digits.startIndex, offsetBy: decimalPoint)
        out += digits[..<split] + "." + digits[split...]
    }
    return out
}
