import Foundation

extension _JinjaRenderer {
    /// jinja2's built-in filters this interpreter does not implement: an error names them.
    static let unsupportedFilters: Set<String> = [
        "filesizeformat", "forceescape", "groupby", "pprint", "random", "striptags", "urlencode", "urlize", "wordwrap",
        "xmlattr",
    ]

    /// The filters that, called without arguments, need only the value (`string`, `trim`,
    /// `length`), as a function the compiler resolves once per filter expression instead of
    /// matching the name on every evaluation; `nil` for another name. The function returns `nil`
    /// for a value it leaves to ``filter(_:_:_:)`` (errors, template objects).
    static func argumentlessFilter(_ name: String) -> (@Sendable (JinjaValue) -> JinjaValue?)? {
        switch name {
        case "string", "safe":
            return { value in
                if case .string = value { return value }
                return .string(value.pythonString)
            }
        case "trim": return { .string(_pythonStrip($0.pythonString, chars: nil)) }
        case "length", "count":
            return { value in
                switch value {
                case .string(let text): return .int(_scalarCount(text))
                case .list(let items): return .int(items.count)
                case .dict(let dict): return .int(dict.count)
                case .undefined: return .int(0)
                default: return nil
                }
            }
        default: return nil
        }
    }

    func applyFilter(_ name: String, _ value: JinjaValue, _ arguments: _JinjaArguments, _ scope: _JinjaScope, line: Int) throws -> JinjaValue {
        let (positional, keyword) = try evalArguments(arguments, scope)
        return try filter(name, value, _JinjaCallArguments(function: name, positional: positional, keyword: keyword, line: line))
    }

