#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Python `str` methods, by Unicode scalar as CPython works by code point.
enum _JinjaStringMethods {
    static func call(_ text: String, _ name: String, _ arguments: _JinjaCallArguments) throws -> JinjaValue {
        let line = arguments.line
        switch name {
        case "strip", "lstrip", "rstrip":
            try arguments.check(maximum: 1)
            let chars = try arguments.string(0, "chars")
            return .string(_pythonStrip(text, chars: chars, leading: name != "rstrip", trailing: name != "lstrip"))
        case "split", "rsplit":
            try arguments.check(maximum: 2)
            let separator = try arguments.string(0, "sep")
            let maxsplit = try arguments.int(1, "maxsplit") ?? -1
            if separator == "" { throw _JinjaFailure(.type, "empty separator", line: line) }
            let parts = name == "split"
                ? _pythonSplit(text, separator: separator, maxsplit: maxsplit)
                : _pythonRSplit(text, separator: separator, maxsplit: maxsplit)
            return .list(parts.map { .string($0) })
        case "splitlines":
            let keep = arguments.bool(0, "keepends", default: false)
            return .list(_pythonSplitLines(text, keepEnds: keep).map { .string($0) })
        case "startswith", "endswith":
            guard let prefix = arguments.value(0, "prefix") else {
                throw _JinjaFailure(.type, "\(name)() takes at least 1 argument (0 given)", line: line)
            }
            var scalars = Array(text.unicodeScalars)
            if let start = try arguments.int(1, "start") {
                let indices = _pythonSliceIndices(count: scalars.count, start: start, stop: try arguments.int(2, "end"), step: 1)
                scalars = indices.map { scalars[$0] }
            }
            // A tuple of strings matches any of them; Python refuses a list.
            let candidates: [JinjaValue] = prefix.tupleItems ?? [prefix]
            for candidate in candidates {
                guard case .string(let piece) = candidate else {
                    throw _JinjaFailure(.type, "\(name) first arg must be str or a tuple of str, not \(candidate.typeName)", line: line)
                }
                let pattern = Array(piece.unicodeScalars)
                if pattern.count <= scalars.count {
                    let match = name == "startswith"
                        ? scalars.prefix(pattern.count).elementsEqual(pattern)
                        : scalars.suffix(pattern.count).elementsEqual(pattern)
                    if match { return .bool(true) }
                }
            }
            return .bool(false)
        case "replace":
            guard let old = try arguments.string(0, "old"), let new = try arguments.string(1, "new") else {
                throw _JinjaFailure(.type, "replace() takes at least 2 arguments", line: line)
            }
            return .string(try _pythonReplace(text, old, new, count: try arguments.int(2, "count") ?? -1, what: "replace()", line: line))
        case "lower": return .string(_pythonLower(text))
        case "upper": return .string(text.uppercased())
        case "casefold":
            // Python's full case folding, as upper- then lower-casing each scalar gives it (`ß` → `ss`).
            var out = ""
            for scalar in text.unicodeScalars { out += scalar.properties.uppercaseMapping.lowercased() }
            return .string(out)
        case "swapcase":
            // CPython's do_swapcase: an uppercase scalar lowers in its context (a final `Σ` is `ς`).
            let scalars = Array(text.unicodeScalars)
            var out = ""
            for index in scalars.indices {
                let scalar = scalars[index]
                out += scalar.properties.isUppercase ? _pythonLowerScalar(scalars, index)
                    : scalar.properties.isLowercase ? scalar.properties.uppercaseMapping : String(scalar)
            }
            return .string(out)
        case "title": return .string(_pythonTitle(text))
        case "capitalize": return .string(_pythonCapitalize(text))
        case "find", "rfind", "index", "rindex", "count":
            guard let piece = try arguments.string(0, "sub") else {
                throw _JinjaFailure(.type, "\(name)() takes at least 1 argument (0 given)", line: line)
            }
            let scalars = Array(text.unicodeScalars)
            let start = try arguments.int(1, "start")
            let end = try arguments.int(2, "end")
            let indices = _pythonSliceIndices(count: scalars.count, start: start, stop: end, step: 1)
            let offset = indices.first ?? 0
            let window = indices.map { scalars[$0] }
            let pattern = Array(piece.unicodeScalars)
            if name == "count" {
                if pattern.isEmpty { return .int(window.count + 1) }
                var count = 0
                var from = 0
                while let found = _scalarFind(pattern, in: window, from: from) {
                    count += 1
                    from = found + pattern.count
                }
                return .int(count)
            }
            var found: Int?
            if name.hasPrefix("r") {
                var from = 0
                while let next = _scalarFind(pattern, in: window, from: from) {
                    found = next
                    from = next + 1
                    if pattern.isEmpty && from > window.count { break }
                }
            } else {
                found = _scalarFind(pattern, in: window)
            }
            if let found { return .int(found + offset) }
            if name.hasSuffix("index") { throw _JinjaFailure(.type, "substring not found", line: line) }
            return .int(-1)
        case "join":
            guard let iterable = arguments.value(0, "iterable") else {
                throw _JinjaFailure(.type, "join() takes exactly one argument (0 given)", line: line)
            }
            let items: [JinjaValue]
            switch iterable {
            case .list(let values): items = values
            case .object(let object):
                guard case .tuple(let values) = object.kind else { throw _JinjaFailure(.type, "can only join an iterable", line: line) }
                items = values
            case .dict(let dict): items = dict.keys.map(JinjaDict.keyValue)
            case .string(let value): items = value.unicodeScalars.map { .string(String($0)) }
            default: throw _JinjaFailure(.type, "can only join an iterable", line: line)
            }
            var out = ""
            var built = 0
            for (index, item) in items.enumerated() {
                guard case .string(let piece) = item else {
                    throw _JinjaFailure(.type, "sequence item \(index): expected str instance, \(item.typeName) found", line: line)
                }
                if index > 0 { out += text }
                out += piece
                built += piece.utf8.count + (index > 0 ? text.utf8.count : 0)
                if built > _JinjaRenderer.maximumValueBytes { _ = try _checkBuilt(out, "join()", line: line) }
            }
            return .string(out)
        case "format":
            return .string(try _checkBuilt(try _pythonStrFormat(text, arguments), "format()", line: line))
        case "isdigit", "isnumeric", "isdecimal":
            // Python: isdecimal takes Numeric_Type=Decimal, isdigit also Digit (`²`), isnumeric any (`½`).
            let accepted: [Unicode.NumericType] =
                name == "isdecimal" ? [.decimal] : name == "isdigit" ? [.decimal, .digit] : [.decimal, .digit, .numeric]
            return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.numericType.map(accepted.contains) ?? false })
        case "isalpha":
            return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum":
            return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace":
            return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0._isPythonWhitespace })
        case "islower", "isupper":
            let cased = text.unicodeScalars.filter { $0.properties.isCased }
            guard !cased.isEmpty else { return .bool(false) }
            return .bool(name == "islower" ? cased.allSatisfy { $0.properties.isLowercase } : cased.allSatisfy { $0.properties.isUppercase })
        case "istitle":
            // CPython: an upper- or titlecase letter only after an uncased character, a lowercase
            // one only after a cased one; at least one cased letter.
            var previousCased = false
            var cased = false
            for scalar in text.unicodeScalars {
                let properties = scalar.properties
                if properties.isUppercase || properties.generalCategory == .titlecaseLetter {
                    if previousCased { return .bool(false) }
                    previousCased = true
                    cased = true
                } else if properties.isLowercase {
                    if !previousCased { return .bool(false) }
                    previousCased = true
                    cased = true
                } else {
                    previousCased = false
                }
            }
            return .bool(cased)
        case "center", "ljust", "rjust":
            guard let width = try arguments.int(0, "width") else {
                throw _JinjaFailure(.type, "\(name)() takes at least 1 argument (0 given)", line: line)
            }
            let fill = try arguments.string(1, "fillchar") ?? " "
            return .string(try _pythonJustify(text, width: width, fill: fill, mode: name, line: line))
        case "zfill":
            let width = try arguments.int(0, "width") ?? 0
            try _checkWidth(width, "zfill()", line: line)
            let count = text.unicodeScalars.count
            guard count < width else { return .string(text) }
            let padding = String(repeating: "0", count: width - count)
            if let first = text.unicodeScalars.first, first == "-" || first == "+" {
                return .string(String(first) + padding + String(text.unicodeScalars.dropFirst()))
            }
            return .string(padding + text)
        case "partition", "rpartition":
            guard let separator = try arguments.string(0, "sep"), !separator.isEmpty else {
                throw _JinjaFailure(.type, "empty separator", line: line)
            }
            let scalars = Array(text.unicodeScalars)
            let pattern = Array(separator.unicodeScalars)
            var found: Int?
            if name == "partition" {
                found = _scalarFind(pattern, in: scalars)
            } else {
                var from = 0
                while let next = _scalarFind(pattern, in: scalars, from: from) {
                    found = next
                    from = next + 1
                }
            }
            guard let found else {
                return .makeObject(.tuple(name == "partition" ? [.string(text), .string(""), .string("")] : [.string(""), .string(""), .string(text)]))
            }
            var head = ""
            head.unicodeScalars.append(contentsOf: scalars[..<found])
            var tail = ""
            tail.unicodeScalars.append(contentsOf: scalars[(found + pattern.count)...])
            return .makeObject(.tuple([.string(head), .string(separator), .string(tail)]))
        case "removeprefix", "removesuffix":
            let piece = try arguments.string(0, "prefix") ?? ""
            let scalars = Array(text.unicodeScalars)
            let pattern = Array(piece.unicodeScalars)
            var out = ""
            if name == "removeprefix", scalars.starts(with: pattern) {
                out.unicodeScalars.append(contentsOf: scalars.dropFirst(pattern.count))
                return .string(out)
            }
            if name == "removesuffix", !pattern.isEmpty, scalars.count >= pattern.count, scalars.suffix(pattern.count).elementsEqual(pattern) {
                out.unicodeScalars.append(contentsOf: scalars.dropLast(pattern.count))
                return .string(out)
            }
            return .string(text)
        case "expandtabs":
            // Python: each tab pads to the next multiple of `tabsize` columns; a newline or
            // carriage return starts the count again.
            let size = try arguments.int(0, "tabsize") ?? 8
            try _checkWidth(size, "expandtabs()", line: line)
            var out = ""
            var column = 0
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\t":
                    if size > 0 {
                        let pad = size - column % size
                        try _checkWidth(out.utf8.count + pad, "expandtabs()", line: line)
                        out += String(repeating: " ", count: pad)
                        column += pad
                    }
                case "\n", "\r":
                    out.unicodeScalars.append(scalar)
                    column = 0
                default:
                    out.unicodeScalars.append(scalar)
                    column += 1
                }
            }
            return .string(out)
        default:
            throw _JinjaFailure(.type, "'str' object has no method '\(name)'", line: line)
        }
    }
}

