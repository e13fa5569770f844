import Foundation

extension _JinjaRenderer {
    /// Python's arithmetic: `+ - * / // % **` on ints, floats, strings and lists.
    static func binary(_ op: _JinjaBinaryOp, _ lhs: JinjaValue, _ rhs: JinjaValue, line: Int) throws -> JinjaValue {
        func typeError() -> _JinjaFailure {
            // `+` on a str, list or tuple with another type: Python's own words (`str.__add__`).
            let left = lhs.typeName
            if op == .add, left == "str" || left == "list" || left == "tuple" {
                return _JinjaFailure(.type, "can only concatenate \(left) (not \"\(rhs.typeName)\") to \(left)", line: line)
            }
            return _JinjaFailure(.type, "unsupported operand type(s) for \(op.text): '\(left)' and '\(rhs.typeName)'", line: line)
        }
        switch (op, lhs, rhs) {
        case (.add, .string(let a), .string(let b)): return try concatenate(a, b, op: "+", line: line)
        case (.add, .list(let a), .list(let b)):
            try _checkSum(a.count, b.count, limit: _JinjaRenderer.maximumListItems, unit: "items", op: "+", line: line)
            return .list(a + b)
        case (.add, .object(let object), _):
            // A tuple takes only a tuple (`(1, 2) + (3,)`), as Python's does.
            guard case .tuple(let a) = object.kind else { break }
            guard let b = rhs.tupleItems else {
                throw _JinjaFailure(.type, "can only concatenate tuple (not \"\(rhs.typeName)\") to tuple", line: line)
            }
            try _checkSum(a.count, b.count, limit: _JinjaRenderer.maximumListItems, unit: "items", op: "+", line: line)
            return .makeObject(.tuple(a + b))
        case (.add, .list, .object):
            if rhs.tupleItems != nil { throw _JinjaFailure(.type, "can only concatenate list (not \"tuple\") to list", line: line) }
        case (.multiply, .string(let text), _), (.multiply, _, .string(let text)):
            guard let times = (lhs.integerIndex != nil && rhs.integerIndex == nil ? lhs : rhs).integerIndex else { throw typeError() }
            try _checkRepetition(text.utf8.count, times: times, limit: _JinjaRenderer.maximumValueBytes, unit: "bytes", line: line)
            return .string(times > 0 ? String(repeating: text, count: times) : "")
        case (.multiply, .list(let items), _), (.multiply, _, .list(let items)):
            guard let times = (lhs.integerIndex != nil && rhs.integerIndex == nil ? lhs : rhs).integerIndex else { throw typeError() }
            try _checkRepetition(items.count, times: times, limit: _JinjaRenderer.maximumListItems, unit: "items", line: line)
            var out: [JinjaValue] = []
            for _ in 0..<max(0, times) { out += items }
            return .list(out)
        case (.multiply, .object, _), (.multiply, _, .object):
            // `(1, 2) * 2`: a tuple repeated is a tuple.
            guard let items = lhs.tupleItems ?? rhs.tupleItems else { break }
            guard let times = (lhs.tupleItems == nil ? lhs : rhs).integerIndex else { throw typeError() }
            try _checkRepetition(items.count, times: times, limit: _JinjaRenderer.maximumListItems, unit: "items", line: line)
            var out: [JinjaValue] = []
            for _ in 0..<max(0, times) { out += items }
            return .makeObject(.tuple(out))
        case (.modulo, .string(let format), _):
            // A tuple operand gives the arguments (`'%s-%s' % (a, b)`); anything else, a list
            // included, is the one argument (`'%s' % [1, 2]` is `[1, 2]`), as in Python.
            let arguments: [JinjaValue] = rhs.tupleItems ?? [rhs]
            // A dictionary operand also serves `%(name)s` (Python formats by key from a mapping).
            let mapping: JinjaDict? = if case .dict(let dict) = rhs { dict } else { nil }
            return .string(try _checkBuilt(try _pythonPercentFormat(format, arguments, mapping: mapping, line: line), "'%'", line: line))
        default:
            break
        }
        guard let a = lhs.numericValue, let b = rhs.numericValue else { throw typeError() }
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add, .subtract, .multiply:
                let (result, overflow) =
                    op == .add ? x.addingReportingOverflow(y) : op == .subtract ? x.subtractingReportingOverflow(y) : x.multipliedReportingOverflow(by: y)
                if overflow { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: line) }
                return .int(result)
            case .divide:
                guard y != 0 else { throw _JinjaFailure(.type, "division by zero", line: line) }
                return .float(Double(x) / Double(y))
            case .floorDivide:
                guard y != 0 else { throw _JinjaFailure(.type, "integer division or modulo by zero", line: line) }
                // -2**63 // -1 is 2**63, beyond 64 bits.
                guard !(x == .min && y == -1) else { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: line) }
                var quotient = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { quotient -= 1 }
                return .int(quotient)
            case .modulo:
                guard y != 0 else { throw _JinjaFailure(.type, "integer division or modulo by zero", line: line) }
                // Swift's `Int.min % -1` traps; the remainder is 0.
                if y == -1 { return .int(0) }
                var remainder = x % y
                if remainder != 0 && ((remainder < 0) != (y < 0)) { remainder += y }
                return .int(remainder)
            case .power:
                if y < 0 { return .float(try _pythonFloatPower(Double(x), Double(y), line: line)) }
                // 0, 1 and -1 never grow: answered without a loop of `y` steps (`(-1) ** 3` is -1).
                if x == 0 || x == 1 { return .int(y == 0 ? 1 : x) }
                if x == -1 { return .int(y % 2 == 0 ? 1 : -1) }
                var result = 1
                var overflow = false
                for _ in 0..<y {
                    (result, overflow) = result.multipliedReportingOverflow(by: x)
                    if overflow { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: line) }
                }
                return .int(result)
            default:
                throw typeError()
            }
        }
        let x = a.doubleValue
        let y = b.doubleValue
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide:
            guard y != 0 else { throw _JinjaFailure(.type, "float division by zero", line: line) }
            return .float(x / y)
        case .floorDivide:
            guard y != 0 else { throw _JinjaFailure(.type, "float floor division by zero", line: line) }
            return .float((x / y).rounded(.down))
        case .modulo:
            guard y != 0 else { throw _JinjaFailure(.type, "float modulo", line: line) }
            var remainder = fmod(x, y)
            if remainder != 0 && ((remainder < 0) != (y < 0)) { remainder += y }
            // A zero remainder takes the divisor's sign (`-0.0 % 1` is 0.0), as CPython's.
            if remainder == 0 { remainder = y.sign == .minus ? -0.0 : 0.0 }
            return .float(remainder)
        case .power: return .float(try _pythonFloatPower(x, y, line: line))
        default: throw typeError()
        }
    }

    /// One comparison of a chain: `== != < > <= >= in notin`.
    static func compare(_ op: _JinjaCompareOp, _ lhs: JinjaValue, _ rhs: JinjaValue, line: Int) throws -> Bool {
        switch op {
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        case .contains: return try contains(rhs, lhs, line: line)
        case .notContains: return !(try contains(rhs, lhs, line: line))
        default:
            guard let order = try ordering(lhs, rhs) else {
                if lhs.isUndefined || rhs.isUndefined {
                    // jinja2's `Undefined` raises UndefinedError when ordered, not a TypeError.
                    throw _JinjaFailure(
                        .undefined, "'\(op.text)' compares an undefined value (a name or attribute the template reads does not exist)",
                        line: line)
                }
                throw _JinjaFailure(
                    .type, "'\(op.text)' not supported between instances of '\(lhs.typeName)' and '\(rhs.typeName)'", line: line)
            }
            switch op {
            case .less: return order < 0
            case .greater: return order > 0
            case .lessOrEqual: return order <= 0
            default: return order >= 0
            }
        }
    }

    /// Python ordering of two values: numbers, strings by code point, lists element-wise.
    static func ordering(_ lhs: JinjaValue, _ rhs: JinjaValue) throws -> Int? {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)):
            return _compareScalars(a, b)
        case (.list(let a), .list(let b)):
            for (x, y) in zip(a, b) where x != y {
                return try ordering(x, y)
            }
            return a.count < b.count ? -1 : a.count > b.count ? 1 : 0
        default:
            // Tuples order as lists do (`items | sort`).
            if let a = lhs.tupleItems, let b = rhs.tupleItems { return try ordering(.list(a), .list(b)) }
            guard let a = lhs.numericValue, let b = rhs.numericValue else { return nil }
            if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : x > y ? 1 : 0 }
            let x = a.doubleValue
            let y = b.doubleValue
            return x < y ? -1 : x > y ? 1 : 0
        }
    }

    /// Python's `needle in container`.
    static func contains(_ container: JinjaValue, _ needle: JinjaValue, line: Int) throws -> Bool {
        switch container {
        case .string(let text):
            guard case .string(let part) = needle else {
                throw _JinjaFailure(.type, "'in <string>' requires string as left operand, not \(needle.typeName)", line: line)
            }
            return _utf8Contains(text, part)
        case .list(let items): return items.contains(needle)
        case .dict(let dict):
            if case .string(let key) = needle { return dict[key] != nil }
            return dict.value(forKey: needle) != nil
        case .undefined: return false
        case .object(let object):
            if case .tuple(let items) = object.kind { return items.contains(needle) }
            fallthrough
        default:
            throw _JinjaFailure(.type, "argument of type '\(container.typeName)' is not iterable", line: line)
        }
    }
}