    /// Applies a filter to a value with evaluated arguments.
    func filter(_ name: String, _ value: JinjaValue, _ arguments: _JinjaCallArguments) throws -> JinjaValue {
        let line = arguments.line
        func requireString(_ value: JinjaValue) -> String { value.pythonString }
        func undefinedError() -> _JinjaFailure {
            _JinjaFailure(.undefined, "the \(name) filter was given an undefined value", line: line)
        }
        switch name {
        case "default", "d":
            let fallback = arguments.value(0, "default_value") ?? .string("")
            let boolean = arguments.bool(1, "boolean", default: false)
            if value.isUndefined || (boolean && !value.isTruthy) { return fallback }
            return value
        case "trim":
            return .string(_pythonStrip(value.pythonString, chars: try arguments.string(0, "chars")))
        case "tojson":
            return .string(try _JinjaJSON.dumps(value, arguments))
        case "length", "count":
            switch value {
            case .string(let text): return .int(_scalarCount(text))
            case .list(let items): return .int(items.count)
            case .dict(let dict): return .int(dict.count)
            case .undefined: return .int(0)
            case .object(let object):
                if case .tuple(let items) = object.kind { return .int(items.count) }
                fallthrough
            default: throw _JinjaFailure(.type, "object of type '\(value.typeName)' has no len()", line: line)
            }
        case "list":
            return .list(try iterate(value, what: nil))
        case "items":
            switch value {
            case .undefined: return .list([])
            case .dict(let dict): return .list(zip(dict.keys, dict.values).map { .makeObject(.tuple([JinjaDict.keyValue($0.0), $0.1])) })
            default: throw _JinjaFailure(.type, "can only get item pairs from a mapping, not \(value.typeName)", line: line)
            }
        case "join":
            let separator = try arguments.string(0, "d") ?? ""
            var items = try iterate(value, what: nil)
            if let attribute = arguments.value(1, "attribute") {
                items = try items.map { try lookupPath($0, attribute, line: line) }
            }
            return .string(try _checkBuilt(items.map(\.pythonString).joined(separator: separator), "the join filter", line: line))
        case "upper": return .string(value.pythonString.uppercased())
        case "lower": return .string(_pythonLower(value.pythonString))
        case "title":
            // jinja2: split on runs of `-`, whitespace and brackets; each piece's first character
            // `upper()`, the rest of the piece `lower()` (Python's, in the piece's own context).
            var out = ""
            var word: [Unicode.Scalar] = []
            func flushWord() {
                guard let first = word.first else { return }
                out += first.properties.uppercaseMapping
                var rest = ""
                rest.unicodeScalars.append(contentsOf: word.dropFirst())
                out += _pythonLower(rest)
                word.removeAll(keepingCapacity: true)
            }
            for scalar in value.pythonString.unicodeScalars {
                if scalar == "-" || scalar._isPythonWhitespace || "({[<".unicodeScalars.contains(scalar) {
                    flushWord()
                    out.unicodeScalars.append(scalar)
                } else {
                    word.append(scalar)
                }
            }
            flushWord()
            return .string(out)
        case "capitalize": return .string(_pythonCapitalize(value.pythonString))
        case "replace":
            // jinja2's do_replace: `str(s).replace(str(old), str(new), count)` (count None = all).
            guard let old = arguments.value(0, "old"), let new = arguments.value(1, "new") else {
                throw _JinjaFailure(.type, "the replace filter needs the old and new strings: replace(old, new[, count])", line: line)
            }
            return .string(try _pythonReplace(value.pythonString, old.pythonString, new.pythonString,
                                              count: try arguments.int(2, "count") ?? -1, what: "the replace filter", line: line))
        case "first", "last":
            let items: [JinjaValue]
            switch value {
            case .undefined: return .undefined
            default: items = try iterate(value, what: nil)
            }
            return (name == "first" ? items.first : items.last) ?? .undefined
        case "select", "reject", "selectattr", "rejectattr":
            return .list(try selectItems(value, name, arguments))
        case "map":
            let items = try iterate(value, what: nil)
            if let attribute = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
                let fallback = arguments.keyword.first(where: { $0.0 == "default" })?.1
                return .list(try items.map { item in
                    let found = try lookupPath(item, attribute, default: fallback, line: line)
                    if found.isUndefined, let fallback { return fallback }
                    return found
                })
            }
            guard case .string(let filterName)? = arguments.positional.first else {
                throw _JinjaFailure(.type, "map filter needs a filter name or attribute=", line: line)
            }
            let rest = _JinjaCallArguments(
                function: filterName, positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword, line: line)
            return .list(try items.map { try filter(filterName, $0, rest) })
        case "indent":
            // jinja2 calls str methods on the value, which an undefined refuses.
            if value.isUndefined { throw undefinedError() }
            let widthValue = arguments.value(0, "width") ?? .int(4)
            // jinja2: `" " * width` unless the width is a string.
            if case .string = widthValue {} else if widthValue.integerIndex == nil {
                throw _JinjaFailure(.type, "can't multiply sequence by non-int of type '\(widthValue.typeName)'", line: line)
            }
            try _checkWidth(widthValue.integerIndex ?? 0, "the indent filter", line: line)
            let indentation: String = if case .string(let text) = widthValue { text } else {
                // `" " * width`: nothing for a negative width (no trap).
                String(repeating: " ", count: max(0, widthValue.integerIndex ?? 4))
            }
            let first = arguments.bool(1, "first", default: false)
            let blank = arguments.bool(2, "blank", default: false)
            let lines = _pythonSplitLines(value.pythonString + "\n")
            var out: String
            if blank {
                out = lines.joined(separator: "\n" + indentation)
            } else {
                out = lines.first ?? ""
                if lines.count > 1 {
                    out += "\n" + lines.dropFirst().map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
                }
            }
            if first { out = indentation + out }
            return .string(out)
        case "string", "safe":
            return .string(value.pythonString)
        case "e", "escape":
            if value.isUndefined { return .string("") }
            var out = ""
            for scalar in value.pythonString.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return .string(out)
        case "int":
            // `int(Undefined)` raises in jinja2 (so does `float`): no silent default.
            if value.isUndefined { throw undefinedError() }
            let fallback = arguments.value(0, "default") ?? .int(0)
            let base = try arguments.int(1, "base") ?? 10
            switch value {
            case .int: return value
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .float(let number):
                // jinja2's do_int: `int(value)` lets OverflowError through for an infinite float
                // (NaN is a ValueError: the default); a string's `int(float(text))` catches it.
                if number.isInfinite { throw _JinjaFailure(.type, "OverflowError: cannot convert float infinity to integer", line: line) }
                return try _truncatedInt(number, fallback: fallback, line: line)
            case .string(let text):
                // jinja2's do_int: `int(value, base)`, else `int(float(value))`, else the default.
                let trimmed = _pythonStrip(text, chars: nil)
                switch _pythonInt(trimmed, base: base) {
                case .value(let number): return .int(number)
                case .overflow: throw _JinjaFailure(.unsupported, "integers beyond 64 bits ('\(trimmed)')", line: line)
                case .invalid: break
                }
                if let number = _pythonFloat(trimmed) { return try _truncatedInt(number, fallback: fallback, line: line) }
                return fallback
            default: return fallback
            }
        case "float":
            if value.isUndefined { throw undefinedError() }
            let fallback = arguments.value(0, "default") ?? .float(0)
            switch value {
            case .float: return value
            case .int(let number): return .float(Double(number))
            case .bool(let flag): return .float(flag ? 1 : 0)
            case .string(let text):
                if let number = _pythonFloat(_pythonStrip(text, chars: nil)) { return .float(number) }
                return fallback
            default: return fallback
            }
        case "abs":
            switch value {
            case .int(let number):
                guard number != .min else { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: line) }
                return .int(abs(number))
            case .float(let number): return .float(abs(number))
            case .bool(let flag): return .int(flag ? 1 : 0)
            default: throw _JinjaFailure(.type, "bad operand type for abs(): '\(value.typeName)'", line: line)
            }
        case "round":
            let precision = try arguments.int(0, "precision") ?? 0
            let method = try arguments.string(1, "method") ?? "common"
            guard let number = value.numericValue?.doubleValue else {
                throw _JinjaFailure(.type, "round filter needs a number, not \(value.typeName)", line: line)
            }
            if case .int(let integer) = value, method == "common" {
                // Python's `round(int, n)` is an int: unchanged for n >= 0, else to the nearest
                // multiple of 10**-n, halves to even.
                if precision >= 0 { return value }
                var power = 1
                for _ in 0..<min(-precision, 19) { power *= 10 }
                guard -precision <= 18 else { return .int(0) }
                let (quotient, remainder) = integer.quotientAndRemainder(dividingBy: power)
                var rounded = quotient
                let twice = remainder.magnitude * 2
                if twice > power.magnitude || (twice == power.magnitude && quotient % 2 != 0) { rounded += integer < 0 ? -1 : 1 }
                let (result, overflow) = rounded.multipliedReportingOverflow(by: power)
                if overflow { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: line) }
                return .int(result)
            }
            let scale = Foundation.pow(10.0, Double(precision))
            switch method {
            case "common":
                // Python's `round(x, n)` rounds the exact binary value correctly (`round(2.675, 2)` is
                // 2.67: the double is below 2.675), as C's `%.nf` does; not `x * 10**n` rounded.
                if precision >= 0 && number.isFinite {
                    guard precision <= 330 else { return .float(number) }
                    return .float(Double(String(format: "%.\(precision)f", number)) ?? number)
                }
                // n < 0: to a multiple of 10**-n (0.0, keeping the sign, past every double).
                let step = Foundation.pow(10.0, Double(-precision))
                guard step.isFinite else { return .float(number.sign == .minus ? -0.0 : 0.0) }
                return .float((number / step).rounded(.toNearestOrEven) * step)
            case "ceil": return .float((number * scale).rounded(.up) / scale)
            case "floor": return .float((number * scale).rounded(.down) / scale)
            default: throw _JinjaFailure(.type, "method must be common, ceil or floor", line: line)
            }
        case "unique":
            let caseSensitive = arguments.bool(0, "case_sensitive", default: false)
            let attribute = arguments.value(1, "attribute")
            var seen: [JinjaValue] = []
            var out: [JinjaValue] = []
            for item in try iterate(value, what: nil) {
                var key = attribute == nil ? item : try lookupPath(item, attribute!, line: line)
                if !caseSensitive, case .string(let text) = key { key = .string(_pythonLower(text)) }
                // jinja2 keeps the keys seen in a set: a list or dict key is an error there.
                if let unhashable = key.unhashableType {
                    throw _JinjaFailure(.type, "unhashable type: '\(unhashable)'", line: line)
                }
                if !seen.contains(key) {
                    seen.append(key)
                    out.append(item)
                }
            }
            return .list(out)
        case "sort":
            let reverse = arguments.bool(0, "reverse", default: false)
            let caseSensitive = arguments.bool(1, "case_sensitive", default: false)
            let attribute = arguments.value(2, "attribute")
            let items = try iterate(value, what: nil)
            var keyed: [(JinjaValue, JinjaValue)] = []
            // jinja2's make_multi_attrgetter: `attribute='a,b'` sorts by a, then b.
            let attributes: [JinjaValue]? =
                if case .string(let path)? = attribute, path.utf8.contains(UInt8(ascii: ",")) {
                    path.split(separator: ",", omittingEmptySubsequences: false).map { .string(String($0)) }
                } else { nil }
            for item in items {
                if let attributes {
                    var keys: [JinjaValue] = []
                    for part in attributes {
                        var key = try lookupPath(item, part, line: line)
                        if !caseSensitive, case .string(let text) = key { key = .string(_pythonLower(text)) }
                        keys.append(key)
                    }
                    keyed.append((.list(keys), item))
                    continue
                }
                var key = attribute == nil ? item : try lookupPath(item, attribute!, line: line)
                if !caseSensitive, case .string(let text) = key { key = .string(_pythonLower(text)) }
                keyed.append((key, item))
            }
            return .list(try stableSorted(keyed, reverse: reverse, line: line).map(\.1))
        case "dictsort":
            if value.isUndefined { throw undefinedError() }
            guard case .dict(let dict) = value else {
                throw _JinjaFailure(.type, "dictsort filter needs a dictionary, not \(value.typeName)", line: line)
            }
            let caseSensitive = arguments.bool(0, "case_sensitive", default: false)
            let by = try arguments.string(1, "by") ?? "key"
            let reverse = arguments.bool(2, "reverse", default: false)
            var keyed: [(JinjaValue, JinjaValue)] = []
            for (stored, member) in zip(dict.keys, dict.values) {
                let key = JinjaDict.keyValue(stored)
                var sortKey = by == "value" ? member : key
                if !caseSensitive, case .string(let text) = sortKey { sortKey = .string(_pythonLower(text)) }
                keyed.append((sortKey, .makeObject(.tuple([key, member]))))
            }
            return .list(try stableSorted(keyed, reverse: reverse, line: line).map(\.1))
        case "reverse":
            switch value {
            case .string(let text):
                var out = ""
                out.unicodeScalars.append(contentsOf: text.unicodeScalars.reversed())
                return .string(out)
            default: return .list(try iterate(value, what: nil).reversed())
            }
        case "wordcount":
            var count = 0
            var inWord = false
            for scalar in value.pythonString.unicodeScalars {
                let isWord = scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
                if isWord && !inWord { count += 1 }
                inWord = isWord
            }
            return .int(count)
        case "center":
            let width = try arguments.int(0, "width") ?? 80
            return .string(try _pythonJustify(value.pythonString, width: width, fill: " ", mode: "center", line: line))
        case "format":
            // jinja2's do_format: `value % (kwargs or args)`, never both.
            if !arguments.keyword.isEmpty {
                guard arguments.positional.isEmpty else {
                    throw _JinjaFailure(.type, "the format filter can't handle positional and keyword arguments at the same time", line: line)
                }
                let mapping = JinjaDict(arguments.keyword)
                return .string(try _pythonPercentFormat(value.pythonString, [.dict(mapping)], mapping: mapping, line: line))
            }
            return .string(try _pythonPercentFormat(value.pythonString, arguments.positional, line: line))
        case "batch":
            // jinja2's do_batch: lists of `linecount` items, the last one padded with `fill_with`.
            guard let size = try arguments.int(0, "linecount"), size > 0 else {
                throw _JinjaFailure(.type, "the batch filter needs a positive linecount", line: line)
            }
            var fill = arguments.value(1, "fill_with")
            if case .none? = fill { fill = nil }
            let items = try iterate(value, what: nil)
            // Padding the last batch to a huge linecount would fill memory: refused first.
            if fill != nil, items.count % size != 0 {
                try _checkWidth(size, "the batch filter", line: line)
                if size > _JinjaRenderer.maximumListItems {
                    throw _JinjaFailure(
                        .security, "the batch filter would pad a batch to \(size) items, more than the \(_JinjaRenderer.maximumListItems) a chat template may build",
                        line: line)
                }
            }
            var batches: [JinjaValue] = []
            var start = 0
            while start < items.count {
                var chunk = Array(items[start..<min(start + size, items.count)])
                if let fill { while chunk.count < size { chunk.append(fill) } }
                batches.append(.list(chunk))
                start += size
            }
            return .list(batches)
        case "slice":
            // jinja2's do_slice: `slices` lists, the first `len % slices` one item longer; the
            // shorter ones padded with `fill_with`.
            guard let slices = try arguments.int(0, "slices"), slices > 0 else {
                throw _JinjaFailure(.type, "the slice filter needs a positive number of slices", line: line)
            }
            try _checkWidth(slices, "slice()", line: line)
            var fill = arguments.value(1, "fill_with")
            if case .none? = fill { fill = nil }
            let items = try iterate(value, what: nil)
            let perSlice = items.count / slices, withExtra = items.count % slices
            var offset = 0
            var out: [JinjaValue] = []
            for number in 0..<slices {
                let start = offset + number * perSlice
                if number < withExtra { offset += 1 }
                let end = offset + (number + 1) * perSlice
                var chunk = Array(items[start..<end])
                if let fill, number >= withExtra { chunk.append(fill) }
                out.append(.list(chunk))
            }
            return .list(out)
        case "truncate":
            // jinja2's do_truncate (leeway 5, the environment's default), in code points.
            let text = value.pythonString
            let length = try arguments.int(0, "length") ?? 255
            let killWords = arguments.bool(1, "killwords", default: false)
            let end = try arguments.string(2, "end") ?? "..."
            let leeway = try arguments.int(3, "leeway") ?? 5
            let scalars = Array(text.unicodeScalars)
            let endCount = end.unicodeScalars.count
            guard length >= endCount else {
                throw _JinjaFailure(.type, "expected length >= \(endCount), got \(length)", line: line)
            }
            guard leeway >= 0 else { throw _JinjaFailure(.type, "expected leeway >= 0, got \(leeway)", line: line) }
            // count <= length + leeway, without overflowing for a huge length.
            if scalars.count <= length || scalars.count - length <= leeway { return .string(text) }
            var head = ""
            head.unicodeScalars.append(contentsOf: scalars[..<(length - endCount)])
            if killWords { return .string(head + end) }
            if let space = head.unicodeScalars.lastIndex(of: " ") {
                head = String(head.unicodeScalars[..<space])
            }
            return .string(head + end)
        case "attr":
            if value.isUndefined { throw undefinedError() }
            guard let attribute = try arguments.string(0, "name") else { return .undefined }
            if case .dict = value { return _JinjaRenderer.dictMethods.contains(attribute) ? self.attribute(of: value, attribute) : .undefined }
            return self.attribute(of: value, attribute)
        case "sum":
            var total: JinjaValue = arguments.value(1, "start") ?? .int(0)
            for item in try iterate(value, what: nil) {
                let element = try arguments.value(0, "attribute").map { try lookupPath(item, $0, line: line) } ?? item
                total = try _JinjaRenderer.binary(.add, total, element, line: line)
            }
            return total
        case "max", "min":
            let caseSensitive = arguments.bool(0, "case_sensitive", default: false)
            let attribute = arguments.value(1, "attribute")
            var best: (JinjaValue, JinjaValue)?
            for item in try iterate(value, what: nil) {
                var key = attribute == nil ? item : try lookupPath(item, attribute!, line: line)
                if !caseSensitive, case .string(let text) = key { key = .string(_pythonLower(text)) }
                if let current = best {
                    guard let order = try _JinjaRenderer.ordering(key, current.0) else {
                        throw _JinjaFailure(.type, "cannot compare \(key.typeName) with \(current.0.typeName)", line: line)
                    }
                    if (name == "max" && order > 0) || (name == "min" && order < 0) { best = (key, item) }
                } else {
                    best = (key, item)
                }
            }
            return best?.1 ?? .undefined
        default:
            if _JinjaRenderer.unsupportedFilters.contains(name) {
                throw _JinjaFailure(.unsupported, "the '\(name)' filter", line: line)
            }
            throw _JinjaFailure(.syntax, "no filter named '\(name)'", line: line)
        }
    }

    /// `a.b.c` lookups for `attribute=` arguments (dotted paths; integer parts index lists).
    func lookupPath(_ value: JinjaValue, _ path: JinjaValue, default fallback: JinjaValue? = nil, line: Int) throws -> JinjaValue {
        if let index = path.integerIndex { return try item(of: value, .int(index), line: line) }
        if case .string(let key) = path, !key.utf8.contains(UInt8(ascii: ".")), Int(key) == nil {
            return try item(of: value, path, line: line)
        }
        // jinja2's make_attrgetter: each part read from the last; a part missing is undefined (or
        // `default`, replacing it at once), and reading on from an undefined part is an error.
        var current = value
        var missing: (owner: JinjaValue, key: JinjaValue)?
        for part in path.pythonString.split(separator: ".", omittingEmptySubsequences: false) {
            let key: JinjaValue = Int(part).map { .int($0) } ?? .string(String(part))
            if let missing, current.isUndefined {
                let owner = if case .none = missing.owner { "'None'" } else { "'\(missing.owner.typeName) object'" }
                let what = if case .string(let name) = missing.key { "attribute \(JinjaValue.string(name).pythonRepr)" } else { "element \(missing.key.pythonRepr)" }
                throw _JinjaFailure(.undefined, "\(owner) has no \(what)", line: line)
            }
            let owner = current
            current = try item(of: current, key, line: line)
            if current.isUndefined {
                if let fallback { current = fallback } else { missing = (owner, key) }
            }
        }
        return current
    }

    private func stableSorted(_ keyed: [(JinjaValue, JinjaValue)], reverse: Bool, line: Int) throws -> [(JinjaValue, JinjaValue)] {
        var failure: _JinjaFailure?
        let indexed = keyed.enumerated().map { ($0.offset, $0.element) }
        let sorted = indexed.sorted { left, right in
            guard let order = try? _JinjaRenderer.ordering(left.1.0, right.1.0) else {
                failure = _JinjaFailure(
                    .type, "'<' not supported between instances of '\(left.1.0.typeName)' and '\(right.1.0.typeName)'", line: line)
                return left.0 < right.0
            }
            if order == 0 { return left.0 < right.0 }
            return reverse ? order > 0 : order < 0
        }
        if let failure { throw failure }
        return sorted.map(\.1)
    }

    /// `select`/`reject` (by test) and `selectattr`/`rejectattr` (by an attribute and test).
    private func selectItems(_ value: JinjaValue, _ name: String, _ arguments: _JinjaCallArguments) throws -> [JinjaValue] {
        let line = arguments.line
        let byAttribute = name.hasSuffix("attr")
        let keep = name.hasPrefix("select")
        var rest = arguments.positional[...]
        var attribute: JinjaValue?
        if byAttribute {
            guard let first = rest.popFirst() else {
                throw _JinjaFailure(.type, "\(name) needs an attribute name", line: line)
            }
            attribute = first
        }
        let testName: String? = if case .string(let text)? = rest.first { text } else { nil }
        if testName != nil { rest = rest.dropFirst() }
        var out: [JinjaValue] = []
        for item in try iterate(value, what: nil) {
            let subject = try attribute.map { try lookupPath(item, $0, line: line) } ?? item
            let passes: Bool
            if let testName {
                passes = try applyTest(testName, subject, Array(rest), arguments.keyword, line: line)
            } else {
                passes = subject.isTruthy
            }
            if passes == keep { out.append(item) }
        }
        return out
    }
}