/// Python's `str.strip(chars)` (whitespace when `chars` is nil).
func _pythonStrip(_ text: String, chars: String?, leading: Bool = true, trailing: Bool = true) -> String {
    let scalars = text.unicodeScalars
    let set = chars.map { Array($0.unicodeScalars) }
    func strippable(_ scalar: Unicode.Scalar) -> Bool {
        if let set { return set.contains(scalar) }
        return scalar._isPythonWhitespace
    }
    var lower = scalars.startIndex
    var upper = scalars.endIndex
    if leading { while lower < upper && strippable(scalars[lower]) { lower = scalars.index(after: lower) } }
    if trailing {
        while upper > lower {
            let previous = scalars.index(before: upper)
            guard strippable(scalars[previous]) else { break }
            upper = previous
        }
    }
    if lower == scalars.startIndex && upper == scalars.endIndex { return text }
    return String(scalars[lower..<upper])
}

/// Python's `str.split(sep, maxsplit)`.
func _pythonSplit(_ text: String, separator: String?, maxsplit: Int) -> [String] {
    if let separator, !separator.isEmpty { return _splitBytes(text, separator: separator, maxsplit: maxsplit) }
    let scalars = Array(text.unicodeScalars)
    var parts: [String] = []
    func piece(_ range: Range<Int>) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars[range])
        return out
    }
    if let separator {
        let pattern = Array(separator.unicodeScalars)
        var start = 0
        while maxsplit < 0 || parts.count < maxsplit, let found = _scalarFind(pattern, in: scalars, from: start) {
            parts.append(piece(start..<found))
            start = found + pattern.count
        }
        parts.append(piece(start..<scalars.count))
        return parts
    }
    var index = 0
    while index < scalars.count {
        while index < scalars.count && scalars[index]._isPythonWhitespace { index += 1 }
        guard index < scalars.count else { break }
        if maxsplit >= 0 && parts.count == maxsplit {
            parts.append(piece(index..<scalars.count))
            return parts
        }
        let start = index
        while index < scalars.count && !scalars[index]._isPythonWhitespace { index += 1 }
        parts.append(piece(start..<index))
    }
    return parts
}

