import Foundation

/// Positional and keyword arguments of one call, read the way Python binds them.
struct _JinjaCallArguments {
    var function: String
    var positional: [JinjaValue]
    var keyword: [(String, JinjaValue)]
    var line: Int

    /// The argument at `position` or named `name`, or `nil`.
    func value(_ position: Int, _ name: String) -> JinjaValue? {
        if position < positional.count { return positional[position] }
        return keyword.first(where: { $0.0 == name })?.1
    }

    func string(_ position: Int, _ name: String) throws -> String? {
        guard let value = value(position, name) else { return nil }
        switch value {
        case .string(let text): return text
        case .none: return nil
        default: throw _JinjaFailure(.type, "\(function)(): argument '\(name)' must be a string, not \(value.typeName)", line: line)
        }
    }

    func int(_ position: Int, _ name: String) throws -> Int? {
        guard let value = value(position, name) else { return nil }
        if case .none = value { return nil }
        guard let number = value.integerIndex else {
            throw _JinjaFailure(.type, "\(function)(): argument '\(name)' must be an integer, not \(value.typeName)", line: line)
        }
        return number
    }

    func bool(_ position: Int, _ name: String, default fallback: Bool) -> Bool {
        value(position, name)?.isTruthy ?? fallback
    }

    func check(maximum: Int) throws {
        if positional.count > maximum {
            throw _JinjaFailure(.type, "\(function)() takes at most \(maximum) arguments (\(positional.count) given)", line: line)
        }
    }
}