/// `Int(x)` of a float as Python's `int()` truncates it; `fallback` for infinity or NaN (jinja2's
/// `int` filter catches their errors), an error for a value beyond 64 bits (Python's is exact).
private func _truncatedInt(_ number: Double, fallback: JinjaValue, line: Int) throws -> JinjaValue {
    guard number.isFinite else { return fallback }
    guard let truncated = Int(exactly: number.rounded(.towardZero)) else {
        throw _JinjaFailure(.unsupported, "integers beyond 64 bits (\(_pythonFloatRepr(number)))", line: line)
    }
    return .int(truncated)
}

/// What Python's `int(text, base)` gives for a stripped string.
enum _PythonIntParse {
    case value(Int)
    /// Valid digits whose value needs more than 64 bits.
    case overflow
    /// Python raises ValueError (bad digits, a base outside 0 and 2...36).
    case invalid
}

/// Python's `int(text, base)`: a sign, the base's prefix (`0x` / `0o` / `0b`; any of them for
/// base 0, which reads a plain number as decimal without leading zeros), digits of any script
/// (`٣`), single underscores between digits.
func _pythonInt(_ text: String, base requested: Int) -> _PythonIntParse {
    guard requested == 0 || (2...36).contains(requested) else { return .invalid }
    var scalars = Substring(text).unicodeScalars[...]
    var negative = false
    if let first = scalars.first, first == "+" || first == "-" {
        negative = first == "-"
        scalars = scalars.dropFirst()
    }
    var base = requested
    var afterPrefix = false
    if scalars.count >= 2, scalars.first == "0", let marker = scalars.dropFirst().first {
        let prefixBase: Int? =
            switch marker {
            case "x", "X": 16
            case "o", "O": 8
            case "b", "B": 2
            default: nil
            }
        if let prefixBase, base == 0 || base == prefixBase {
            base = prefixBase
            scalars = scalars.dropFirst(2)
            afterPrefix = true
        }
    }
    let decimalWithoutPrefix = base == 0
    if base == 0 { base = 10 }
    var value = 0
    var overflow = false
    var previousUnderscore = false
    var digits = 0
    var allZero = true
    for scalar in scalars {
        if scalar == "_" {
            // Between digits, or right after a prefix.
            guard !previousUnderscore, digits > 0 || afterPrefix else { return .invalid }
            previousUnderscore = true
            continue
        }
        previousUnderscore = false
        let digit: Int
        if scalar.properties.numericType == .decimal, let number = scalar.properties.numericValue {
            digit = Int(number)
        } else if scalar.isASCII, scalar.properties.isAlphabetic {
            digit = Int(scalar.value | 0x20) - Int(UInt8(ascii: "a")) + 10
        } else {
            return .invalid
        }
        guard digit < base else { return .invalid }
        if digit != 0 { allZero = false }
        digits += 1
        let (shifted, overflowA) = value.multipliedReportingOverflow(by: base)
        let (added, overflowB) = shifted.addingReportingOverflow(digit)
        if overflowA || overflowB { overflow = true }
        value = added
    }
    guard digits > 0, !previousUnderscore else { return .invalid }
    // Base 0 refuses `010` (Python 3 has no implicit octal), but not `0` or `00`.
    if decimalWithoutPrefix, !afterPrefix, !allZero, scalars.first == "0" { return .invalid }
    if overflow {
        // -2**63 fits, as a negative number.
        return negative && value == Int.min ? .value(Int.min) : .overflow
    }
    return .value(negative ? -value : value)
}