/// Python's `str.split(sep, maxsplit)` with a non-empty `sep`, on UTF-8 bytes: UTF-8 is
/// self-synchronizing, so a byte match of valid UTF-8 is a code-point match, as CPython matches
/// (non-overlapping, left to right); each piece is copied once from the text's bytes.
private func _splitBytes(_ text: String, separator: String, maxsplit: Int) -> [String] {
    var text = text
    var separator = separator
    return text.withUTF8 { bytes in
        separator.withUTF8 { pattern in
            var parts: [String] = []
            let count = bytes.count
            let length = pattern.count
            // An empty text has no bytes to search (`''.split('x') == ['']`).
            guard let base = bytes.baseAddress, let patternBase = pattern.baseAddress, length > 0 else { return [String(decoding: bytes, as: UTF8.self)] }
            let first = pattern[0]
            var start = 0
            var index = 0
            while maxsplit < 0 || parts.count < maxsplit {
                var found: Int?
                while index + length <= count {
                    if bytes[index] == first && memcmp(base + index, patternBase, length) == 0 {
                        found = index
                        break
                    }
                    index += 1
                }
                guard let found else { break }
                parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<found]), as: UTF8.self))
                start = found + length
                index = start
            }
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<count]), as: UTF8.self))
            return parts
        }
    }
}

/// Python's `str.rsplit(sep, maxsplit)`.
func _pythonRSplit(_ text: String, separator: String?, maxsplit: Int) -> [String] {
    if maxsplit < 0 { return _pythonSplit(text, separator: separator, maxsplit: maxsplit) }
    func reversed(_ value: String) -> String {
        var out = ""
        out.unicodeScalars.append(contentsOf: value.unicodeScalars.reversed())
        return out
    }
    return _pythonSplit(reversed(text), separator: separator.map(reversed), maxsplit: maxsplit).map(reversed).reversed()
}