extension _JinjaRenderer {
    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "replace", "lower", "upper",
        "title", "capitalize", "find", "rfind", "index", "rindex", "count", "format", "join", "isdigit", "isalpha",
        "isalnum", "isspace", "islower", "isupper", "isnumeric", "isdecimal", "swapcase", "casefold", "center", "ljust",
        "rjust", "zfill", "partition", "rpartition", "removeprefix", "removesuffix", "expandtabs", "istitle",
    ]
    static let dictMethods: Set<String> = [
        "get", "items", "keys", "values", "copy", "pop", "popitem", "update", "setdefault", "clear",
    ]
    static let listMethods: Set<String> = [
        "index", "count", "copy", "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear",
    ]
    /// Prefilters for ``stringMethods`` and ``listMethods``: most names a template reads of a
    /// string or list (`content`, `type`, `text`) are rejected without hashing.
    static let stringMethodFilter = _JinjaNameFilter(stringMethods)
    static let listMethodFilter = _JinjaNameFilter(listMethods)

    /// Whether `name` is a method of Python's `str` that templates may call.
    static func isStringMethod(_ name: String) -> Bool {
        stringMethodFilter.mayContain(name) && stringMethods.contains(name)
    }

    /// Whether `name` is a method of Python's `list` that templates may call.
    static func isListMethod(_ name: String) -> Bool {
        listMethodFilter.mayContain(name) && listMethods.contains(name)
    }

    static let mutatingMethods: Set<String> = [
        "append", "extend", "insert", "pop", "popitem", "remove", "reverse", "sort", "clear", "update", "setdefault",
    ]

    static func hasMethod(_ receiver: JinjaValue, _ name: String) -> Bool {
        switch receiver {
        case .string: isStringMethod(name)
        case .dict: isDictMethod(name)
        case .list: isListMethod(name)
        case .object: receiver.tupleItems != nil && isTupleMethod(name)
        default: false
        }
    }

    /// Whether `name` is a method of Python's `tuple` (`count`, `index`).
    static func isTupleMethod(_ name: String) -> Bool {
        name == "count" || name == "index"
    }

    /// Whether `name` is a Python `dict` method (which jinja2's attribute lookup finds before keys).
    /// A switch: this runs on every `message.role`, where hashing into a set would dominate.
    static func isDictMethod(_ name: String) -> Bool {
        // Most attribute names (`role`, `content`, `function`) fail on the first byte.
        switch name.utf8.first {
        case UInt8(ascii: "g"), UInt8(ascii: "i"), UInt8(ascii: "k"), UInt8(ascii: "v"), UInt8(ascii: "c"), UInt8(ascii: "p"),
            UInt8(ascii: "u"), UInt8(ascii: "s"):
            break
        default: return false
        }
        switch name {
        case "get", "items", "keys", "values", "copy", "pop", "popitem", "update", "setdefault", "clear": return true
        default: return false
        }
    }

    /// Adds the values of a call's `*args` (an iterable) and `**kwargs` (a dictionary) to its
    /// evaluated arguments, as Python passes them.
    func appendSplats(
        _ splat: (_JinjaExpr, JinjaValue)?, _ keywordSplat: (_JinjaExpr, JinjaValue)?, to positional: inout [JinjaValue],
        _ keyword: inout [(String, JinjaValue)]
    ) throws {
        if let (expr, value) = splat {
            // An undefined iterates as empty, as jinja2's `Undefined` does.
            positional.append(contentsOf: try iterate(value, what: expr))
        }
        if let (expr, value) = keywordSplat {
            guard case .dict(let members) = value else {
                if case .undefined = value { throw undefinedFailure(expr) }
                throw _JinjaFailure(.type, "argument after ** must be a mapping, not \(value.typeName)", line: expr.line)
            }
            for (name, member) in members.pairs {
                if keyword.contains(where: { $0.0 == name }) {
                    throw _JinjaFailure(.type, "got multiple values for keyword argument '\(name)'", line: expr.line)
                }
                keyword.append((name, member))
            }
        }
    }

    /// Calls a macro, global function or bound method.
    func callValue(
        _ function: JinjaValue, _ positional: [JinjaValue], _ keyword: [(String, JinjaValue)], caller: JinjaValue?, line: Int
    ) throws -> JinjaValue {
        guard case .object(let object) = function else {
            throw _JinjaFailure(.type, "'\(function.typeName)' object is not callable", line: line)
        }
        switch object.kind {
        case .macro(let macro):
            return try callMacro(macro, positional, keyword, caller: caller, line: line)
        case .function(let name):
            return try callGlobal(name, _JinjaCallArguments(function: name, positional: positional, keyword: keyword, line: line))
        case .method(let receiver, let name):
            if case .object(let handle) = receiver {
                switch handle.kind {
                case .loop(let loop) where name == "cycle":
                    guard !positional.isEmpty else { throw _JinjaFailure(.type, "no items for cycling given", line: line) }
                    return positional[loop.index0 % positional.count]
                case .loop where name == "changed":
                    // jinja2's `LoopContext.changed(*value)`: true when the arguments differ from
                    // the last call's (and on the first call).
                    guard keyword.isEmpty else {
                        throw _JinjaFailure(.type, "loop.changed() takes no keyword arguments, got '\(keyword[0].0)'", line: line)
                    }
                    if let last = handle.lastChanged, last == positional { return .bool(false) }
                    handle.lastChanged = positional
                    return .bool(true)
                case .function(let function) where function == "dict" && name == "fromkeys":
                    // transformers' `dict.fromkeys(keys, value=None)`.
                    guard let keys = positional.first, positional.count <= 2, keyword.isEmpty else {
                        throw _JinjaFailure(.type, "fromkeys expected 1 or 2 positional arguments, got \(positional.count)", line: line)
                    }
                    let value = positional.count > 1 ? positional[1] : .none
                    var dict = JinjaDict()
                    for key in try iterate(keys, what: nil) { try dict.setValue(value, forKey: key, line: line) }
                    return .dict(dict)
                case .cycler(let items, let position):
                    switch name {
                    case "next":
                        handle.kind = .cycler(items, position: (position + 1) % max(1, items.count))
                        return items.isEmpty ? .undefined : items[position]
                    case "reset":
                        handle.kind = .cycler(items, position: 0)
                        return .none
                    default: break
                    }
                default: break
                }
                throw _JinjaFailure(.type, "'\(handle.kind.typeName)' object has no method '\(name)'", line: line)
            }
            return try callMethod(receiver, name, positional, keyword, line: line)
        case .joiner(let separator, let used):
            object.kind = .joiner(separator, used: true)
            return .string(used ? separator : "")
        case .unsafeUndefined(let message):
            throw _JinjaFailure(.security, message, line: line)
        case .namespace, .loop, .cycler, .tuple:
            throw _JinjaFailure(.type, "'\(object.kind.typeName)' object is not callable", line: line)
        }
    }

    func callMacro(
        _ macro: _JinjaMacro, _ positional: [JinjaValue], _ keyword: [(String, JinjaValue)], caller: JinjaValue?, line: Int
    ) throws -> JinjaValue {
        guard depth < _JinjaRenderer.maximumDepth else {
            throw _JinjaFailure(.type, "macro '\(macro.name)' recursed more than \(_JinjaRenderer.maximumDepth) levels deep", line: line)
        }
        depth += 1
        defer { depth -= 1 }
        var scope = makeScope(parent: macro.closure)
        defer { recycle(&scope) }
        var keywords = keyword
        let parameters = macro.parameters
        for index in parameters.indices {
            if index < positional.count {
                scope.set(parameters[index].id, positional[index])
            } else if !keywords.isEmpty, let found = keywords.firstIndex(where: { $0.0 == parameters[index].name }) {
                scope.set(parameters[index].id, keywords.remove(at: found).1)
            }
        }
        // What the call passes beyond the parameters, as jinja2's `Macro.__call__` takes it: a
        // macro whose body reads `kwargs` / `varargs` gets them (empty when there are none), any
        // other refuses them; a `caller` (a `{% call %}` block's body, or a `caller=` keyword)
        // goes to a macro that reads `caller`.
        let reads = macro.reads
        var caller = caller
        if reads.caller, caller == nil, !keywords.isEmpty, let found = keywords.firstIndex(where: { $0.0 == "caller" }) {
            caller = keywords.remove(at: found).1
        }
        if let block = caller, !reads.caller, !parameters.contains(where: { $0.id == _JinjaNames.caller }) {
            // jinja2 passes the block as a `caller` keyword, left over for a macro that does not read it.
            keywords.append(("caller", block))
            caller = nil
        }
        if reads.kwargs {
            scope.set(_JinjaNames.kwargs, .dict(JinjaDict(keywords)))
        } else if let first = keywords.first {
            throw _JinjaFailure(
                .type, keywords.contains(where: { $0.0 == "caller" })
                    ? "macro \(macro.quotedName) was invoked with two values for the special caller argument. This is most likely a bug."
                    : "macro \(macro.quotedName) takes no keyword argument '\(first.0)'", line: line)
        }
        if reads.varargs {
            scope.set(_JinjaNames.varargs, .makeObject(.tuple(positional.count > parameters.count ? Array(positional[parameters.count...]) : [])))
        } else if positional.count > parameters.count {
            throw _JinjaFailure(.type, "macro \(macro.quotedName) takes not more than \(parameters.count) argument(s)", line: line)
        }
        // Parameters the call left out: their defaults, evaluated in order in the macro's scope
        // (a default may read an earlier parameter), or undefined.
        for index in min(positional.count, parameters.count)..<parameters.count where !scope.binds(parameters[index].id) {
            scope.set(parameters[index].id, try parameters[index].defaultValue.map { try eval($0, scope) } ?? .undefined)
        }
        if let caller {
            scope.set(_JinjaNames.caller, caller)
        } else if let existing = macro.caller {
            scope.set(_JinjaNames.caller, existing)
        } else if reads.caller, !scope.binds(_JinjaNames.caller) {
            // jinja2 binds an undefined `caller` ("No caller defined"), hiding an enclosing one.
            scope.set(_JinjaNames.caller, .undefined)
        }
        return .string(try capture(macro.body, scope))
    }

    func callGlobal(_ name: String, _ arguments: _JinjaCallArguments) throws -> JinjaValue {
        let line = arguments.line
        switch name {
        case "raise_exception":
            throw _JinjaFailure(.raised, arguments.value(0, "message")?.pythonString ?? "", line: line)
        case "range":
            let values = try arguments.positional.map { value in
                guard let number = value.integerIndex else {
                    throw _JinjaFailure(.type, "'\(value.typeName)' object cannot be interpreted as an integer", line: line)
                }
                return number
            }
            let (start, stop, step): (Int, Int, Int) =
                switch values.count {
                case 1: (0, values[0], 1)
                case 2: (values[0], values[1], 1)
                case 3: (values[0], values[1], values[2])
                default: throw _JinjaFailure(.type, "range expected 1 to 3 arguments, got \(values.count)", line: line)
                }
            guard step != 0 else { throw _JinjaFailure(.type, "range() arg 3 must not be zero", line: line) }
            // At most one item past the limit is made, so `range(10**18)` fails fast instead of
            // filling memory before the check.
            let items = Array(stride(from: start, to: stop, by: step).prefix(100_001))
            guard items.count <= 100_000 else {
                throw _JinjaFailure(.security, "range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).", line: line)
            }
            return .list(items.map { .int($0) })
        case "namespace", "dict":
            // The members collected first and stored once (a repeated key keeps its first
            // position and last value, as setting them one by one would).
            var pairs: [(String, JinjaValue)] = []
            pairs.reserveCapacity(arguments.keyword.count)
            for value in arguments.positional {
                switch value {
                case .dict(let dict): for (key, member) in dict.pairs { pairs.append((key, member)) }
                case .list, .object:
                    // `dict([('a', 1), ['b', 2]])`: key-value pairs, as Python's `dict(iterable)` takes them
                    // (a namespace is not iterable, as transformers' TemplateNamespace is not).
                    guard let items = value.sequenceItems else {
                        throw _JinjaFailure(.type, "'\(value.typeName)' object is not iterable", line: line)
                    }
                    for (index, pair) in items.enumerated() {
                        let parts: [JinjaValue]
                        if case .string(let text) = pair { parts = text.unicodeScalars.map { .string(String($0)) } } else {
                            guard let items = pair.sequenceItems else {
                                throw _JinjaFailure(.type, "cannot convert dictionary update sequence element #\(index) to a sequence", line: line)
                            }
                            parts = items
                        }
                        guard parts.count == 2 else {
                            throw _JinjaFailure(
                                .type, "dictionary update sequence element #\(index) has length \(parts.count); 2 is required", line: line)
                        }
                        guard let key = JinjaDict.storageKey(parts[0]) else { throw JinjaDict.keyFailure(parts[0], line: line) }
                        pairs.append((key, parts[1]))
                    }
                default:
                    throw _JinjaFailure(.type, "\(name)() takes a dictionary or keyword arguments, not \(value.typeName)", line: line)
                }
            }
            pairs.append(contentsOf: arguments.keyword)
            let members = JinjaDict(pairs)
            if name == "dict" { return .dict(members) }
            if let bad = members.keys.first(where: { $0.hasPrefix("_") }) {
                throw _JinjaFailure(
                    .security, "chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(bad)'", line: line)
            }
            return .makeObject(.namespace(members))
        case "joiner":
            return .makeObject(.joiner(try arguments.string(0, "sep") ?? ", ", used: false))
        case "cycler":
            return .makeObject(.cycler(arguments.positional, position: 0))
        case "lipsum":
            throw _JinjaFailure(.unsupported, "the 'lipsum' global", line: line)
        case "strftime_now":
            guard let format = try arguments.string(0, "format") else {
                throw _JinjaFailure(.type, "strftime_now() missing 1 required positional argument: 'format'", line: line)
            }
            return .string(_pythonStrftime(format, now, line: line))
        default:
            throw _JinjaFailure(.type, "'\(name)' is not callable", line: line)
        }
    }

    /// Calls a Python method on a string, dict or list.
    func callMethod(
        _ receiver: JinjaValue, _ name: String, _ positional: [JinjaValue], _ keyword: [(String, JinjaValue)], line: Int
    ) throws -> JinjaValue {
        let arguments = _JinjaCallArguments(function: name, positional: positional, keyword: keyword, line: line)
        switch receiver {
        case .string(let text): return try _JinjaStringMethods.call(text, name, arguments)
        case .dict(let dict):
            switch name {
            case "get":
                guard let key = arguments.value(0, "key") else { return arguments.value(1, "default") ?? .none }
                return dict.value(forKey: key) ?? arguments.value(1, "default") ?? .none
            case "items": return .list(zip(dict.keys, dict.values).map { .makeObject(.tuple([JinjaDict.keyValue($0.0), $0.1])) })
            case "keys": return .list(dict.keys.map(JinjaDict.keyValue))
            case "values": return .list(dict.values)
            case "copy": return receiver
            default: break
            }
        case .list(let items):
            switch name {
            case "index":
                guard let target = arguments.value(0, "value"), let found = items.firstIndex(of: target) else {
                    throw _JinjaFailure(.type, "value is not in list", line: line)
                }
                return .int(found)
            case "count":
                guard let target = arguments.value(0, "value") else { return .int(0) }
                return .int(items.filter { $0 == target }.count)
            case "copy": return receiver
            default: break
            }
        case .object(let object):
            guard case .tuple(let items) = object.kind else { break }
            switch name {
            case "index":
                guard let target = arguments.value(0, "value"), let found = items.firstIndex(of: target) else {
                    throw _JinjaFailure(.type, "tuple.index(x): x not in tuple", line: line)
                }
                return .int(found)
            case "count":
                guard let target = arguments.value(0, "value") else {
                    throw _JinjaFailure(.type, "tuple.count() takes exactly one argument (0 given)", line: line)
                }
                return .int(items.filter { $0 == target }.count)
            default: break
            }
        default: break
        }
        if _JinjaRenderer.mutatingMethods.contains(name) {
            throw _JinjaFailure(
                .security, "access to attribute '\(name)' of '\(receiver.typeName)' object is unsafe: chat templates cannot modify lists or dictionaries",
                line: line)
        }
        throw _JinjaFailure(.type, "'\(receiver.typeName)' object has no method '\(name)'", line: line)
    }
}