/// Python's `float(text)` of a stripped string: decimal digits (single underscores between
/// them), a fraction, an exponent, `inf` / `infinity` / `nan` in any case; not hex (`0x1p3`),
/// which Swift's `Double(_:)` would read.
func _pythonFloat(_ text: String) -> Double? {
    var body = text.unicodeScalars[...]
    var sign = ""
    if let first = body.first, first == "+" || first == "-" {
        sign = first == "-" ? "-" : ""
        body = body.dropFirst()
    }
    let word = String(String.UnicodeScalarView(body)).lowercased()
    if word == "inf" || word == "infinity" { return sign == "-" ? -.infinity : .infinity }
    if word == "nan" { return .nan }
    var plain = ""
    var previous: Unicode.Scalar?
    for scalar in body {
        if scalar == "_" {
            // Only between two digits.
            guard let before = previous, ("0"..."9").contains(before) else { return nil }
            previous = scalar
            continue
        }
        if previous == "_" && !("0"..."9").contains(scalar) { return nil }
        if scalar.properties.numericType == .decimal, let number = scalar.properties.numericValue {
            plain += String(Int(number))
        } else if "eE.".unicodeScalars.contains(scalar) || ((scalar == "+" || scalar == "-") && (previous == "e" || previous == "E")) {
            plain.unicodeScalars.append(scalar)
        } else {
            return nil
        }
        previous = scalar
    }
    guard previous != "_", !plain.isEmpty, plain.unicodeScalars.contains(where: { ("0"..."9").contains($0) }) else { return nil }
    return Double(sign + plain)
}