/// Python's `str.splitlines(keepends)`.
func _pythonSplitLines(_ text: String, keepEnds: Bool = false) -> [String] {
    let scalars = Array(text.unicodeScalars)
    var lines: [String] = []
    var start = 0
    var index = 0
    while index < scalars.count {
        let value = scalars[index].value
        let isBreak = [0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029].contains(value)
        if isBreak {
            var end = index + 1
            if value == 0x0D && end < scalars.count && scalars[end] == "\n" { end += 1 }
            var line = ""
            line.unicodeScalars.append(contentsOf: scalars[start..<(keepEnds ? end : index)])
            lines.append(line)
            start = end
            index = end
        } else {
            index += 1
        }
    }
    if start < scalars.count {
        var line = ""
        line.unicodeScalars.append(contentsOf: scalars[start...])
        lines.append(line)
    }
    return lines
}

/// Python's `str.replace(old, new, count)`, on UTF-8 bytes.
///
/// UTF-8 is self-synchronizing, so a byte match of valid UTF-8 is a code-point match, as CPython
/// matches: non-overlapping, left to right, at most `count` replacements (all when negative). An
/// empty `old` inserts `new` before every code point and at the end. The result's size is known
/// (or bounded) before it is built, so a loop that doubles a string through `replace` is refused
/// at the value limit without building the oversized value.
///
/// - Parameters:
///   - text: The string.
///   - old: What to replace.
///   - new: The replacement.
///   - count: The most replacements to make; negative means all.
///   - what: The caller's name for the error (`replace()`, `the replace filter`).
///   - line: The template line, for the error.
/// - Returns: The replaced string (`text` itself when nothing is replaced).
/// - Throws: A security failure when the result would be larger than
///   `_JinjaRenderer.maximumValueBytes`.
/// - Complexity: O(*n* + *m*) for an *n*-byte text and an *m*-byte result (the search is the C
///   library's `memmem`/`memchr`).
func _pythonReplace(_ text: String, _ old: String, _ new: String, count: Int = -1, what: String = "replace()",
                    line: Int = 0) throws -> String {
    if count == 0 || (old.isEmpty && new.isEmpty) { return text }
    let limit = _JinjaRenderer.maximumValueBytes
    let result: _ReplaceResult = _withUTF8(text) { hay in
        _withUTF8(old) { pattern in
            _withUTF8(new) { replacement in
                pattern.isEmpty
                    ? _replaceEmpty(hay, replacement, count: count, limit: limit)
                    : _replaceBytes(hay, pattern, replacement, count: count, limit: limit)
            }
        }
    }
    switch result {
    case .unchanged: return text
    case .built(let value): return value
    case .tooLarge(let size):
        throw _JinjaFailure(.security, "\(what) would build a value of \(size) bytes or more, more than the \(limit) a chat template may build", line: line)
    }
}

/// What a byte-level replace produced.
private enum _ReplaceResult {
    case unchanged
    case built(String)
    /// The result would hold at least this many bytes, past the limit; nothing was built.
    case tooLarge(Int)
}

/// Runs `body` on the string's UTF-8 bytes, contiguous (a native string already is; any other is copied once).
private func _withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    return Array(text.utf8).withUnsafeBufferPointer(body)
}

/// `old` empty: `new` before each of the first `count` code points (and at the end when `count`
/// allows), as CPython does.
private func _replaceEmpty(_ hay: UnsafeBufferPointer<UInt8>, _ replacement: UnsafeBufferPointer<UInt8>,
                           count: Int, limit: Int) -> _ReplaceResult {
    let length = hay.count
    let step = replacement.count
    // Insertion points: one per code point (a byte that does not continue a multi-byte
    // sequence) plus the end. Counted only when the bound (one per byte) does not already fit.
    var positions = length + 1
    let bound = count < 0 ? positions : min(count, positions)
    if bound > (limit - length) / max(step, 1), let source = hay.baseAddress {
        positions = 1
        var index = 0
        while index < length {
            if source[index] & 0xC0 != 0x80 { positions += 1 }
            index += 1
        }
    }
    let inserts = count < 0 ? positions : min(count, positions)
    let (growth, overflowGrowth) = inserts.multipliedReportingOverflow(by: step)
    let (size, overflowSize) = length.addingReportingOverflow(growth)
    if overflowGrowth || overflowSize { return .tooLarge(Int.max) }
    if size > limit { return .tooLarge(size) }
    let built = String(unsafeUninitializedCapacity: size) { out in
        guard let target = out.baseAddress, let piece = replacement.baseAddress else { return 0 }
        var written = 0
        var remaining = inserts
        var index = 0
        if let source = hay.baseAddress {
            while index < length, remaining > 0 {
                if step == 1 {
                    target[written] = piece[0]
                } else {
                    (target + written).initialize(from: piece, count: step)
                }
                written += step
                remaining -= 1
                // One code point: its lead byte, then its continuation bytes.
                target[written] = source[index]
                written += 1
                index += 1
                while index < length, source[index] & 0xC0 == 0x80 {
                    target[written] = source[index]
                    written += 1
                    index += 1
                }
            }
            if index < length {
                (target + written).initialize(from: source + index, count: length - index)
                written += length - index
            }
        }
        if remaining > 0 {
            (target + written).initialize(from: piece, count: step)
            written += step
        }
        return written
    }
    return .built(built)
}