/// Compares two strings by Unicode scalar values, as Python compares `str`.
func _compareScalars(_ a: String, _ b: String) -> Int {
    var left = a.unicodeScalars.makeIterator()
    var right = b.unicodeScalars.makeIterator()
    while true {
        switch (left.next(), right.next()) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let x?, let y?):
            if x != y { return x.value < y.value ? -1 : 1 }
        }
    }
}

/// The scalar offset of the first occurrence of `needle` in `haystack` from `from`, or `nil`.
/// Whether `needle` occurs in `haystack` (Python's `needle in haystack`), searched in UTF-8 bytes:
/// no scalar arrays, and a byte match of valid UTF-8 is a match of whole scalars.
func _utf8Contains(_ haystack: String, _ needle: String) -> Bool {
    var haystack = haystack
    var needle = needle
    return haystack.withUTF8 { hay in
        needle.withUTF8 { pattern in
            guard let first = pattern.first else { return true }
            guard hay.count >= pattern.count else { return false }
            let last = hay.count - pattern.count
            var index = 0
            while index <= last {
                if hay[index] == first {
                    var offset = 1
                    while offset < pattern.count && hay[index + offset] == pattern[offset] { offset += 1 }
                    if offset == pattern.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}

func _scalarRange(of needle: String, in haystack: String, from: Int = 0) -> Int? {
    let hay = Array(haystack.unicodeScalars)
    let pattern = Array(needle.unicodeScalars)
    return _scalarFind(pattern, in: hay, from: from)
}

func _scalarFind(_ pattern: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int = 0) -> Int? {
    if pattern.isEmpty { return from <= hay.count ? from : nil }
    guard hay.count >= pattern.count else { return nil }
    var index = max(0, from)
    let last = hay.count - pattern.count
    while index <= last {
        if hay[index] == pattern[0] {
            var matched = true
            for offset in 1..<pattern.count where hay[index + offset] != pattern[offset] {
                matched = false
                break
            }
            if matched { return index }
        }
        index += 1
    }
    return nil
}

/// Python's `format % arguments` for `%s %r %d %i %f %%` (flags and width for numbers), and
/// `%(name)s` reading `name` from `mapping` (the operand, when it is a dictionary).
func _pythonPercentFormat(_ format: String, _ arguments: [JinjaValue], mapping: JinjaDict? = nil, line: Int) throws -> String {
    var out = ""
    var remaining = arguments[...]
    var scalars = format.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
        guard scalar == "%" else {
            out.unicodeScalars.append(scalar)
            continue
        }
        var spec = ""
        var conversion: Unicode.Scalar?
        var key: String?
        while let next = scalars.next() {
            if next == "(" && key == nil && spec.isEmpty {
                // `%(name)s`: the key runs to the matching parenthesis (Python counts nesting).
                var name = ""
                var depth = 1
                while let inner = scalars.next() {
                    if inner == "(" { depth += 1 } else if inner == ")" { depth -= 1 }
                    if depth == 0 { break }
                    name.unicodeScalars.append(inner)
                }
                guard depth == 0 else { throw _JinjaFailure(.type, "incomplete format key in '%' format", line: line) }
                key = name
                continue
            }
            if "diouxXeEfFgGcrsa%".unicodeScalars.contains(next) {
                conversion = next
                break
            }
            guard "-+ #0123456789.hlL".unicodeScalars.contains(next) else {
                throw _JinjaFailure(.type, "unsupported format character '\(next)' (0x\(String(next.value, radix: 16)))", line: line)
            }
            spec.unicodeScalars.append(next)
        }
        guard let conversion else {
            throw _JinjaFailure(.type, "incomplete format: '%\(spec)'", line: line)
        }
        if conversion == "%" {
            out += "%"
            continue
        }
        let argument: JinjaValue
        if let key {
            guard let mapping else { throw _JinjaFailure(.type, "format requires a mapping (a dictionary after '%')", line: line) }
            guard let value = mapping[key] else {
                throw _JinjaFailure(.type, "KeyError: '\(key)' is not a key of the dictionary given to '%'", line: line)
            }
            argument = value
            remaining = []  // as CPython: after a key, a positional conversion has no argument left
        } else {
            guard let next = remaining.popFirst() else {
                throw _JinjaFailure(.type, "not enough arguments for format string", line: line)
            }
            argument = next
        }
        out += try _percentConversion(argument, spec: spec, conversion: conversion, line: line)
        // Each piece is bounded, but many pieces are not: refused at the limit every builder has.
        if out.utf8.count > _JinjaRenderer.maximumValueBytes { _ = try _checkBuilt(out, "'%' formatting", line: line) }
    }
    // Python never complains of a mapping operand left unused.
    if !remaining.isEmpty && mapping == nil {
        throw _JinjaFailure(.type, "not all arguments converted during string formatting", line: line)
    }
    return out
}

/// One `%` conversion of Python's printf-style formatting: `spec` holds the flags (`-+ #0`),
/// the width and the `.precision` between `%` and `conversion`.
private func _percentConversion(_ argument: JinjaValue, spec: String, conversion: Unicode.Scalar, line: Int) throws -> String {
    var flags = Set<Character>()
    var rest = Substring(spec)
    while let first = rest.first, "-+ #0".contains(first) {
        flags.insert(first)
        rest = rest.dropFirst()
    }
    // Python ignores C's length modifiers (`%ld`).
    while let last = rest.last, "hlL".contains(last) { rest = rest.dropLast() }
    var precision: Int?
    if let dot = rest.firstIndex(of: ".") {
        guard let value = rest[rest.index(after: dot)...].isEmpty ? 0 : Int(rest[rest.index(after: dot)...]) else {
            throw _JinjaFailure(.unsupported, "the % format '%\(spec)\(conversion)'", line: line)
        }
        precision = value
        rest = rest[..<dot]
    }
    guard let width = rest.isEmpty ? 0 : Int(rest) else {
        throw _JinjaFailure(.unsupported, "the % format '%\(spec)\(conversion)'", line: line)
    }
    try _checkWidth(max(width, precision ?? 0), "'%' formatting", line: line)
    let left = flags.contains("-")
    func pad(_ text: String, zeroes: Bool) -> String {
        let count = text.unicodeScalars.count
        guard width > count else { return text }
        let fill = width - count
        if left { return text + String(repeating: " ", count: fill) }
        if zeroes {
            // Zeros go after the sign and a `0x` prefix.
            var prefixLength = text.hasPrefix("-") || text.hasPrefix("+") || text.hasPrefix(" ") ? 1 : 0
            let body = text.dropFirst(prefixLength)
            if body.hasPrefix("0x") || body.hasPrefix("0X") || body.hasPrefix("0o") { prefixLength += 2 }
            return String(text.prefix(prefixLength)) + String(repeating: "0", count: fill) + String(text.dropFirst(prefixLength))
        }
        return String(repeating: " ", count: fill) + text
    }
    let sign = flags.contains("+") ? "+" : flags.contains(" ") ? " " : ""
    switch conversion {
    case "s", "r", "a":
        var text = conversion == "s" ? argument.pythonString : argument.pythonRepr
        if let precision, text.unicodeScalars.count > precision {
            var cut = ""
            cut.unicodeScalars.append(contentsOf: text.unicodeScalars.prefix(precision))
            text = cut
        }
        return pad(text, zeroes: false)
    case "c":
        var character: String
        switch argument {
        case .string(let text) where text.unicodeScalars.count == 1: character = text
        case .int(let code):
            guard let scalar = Unicode.Scalar(UInt32(clamping: max(0, code))), code >= 0 else {
                throw _JinjaFailure(.type, "%c arg not in range(0x110000)", line: line)
            }
            character = String(scalar)
        default: throw _JinjaFailure(.type, "%c requires an int or a unicode character, not \(argument.typeName)", line: line)
        }
        return pad(character, zeroes: false)
    case "d", "i", "u", "o", "x", "X":
        let integer: Int
        switch argument.numericValue {
        case .int(let value)?: integer = value
        case .float(let value)? where "diu".unicodeScalars.contains(conversion):
            guard value.isFinite, let truncated = Int(exactly: value.rounded(.towardZero)) else {
                throw _JinjaFailure(.unsupported, "'%' formatting of \(value) as an integer", line: line)
            }
            integer = truncated
        default:
            throw _JinjaFailure(
                .type, "%\(conversion) format: \("diu".unicodeScalars.contains(conversion) ? "a real number" : "an integer") is required, not \(argument.typeName)",
                line: line)
        }
        let radix = conversion == "o" ? 8 : conversion == "x" || conversion == "X" ? 16 : 10
        var digits = String(integer.magnitude, radix: radix, uppercase: conversion == "X")
        if let precision, digits.count < precision { digits = String(repeating: "0", count: precision - digits.count) + digits }
        if flags.contains("#") && radix != 10 { digits = (radix == 8 ? "0o" : conversion == "X" ? "0X" : "0x") + digits }
        return pad((integer < 0 ? "-" : sign) + digits, zeroes: flags.contains("0") && !left)
    default:
        // e E f F g G: C's formatting of the double, which Python's matches.
        guard let number = argument.numericValue?.doubleValue else {
            throw _JinjaFailure(.type, "must be real number, not \(argument.typeName)", line: line)
        }
        if !number.isFinite {
            let word = number.isNaN ? "nan" : number < 0 ? "-inf" : (sign + "inf")
            let text = "EFG".unicodeScalars.contains(conversion) ? word.uppercased() : word
            return pad(text, zeroes: false)
        }
        let cFlags = (flags.contains("#") ? "#" : "") + sign
        let text = String(format: "%\(cFlags).\(precision ?? 6)\(Character(conversion))", number)
        return pad(text, zeroes: flags.contains("0") && !left)
    }
}

extension _JinjaRenderer {
    /// `a + b` / `a ~ b` on strings, refused past ``maximumValueBytes``: a loop that doubles a
    /// namespace string (`{% set ns.s = ns.s ~ ns.s %}`) fails fast instead of exhausting memory.
    static func concatenate(_ a: String, _ b: String, op: String, line: Int) throws -> JinjaValue {
        try _checkSum(a.utf8.count, b.utf8.count, limit: maximumValueBytes, unit: "bytes", op: op, line: line)
        return .string(a + b)
    }
}

/// Refuses a concatenation whose result would exceed `limit` (see ``_checkRepetition``).
func _checkSum(_ a: Int, _ b: Int, limit: Int, unit: String, op: String, line: Int) throws {
    let (total, overflow) = a.addingReportingOverflow(b)
    if overflow || total > limit {
        throw _JinjaFailure(.security, "'\(op)' would build a value of \(overflow ? "more than \(Int.max)" : String(total)) \(unit), more than the \(limit) a chat template may build", line: line)
    }
}

/// Refuses a repetition (`"x" * n`, `[a] * n`) whose result would exceed `limit`: a template
/// cannot make the render allocate without bound (jinja2 has no such limit and runs out of memory).
private func _checkRepetition(_ count: Int, times: Int, limit: Int, unit: String, line: Int) throws {
    guard times > 0, count > 0 else { return }
    let (total, overflow) = count.multipliedReportingOverflow(by: times)
    if overflow || total > limit {
        throw _JinjaFailure(.security, "'*' would build a value of \(overflow ? "more than \(Int.max)" : String(total)) \(unit), more than the \(limit) a chat template may build", line: line)
    }
}

/// Python's `x ** y` of floats: a zero base to a negative power and a result beyond the double
/// range are errors, not `inf`; a negative base to a fractional power is a complex number, which
/// Collate does not have (refused by name, not `nan`).
func _pythonFloatPower(_ x: Double, _ y: Double, line: Int) throws -> Double {
    if x == 0 && y < 0 { throw _JinjaFailure(.type, "0.0 cannot be raised to a negative power", line: line) }
    if x < 0 && y.isFinite && y != y.rounded() {
        throw _JinjaFailure(.unsupported, "complex numbers (a negative number to a fractional power)", line: line)
    }
    let result = Foundation.pow(x, y)
    if result.isInfinite && x.isFinite && y.isFinite {
        throw _JinjaFailure(.type, "OverflowError: (34, 'Numerical result out of range') in '**'", line: line)
    }
    return result
}