/// Python's `datetime.strftime` on a naive local time, as CPython passes it to glibc's strftime in
/// the C locale: every directive glibc knows (`%c`, `%x`, `%F`, `%V`, `%k`, ...), the `-` flag
/// that drops padding (`%-d` → `5`), the `E` / `O` modifiers, Python's own `%f`, empty `%z` / `%Z`;
/// an unknown directive is written as it is (`%Q`).
func _pythonStrftime(_ format: String, _ date: Date, line: Int) -> String {
    let calendar = Calendar(identifier: .gregorian)
    let parts = calendar.dateComponents(in: TimeZone.current, from: date)
    let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    let year = parts.year ?? 0, month = (parts.month ?? 1) - 1, day = parts.day ?? 1
    let hour = parts.hour ?? 0, minute = parts.minute ?? 0, second = parts.second ?? 0
    let weekday = (parts.weekday ?? 1) - 1  // 0 is Sunday
    let yearDay = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
    var iso = Calendar(identifier: .iso8601)
    iso.timeZone = TimeZone.current
    let isoParts = iso.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
    let hour12 = (hour + 11) % 12 + 1
    /// `value` padded to `width` with `pad`, or bare under the `-` flag.
    func number(_ value: Int, _ width: Int, _ pad: Character, _ bare: Bool) -> String {
        let text = String(value)
        return bare || text.count >= width ? text : String(repeating: pad, count: width - text.count) + text
    }
    func directive(_ code: Unicode.Scalar, bare: Bool) -> String? {
        switch code {
        case "a": String(days[weekday].prefix(3))
        case "A": days[weekday]
        case "b", "h": String(months[month].prefix(3))
        case "B": months[month]
        case "c": "\(days[weekday].prefix(3)) \(months[month].prefix(3)) \(number(day, 2, " ", false)) "
            + "\(number(hour, 2, "0", false)):\(number(minute, 2, "0", false)):\(number(second, 2, "0", false)) \(year)"
        case "C": number(year / 100, 2, "0", bare)
        case "d": number(day, 2, "0", bare)
        case "D", "x": "\(number(month + 1, 2, "0", false))/\(number(day, 2, "0", false))/\(number(year % 100, 2, "0", false))"
        case "e": number(day, 2, " ", bare)
        case "F": "\(year)-\(number(month + 1, 2, "0", false))-\(number(day, 2, "0", false))"
        case "g": number((isoParts.yearForWeekOfYear ?? year) % 100, 2, "0", bare)
        case "G": String(isoParts.yearForWeekOfYear ?? year)
        case "H": number(hour, 2, "0", bare)
        case "I": number(hour12, 2, "0", bare)
        case "j": number(yearDay, 3, "0", bare)
        case "k": number(hour, 2, " ", bare)
        case "l": number(hour12, 2, " ", bare)
        case "m": number(month + 1, 2, "0", bare)
        case "M": number(minute, 2, "0", bare)
        case "n": "\n"
        case "p": hour < 12 ? "AM" : "PM"
        case "P": hour < 12 ? "am" : "pm"
        case "r": "\(number(hour12, 2, "0", false)):\(number(minute, 2, "0", false)):\(number(second, 2, "0", false)) \(hour < 12 ? "AM" : "PM")"
        case "R": "\(number(hour, 2, "0", false)):\(number(minute, 2, "0", false))"
        case "s": String(Int(date.timeIntervalSince1970.rounded(.down)))
        case "S": number(second, 2, "0", bare)
        case "t": "\t"
        case "T", "X": "\(number(hour, 2, "0", false)):\(number(minute, 2, "0", false)):\(number(second, 2, "0", false))"
        case "u": String(weekday == 0 ? 7 : weekday)
        case "U": number((yearDay - 1 + 7 - weekday) / 7, 2, "0", bare)
        case "V": number(isoParts.weekOfYear ?? 1, 2, "0", bare)
        case "w": String(weekday)
        case "W": number((yearDay - 1 + 7 - (weekday + 6) % 7) / 7, 2, "0", bare)
        case "y": number(year % 100, 2, "0", bare)
        case "Y": String(year)
        case "z", "Z": ""
        case "%": "%"
        default: nil
        }
    }
    var out = ""
    var scalars = format.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
        guard scalar == "%", var code = scalars.next() else {
            out.unicodeScalars.append(scalar)
            continue
        }
        // Python formats `%f` (microseconds) itself, before glibc; a naive `now()` here has none.
        if code == "f" {
            out += String(format: "%06d", Int((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) % 1_000_000)
            continue
        }
        var bare = false
        if code == "-", let next = scalars.next() {
            bare = true
            code = next
            if code == "f" {
                out += "%-f"
                continue
            }
        }
        if (code == "E" || code == "O") && !bare {
            // glibc's alternative-representation modifiers, the plain one in the C locale, on the
            // directives each takes (`%Ey`, `%Od`); anything else is written as it is.
            guard let next = scalars.next() else {
                out.unicodeScalars.append(contentsOf: ["%", code])
                continue
            }
            let takes: String = code == "E" ? "cCxXyY" : "deHImMSuUVwWybB"
            if takes.unicodeScalars.contains(next), let text = directive(next, bare: false) {
                out += text
            } else {
                out.unicodeScalars.append(contentsOf: ["%", code, next])
            }
            continue
        }
        if let text = directive(code, bare: bare) {
            out += text
        } else {
            out += bare ? "%-" : "%"
            out.unicodeScalars.append(code)
        }
    }
    return out
}

/// A one-word summary of a set of names (a bit per length and first byte): a name whose bit is
/// clear is not in the set, decided without hashing it.
struct _JinjaNameFilter: Sendable {
    private var bits: UInt64 = 0

    init(_ names: Set<String>) {
        for name in names { bits |= 1 << Self.bit(name) }
    }

    private static func bit(_ name: String) -> UInt64 {
        let first = UInt64(name.utf8.first ?? 0)
        return (first &* 7 &+ UInt64(name.utf8.count)) & 63
    }

    /// `false` when `name` is certainly not in the set.
    @inline(__always) func mayContain(_ name: String) -> Bool {
        bits & (1 << Self.bit(name)) != 0
    }
}