/// `old` not empty: non-overlapping matches left to right, at most `count` (all when negative).
///
/// When the largest result possible (every `old`-sized piece a match) is within `limit`, the
/// result is written at once into a buffer of that size; otherwise a first pass counts the
/// matches, stopping as soon as the result is known to be past `limit`.
private func _replaceBytes(_ hay: UnsafeBufferPointer<UInt8>, _ pattern: UnsafeBufferPointer<UInt8>,
                           _ replacement: UnsafeBufferPointer<UInt8>, count: Int, limit: Int) -> _ReplaceResult {
    guard let source = hay.baseAddress, let needle = pattern.baseAddress, pattern.count <= hay.count else { return .unchanged }
    let length = hay.count
    let delta = replacement.count - pattern.count
    var searcher = _ByteSearcher(hay: source, count: length, needle: needle, needleCount: pattern.count)
    let most = count < 0 ? length / pattern.count : min(count, length / pattern.count)
    var capacity = length + max(0, most * delta)
    var expected = -1
    if delta > 0, most > (limit - length) / delta {
        var matches = 0
        var start = 0
        var size = length
        while count < 0 || matches < count, let found = searcher.find(from: start) {
            matches += 1
            start = found + pattern.count
            size += delta
            if size > limit { return .tooLarge(size) }
        }
        if matches == 0 { return .unchanged }
        capacity = size
        expected = matches
    }
    var replaced = 0
    let built = String(unsafeUninitializedCapacity: max(capacity, 1)) { out in
        guard let target = out.baseAddress else { return 0 }
        let step = replacement.count
        var written = 0
        var from = 0
        let width = pattern.count
        while count < 0 || replaced < count, let found = searcher.find(from: from) {
            let gap = found - from
            if gap > 0 {
                (target + written).initialize(from: source + from, count: gap)
                written += gap
            }
            // A run of back-to-back matches (`'x'` in `'xxxx...'`) is replaced at once: the
            // replacement written once, then copied onto itself in doubling blocks.
            var run = 1
            var next = found + width
            while count < 0 || replaced + run < count, next + width <= length {
                if width == 1 ? source[next] != needle[0] : memcmp(source + next, needle, width) != 0 { break }
                run += 1
                next += width
            }
            if step > 0, let piece = replacement.baseAddress {
                let block = target + written
                block.initialize(from: piece, count: step)
                var filled = step
                let total = step * run
                while filled < total {
                    let chunk = min(filled, total - filled)
                    (block + filled).initialize(from: block, count: chunk)
                    filled += chunk
                }
            }
            written += step * run
            from = next
            replaced += run
        }
        (target + written).initialize(from: source + from, count: length - from)
        written += length - from
        return written
    }
    if replaced == 0 { return .unchanged }
    assert(expected < 0 || expected == replaced)
    return .built(built)
}

/// Finds a byte string in a buffer: `memchr` to the next candidate and `memcmp` to check it,
/// which is fast on text; once candidates that fail have cost more than a few passes over the
/// buffer (a pattern such as `aaaab` in `aaaa...`), the rest is searched with Knuth–Morris–Pratt,
/// so the search stays linear.
private struct _ByteSearcher {
    let hay: UnsafePointer<UInt8>
    let count: Int
    let needle: UnsafePointer<UInt8>
    let needleCount: Int
    let first: Int32
    /// Bytes the `memcmp` checks may still cost before KMP takes over.
    private var budget: Int
    /// KMP's failure table, built on first use.
    private var failure: [Int]?

    init(hay: UnsafePointer<UInt8>, count: Int, needle: UnsafePointer<UInt8>, needleCount: Int) {
        self.hay = hay
        self.count = count
        self.needle = needle
        self.needleCount = needleCount
        first = Int32(needle[0])
        budget = 4 * (count + needleCount) + 4096
    }

    /// The offset of the first occurrence at or after `start`, or nil.
    mutating func find(from start: Int) -> Int? {
        var position = start
        let last = count - needleCount
        while position <= last {
            // The next byte is a match more often than not when matches are dense.
            if hay[position] == needle[0], needleCount == 1 || memcmp(hay + position + 1, needle + 1, needleCount - 1) == 0 {
                return position
            }
            if budget <= 0 { return kmpFind(from: position) }
            guard let hit = memchr(hay + position, first, last - position + 1) else { return nil }
            let candidate = UnsafeRawPointer(hay).distance(to: UnsafeRawPointer(hit))
            if needleCount == 1 || memcmp(hay + candidate + 1, needle + 1, needleCount - 1) == 0 { return candidate }
            budget -= needleCount
            position = candidate + 1
        }
        return nil
    }

