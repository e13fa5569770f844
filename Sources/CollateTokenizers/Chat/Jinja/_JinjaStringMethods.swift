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
            let candidates: [JinjaValue] = if case .list(let items) = prefix { items } else { [prefix] }
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
            return .string(try _checkBuilt(_pythonReplace(text, old, new, count: try arguments.int(2, "count") ?? -1), "replace()", line: line))
        case "lower": return .string(text.lowercased())
        case "upper": return .string(text.uppercased())
        case "casefold": return .string(text.lowercased())
        case "swapcase":
            var out = ""
            for scalar in text.unicodeScalars {
                let piece = String(scalar)
                out += scalar.properties.isUppercase ? piece.lowercased() : scalar.properties.isLowercase ? piece.uppercased() : piece
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
            case .dict(let dict): items = dict.keys.map { .string($0) }
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
            return .bool(!text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
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
            return .bool(!text.isEmpty && _pythonTitle(text) == text && text.unicodeScalars.contains { $0.properties.isCased })
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
                return .list(name == "partition" ? [.string(text), .string(""), .string("")] : [.string(""), .string(""), .string(text)])
            }
            var head = ""
            head.unicodeScalars.append(contentsOf: scalars[..<found])
            var tail = ""
            tail.unicodeScalars.append(contentsOf: scalars[(found + pattern.count)...])
            return .list([.string(head), .string(separator), .string(tail)])
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
            throw _JinjaFailure(.unsupported, "the string method 'expandtabs'", line: line)
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

/// Python's `str.replace(old, new, count)`.
func _pythonReplace(_ text: String, _ old: String, _ new: String, count: Int = -1) -> String {
    let scalars = Array(text.unicodeScalars)
    let pattern = Array(old.unicodeScalars)
    var out = ""
    var replaced = 0
    if pattern.isEmpty {
        for scalar in scalars {
            if count < 0 || replaced < count {
                out += new
                replaced += 1
            }
            out.unicodeScalars.append(scalar)
            if replaced * new.utf8.count > _JinjaRenderer.maximumValueBytes { return out }
        }
        if count < 0 || replaced < count { out += new }
        return out
    }
    var start = 0
    // A lower bound of the bytes built: past the value limit the caller refuses the result
    // anyway, so building stops there.
    var built = 0
    let newBytes = new.utf8.count
    while count < 0 || replaced < count, let found = _scalarFind(pattern, in: scalars, from: start) {
        out.unicodeScalars.append(contentsOf: scalars[start..<found])
        out += new
        built += found - start + newBytes
        start = found + pattern.count
        replaced += 1
        if built > _JinjaRenderer.maximumValueBytes { return out }
    }
    out.unicodeScalars.append(contentsOf: scalars[start...])
    return out
}

/// Python's `str.title()`: a cased character after an uncased one is upper-cased, others lowered.
func _pythonTitle(_ text: String) -> String {
    var out = ""
    var previousCased = false
    for scalar in text.unicodeScalars {
        let piece = String(scalar)
        if scalar.properties.isCased {
            out += previousCased ? piece.lowercased() : piece.uppercased()
            previousCased = true
        } else {
            out += piece
            previousCased = false
        }
    }
    return out
}

/// Python's `str.capitalize()`: first character upper, the rest lower.
func _pythonCapitalize(_ text: String) -> String {
    guard let first = text.unicodeScalars.first else { return text }
    var rest = ""
    rest.unicodeScalars.append(contentsOf: text.unicodeScalars.dropFirst())
    return String(first).uppercased() + rest.lowercased()
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
        if field.contains(":") || field.contains("!") || field.contains(".") || field.contains("[") {
            throw _JinjaFailure(.unsupported, "str.format fields with conversions or format specs ('{\(field)}')", line: arguments.line)
        }
        let value: JinjaValue?
        if field.isEmpty {
            value = automatic < arguments.positional.count ? arguments.positional[automatic] : nil
            automatic += 1
        } else if let index = Int(field) {
            value = index < arguments.positional.count ? arguments.positional[index] : nil
        } else {
            value = arguments.keyword.first(where: { $0.0 == field })?.1
        }
        guard let value else {
            throw _JinjaFailure(.type, "str.format: no argument for the field '{\(field)}'", line: arguments.line)
        }
        out += value.pythonString
    }
    return out
}