    private mutating func kmpFind(from start: Int) -> Int? {
        let table = failure ?? makeFailureTable()
        failure = table
        var matched = 0
        var index = start
        while index < count {
            let byte = hay[index]
            while matched > 0, needle[matched] != byte { matched = table[matched - 1] }
            if needle[matched] == byte { matched += 1 }
            if matched == needleCount { return index - needleCount + 1 }
            index += 1
        }
        return nil
    }

    /// `table[i]`: the length of the longest proper prefix of `needle[0...i]` that is also its suffix.
    private func makeFailureTable() -> [Int] {
        var table = [Int](repeating: 0, count: needleCount)
        var length = 0
        var index = 1
        while index < needleCount {
            if needle[index] == needle[length] {
                length += 1
                table[index] = length
                index += 1
            } else if length > 0 {
                length = table[length - 1]
            } else {
                index += 1
            }
        }
        return table
    }
}

/// Python's `str.title()`: a character after a cased one is lowered, any other title-cased
/// (`ǆ` → `ǅ`, `ß` → `Ss`).
func _pythonTitle(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    var out = ""
    var previousCased = false
    for index in scalars.indices {
        let scalar = scalars[index]
        out += previousCased ? _pythonLowerScalar(scalars, index) : scalar.properties.titlecaseMapping
        previousCased = scalar.properties.isCased
    }
    return out
}

/// Python's `str.capitalize()`: the first character title-cased, the rest lowered.
func _pythonCapitalize(_ text: String) -> String {
    guard let first = text.unicodeScalars.first else { return text }
    var rest = ""
    rest.unicodeScalars.append(contentsOf: text.unicodeScalars.dropFirst())
    return first.properties.titlecaseMapping + _pythonLower(rest)
}

/// Python's `str.lower()`: each character's full lowercase mapping, a capital sigma `ς` where it
/// ends a word (Unicode's Final_Sigma context) and `σ` elsewhere.
func _pythonLower(_ text: String) -> String {
    // ASCII has no context: Swift's lowering is Python's.
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
    let scalars = Array(text.unicodeScalars)
    var out = ""
    for index in scalars.indices { out += _pythonLowerScalar(scalars, index) }
    return out
}

/// The lowercase of `scalars[index]` in its context (CPython's `lower_ucs4` / `handle_capital_sigma`).
func _pythonLowerScalar(_ scalars: [Unicode.Scalar], _ index: Int) -> String {
    let scalar = scalars[index]
    guard scalar == "\u{3A3}" else { return scalar.properties.lowercaseMapping }
    var before = index - 1
    while before >= 0 && scalars[before].properties.isCaseIgnorable { before -= 1 }
    var final = before >= 0 && scalars[before].properties.isCased
    if final {
        var after = index + 1
        while after < scalars.count && scalars[after].properties.isCaseIgnorable { after += 1 }
        final = after == scalars.count || !scalars[after].properties.isCased
    }
    return final ? "\u{3C2}" : "\u{3C3}"
}

/// Refuses a width (`center(10**9)`, `'%999999999d'`, `indent(10**9)`) past the value limit: the
/// padding alone would take gigabytes.
func _checkWidth(_ width: Int, _ what: String, line: Int) throws {
    if width > _JinjaRenderer.maximumValueBytes {
        throw _JinjaFailure(.security, "\(what) was given a width of \(width), more than the \(_JinjaRenderer.maximumValueBytes) bytes a chat template may build", line: line)
    }
}

/// Refuses a string a template built past the value limit (a loop that doubles a namespace string
/// through `replace`, `join` or `%`), returning it otherwise.
func _checkBuilt(_ text: String, _ what: String, line: Int) throws -> String {
    let size = text.utf8.count
    if size > _JinjaRenderer.maximumValueBytes {
        throw _JinjaFailure(.security, "\(what) built a value of \(size) bytes, more than the \(_JinjaRenderer.maximumValueBytes) a chat template may build", line: line)
    }
    return text
}

/// Python's `str.center/ljust/rjust(width, fillchar)`.
func _pythonJustify(_ text: String, width: Int, fill: String, mode: String, line: Int) throws -> String {
    try _checkWidth(width, "\(mode)()", line: line)
    let count = text.unicodeScalars.count
    guard width > count else { return text }
    let total = width - count
    switch mode {
    case "ljust": return text + String(repeating: fill, count: total)
    case "rjust": return String(repeating: fill, count: total) + text
    default:
        // CPython: left = total / 2 + (total & width & 1)
        let left = total / 2 + (total & width & 1)
        return String(repeating: fill, count: left) + text + String(repeating: fill, count: total - left)
    }
}

/// Python's `str.format` for `{}`, `{0}` and `{name}` fields without format specs.
func _pythonStrFormat(_ format: String, _ arguments: _JinjaCallArguments) throws -> String {
    var out = ""
    var automatic = 0
    var scalars = format.unicodeScalars.makeIterator()
    var pending: Unicode.Scalar?
    func next() -> Unicode.Scalar? {
        if let value = pending {
            pending = nil
            return value
        }
        return scalars.next()
    }
    while let scalar = next() {
        if scalar == "}" {
            if let following = scalars.next() {
                if following != "}" { pending = following }
            }
            out += "}"
            continue
        }
        guard scalar == "{" else {
            out.unicodeScalars.append(scalar)
            continue
        }
        guard let first = scalars.next() else { break }
        if first == "{" {
            out += "{"
            continue
        }
        var field = ""
        var current: Unicode.Scalar? = first
        while let value = current, value != "}" {
            field.unicodeScalars.append(value)
            current = scalars.next()
        }
        let line = arguments.line
        if field.unicodeScalars.contains("{") {
            throw _JinjaFailure(.unsupported, "str.format fields with nested fields ('{\(field)}')", line: line)
        }
        // `name[.attr][[key]]...[!conversion][:spec]`: the name ends at the first `.`, `[`, `!` or
        // `:` outside brackets.
        var path: [String] = [""]
        var conversion: Unicode.Scalar?
        var spec = ""
        var fieldScalars = field.unicodeScalars.makeIterator()
        var inBracket = false
        parsing: while let scalar = fieldScalars.next() {
            if inBracket {
                if scalar == "]" { inBracket = false } else { path[path.count - 1].unicodeScalars.append(scalar) }
                continue
            }
            switch scalar {
            case "[":
                inBracket = true
                path.append("[")
            case ".": path.append(".")
            case "!":
                conversion = fieldScalars.next()
                guard let marker = fieldScalars.next() else { break parsing }
                guard marker == ":", conversion == "r" || conversion == "s" || conversion == "a" else {
                    throw _JinjaFailure(.type, "str.format: expected ':' after conversion specifier in '{\(field)}'", line: line)
                }
                while let rest = fieldScalars.next() { spec.unicodeScalars.append(rest) }
            case ":":
                while let rest = fieldScalars.next() { spec.unicodeScalars.append(rest) }
            default: path[path.count - 1].unicodeScalars.append(scalar)
            }
        }
        if let conversion, conversion != "r" && conversion != "s" && conversion != "a" {
            throw _JinjaFailure(.type, "str.format: unknown conversion specifier \(conversion)", line: line)
        }
        let name = path[0]
        var found: JinjaValue?
        if name.isEmpty {
            found = automatic < arguments.positional.count ? arguments.positional[automatic] : nil
            automatic += 1
        } else if let index = Int(name) {
            found = index < arguments.positional.count ? arguments.positional[index] : nil
        } else {
            found = arguments.keyword.first(where: { $0.0 == name })?.1
        }
        guard var value = found else {
            throw _JinjaFailure(.type, "str.format: no argument for the field '{\(field)}'", line: line)
        }
        // jinja2's sandboxed formatter reads `.attr` and `[key]` as the template would.
        for accessor in path.dropFirst() {
            let key = String(accessor.dropFirst())
            let next: JinjaValue?
            switch value {
            case .dict(let dict): next = dict[key]
            default:
                if let items = value.sequenceItems, let index = Int(key) {
                    next = items.indices.contains(index) ? items[index] : nil
                } else {
                    next = nil
                }
            }
            guard let next else {
                throw _JinjaFailure(.type, "str.format: '{\(field)}' names nothing in \(value.typeName) value \(value.pythonRepr)", line: line)
            }
            value = next
        }
        if let conversion { value = .string(conversion == "s" ? value.pythonString : value.pythonRepr) }
        out += try _pythonFormatSpec(value, spec, line: line)
    }
    return out
}

/// Python's `format(value, spec)`: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
func _pythonFormatSpec(_ value: JinjaValue, _ spec: String, line: Int) throws -> String {
    if spec.isEmpty { return value.pythonString }
    var scalars = Array(spec.unicodeScalars)
    var fill: Unicode.Scalar = " "
    var align: Unicode.Scalar?
    let aligns: Set<Unicode.Scalar> = ["<", ">", "^", "="]
    if scalars.count >= 2, aligns.contains(scalars[1]) {
        fill = scalars[0]
        align = scalars[1]
        scalars.removeFirst(2)
    } else if let first = scalars.first, aligns.contains(first) {
        align = first
        scalars.removeFirst()
    }
    var sign: Unicode.Scalar = "-"
    if let first = scalars.first, first == "+" || first == "-" || first == " " {
        sign = first
        scalars.removeFirst()
    }
    var alternate = false
    if scalars.first == "#" {
        alternate = true
        scalars.removeFirst()
    }
    if scalars.first == "0" {
        if align == nil {
            fill = "0"
            align = "="
        }
        scalars.removeFirst()
    }
    var digits = ""
    while let first = scalars.first, first.properties.numericType == .decimal, first.isASCII {
        digits.unicodeScalars.append(first)
        scalars.removeFirst()
    }
    let width = Int(digits) ?? 0
    var grouping: Character?
    if let first = scalars.first, first == "," || first == "_" {
        grouping = Character(first)
        scalars.removeFirst()
    }
    var precision: Int?
    if scalars.first == "." {
        scalars.removeFirst()
        var text = ""
        while let first = scalars.first, first.properties.numericType == .decimal, first.isASCII {
            text.unicodeScalars.append(first)
            scalars.removeFirst()
        }
        guard let value = Int(text) else { throw _JinjaFailure(.type, "Format specifier missing precision", line: line) }
        precision = value
    }
    guard scalars.count <= 1 else { throw _JinjaFailure(.type, "Invalid format specifier '\(spec)'", line: line) }
    let type = scalars.first
    try _checkWidth(max(width, precision ?? 0), "format()", line: line)

    /// `text` padded to the width: `=` pads between the sign (or `0x`) and the digits.
    func pad(_ text: String, defaultAlign: Unicode.Scalar, signLength: Int = 0) -> String {
        let count = text.unicodeScalars.count
        guard width > count else { return text }
        let total = width - count
        let filler = { (n: Int) in String(repeating: String(fill), count: n) }
        switch align ?? defaultAlign {
        case "<": return text + filler(total)
        case "^": return filler(total / 2) + text + filler(total - total / 2)
        case "=":
            let head = String(text.unicodeScalars.prefix(signLength))
            return head + filler(total) + String(text.unicodeScalars.dropFirst(signLength))
        default: return filler(total) + text
        }
    }
    func grouped(_ integerDigits: String) -> String {
        guard let grouping else { return integerDigits }
        var out = ""
        for (index, character) in integerDigits.enumerated() {
            if index > 0 && (integerDigits.count - index) % 3 == 0 { out.append(grouping) }
            out.append(character)
        }
        return out
    }
    func signed(_ negative: Bool) -> String { negative ? "-" : sign == "-" ? "" : String(sign) }

    switch value {
    case .string(let text):
        guard type == nil || type == "s" else {
            throw _JinjaFailure(.type, "Unknown format code '\(type.map(String.init) ?? "")' for object of type 'str'", line: line)
        }
        var shown = text
        if let precision, text.unicodeScalars.count > precision {
            shown = ""
            shown.unicodeScalars.append(contentsOf: text.unicodeScalars.prefix(precision))
        }
        return pad(shown, defaultAlign: "<")
    case .int, .bool, .float:
        let isInteger = value.numericValue.map { if case .int = $0 { true } else { false } } ?? false
        if isInteger, type == nil || "bcdoxXn".unicodeScalars.contains(type!) {
            guard case .int(let number)? = value.numericValue else { break }
            if type == "c" {
                guard number >= 0, let scalar = Unicode.Scalar(UInt32(clamping: number)) else {
                    throw _JinjaFailure(.type, "%c arg not in range(0x110000)", line: line)
                }
                return pad(String(scalar), defaultAlign: ">")
            }
            let radix = type == "b" ? 2 : type == "o" ? 8 : type == "x" || type == "X" ? 16 : 10
            var body = String(number.magnitude, radix: radix, uppercase: type == "X")
            if radix == 10 { body = grouped(body) }
            let prefix = alternate && radix != 10 ? "0" + String(type!) : ""
            let head = signed(number < 0) + prefix
            return pad(head + body, defaultAlign: ">", signLength: head.count)
        }
        guard let number = value.numericValue?.doubleValue else { break }
        let code = type ?? "g"
        guard "eEfFgG%".unicodeScalars.contains(code) else {
            throw _JinjaFailure(.type, "Unknown format code '\(code)' for object of type '\(value.typeName)'", line: line)
        }
        var body: String
        let magnitude = abs(number)
        if !number.isFinite {
            body = number.isNaN ? "nan" : "inf"
            if "EFG".unicodeScalars.contains(code) { body = body.uppercased() }
        } else if type == nil && precision == nil {
            body = JinjaValue.float(magnitude).pythonString
        } else {
            let scaled = code == "%" ? magnitude * 100 : magnitude
            let cCode = code == "%" ? "f" : String(code)
            body = String(format: "%\(alternate ? "#" : "").\(precision ?? 6)\(cCode)", scaled)
            if type == nil, !body.contains("."), !body.contains("e"), !body.contains("inf"), !body.contains("nan") { body += ".0" }
            if code == "%" { body += "%" }
        }
        if grouping != nil, number.isFinite {
            let integerEnd = body.firstIndex(where: { !$0.isNumber }) ?? body.endIndex
            body = grouped(String(body[..<integerEnd])) + body[integerEnd...]
        }
        let head = signed(number.sign == .minus)
        return pad(head + body, defaultAlign: ">", signLength: head.count)
    default:
        break
    }
    // `object.__format__` takes only an empty spec.
    throw _JinjaFailure(.type, "unsupported format string passed to \(value.typeName).__format__", line: line)
}
