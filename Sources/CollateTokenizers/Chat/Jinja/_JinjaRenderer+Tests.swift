extension _JinjaRenderer {
    /// The tests that only look at the value (`defined`, `string`, `mapping`, ...; arguments are
    /// ignored), as a function the compiler resolves once per `is` expression instead of matching
    /// the name on every evaluation; `nil` for another name.
    static func typeTest(_ name: String) -> (@Sendable (JinjaValue) -> Bool)? {
        switch name {
        case "defined": return { !$0.isUndefined && !$0.isUnsafeUndefined }
        case "undefined": return { $0.isUndefined || $0.isUnsafeUndefined }
        case "none": return { if case .none = $0 { true } else { false } }
        case "string": return { if case .string = $0 { true } else { false } }
        case "number":
            return {
                switch $0 {
                case .int, .float, .bool: true
                default: false
                }
            }
        case "integer": return { if case .int = $0 { true } else { false } }
        case "float": return { if case .float = $0 { true } else { false } }
        case "boolean": return { if case .bool = $0 { true } else { false } }
        case "true": return { if case .bool(true) = $0 { true } else { false } }
        case "false": return { if case .bool(false) = $0 { true } else { false } }
        case "mapping": return { if case .dict = $0 { true } else { false } }
        case "iterable":
            return {
                switch $0 {
                case .string, .list, .dict, .undefined: true
                // A tuple and the loop object iterate; transformers' TemplateNamespace (jinja2's
                // Namespace) does not.
                default: $0.tupleItems != nil || isLoop($0)
                }
            }
        case "sequence":
            return {
                switch $0 {
                case .string, .list, .dict, .undefined: true
                default: $0.tupleItems != nil
                }
            }
        // jinja2's Undefined defines `__call__` (to fail), and its LoopContext one (recursive loops).
        case "callable": return { $0.isCallable || $0.isUndefined || $0.isUnsafeUndefined || isLoop($0) }
        default: return nil
        }
    }

    /// Whether `value` is a `for` loop's `loop` object.
    private static func isLoop(_ value: JinjaValue) -> Bool {
        if case .object(let object) = value, case .loop = object.kind { return true }
        return false
    }

    /// Applies a Jinja test (`is defined`, `is divisibleby 3`, ...).
    func applyTest(_ name: String, _ value: JinjaValue, _ positional: [JinjaValue], _ keyword: [(String, JinjaValue)], line: Int) throws -> Bool {
        let arguments = _JinjaCallArguments(function: name, positional: positional, keyword: keyword, line: line)
        func other() throws -> JinjaValue {
            guard let value = arguments.value(0, "other") else {
                throw _JinjaFailure(.type, "the '\(name)' test needs an argument", line: line)
            }
            return value
        }
        if let test = Self.typeTest(name) { return test(value) }
        switch name {
        case "odd", "even":
            guard let number = value.integerIndex else {
                throw _JinjaFailure(.type, "the '\(name)' test needs an integer, not \(value.typeName)", line: line)
            }
            return (number % 2 != 0) == (name == "odd")
        case "divisibleby":
            guard let number = value.integerIndex, let divisor = try other().integerIndex else {
                throw _JinjaFailure(.type, "the 'divisibleby' test needs integers", line: line)
            }
            guard divisor != 0 else { throw _JinjaFailure(.type, "integer division or modulo by zero", line: line) }
            return number % divisor == 0
        case "eq", "equalto", "==": return value == (try other())
        case "ne", "!=": return value != (try other())
        case "lt", "lessthan", "<": return try _JinjaRenderer.compare(.less, value, try other(), line: line)
        case "le", "<=": return try _JinjaRenderer.compare(.lessOrEqual, value, try other(), line: line)
        case "gt", "greaterthan", ">": return try _JinjaRenderer.compare(.greater, value, try other(), line: line)
        case "ge", ">=": return try _JinjaRenderer.compare(.greaterOrEqual, value, try other(), line: line)
        case "in":
            guard let container = arguments.value(0, "seq") else {
                throw _JinjaFailure(.type, "the 'in' test needs a container", line: line)
            }
            return try _JinjaRenderer.contains(container, value, line: line)
        case "sameas":
            let target = try other()
            switch (value, target) {
            case (.object(let a), .object(let b)): return a === b
            case (.none, .none), (.undefined, .undefined): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.int(let a), .int(let b)): return a == b && (-5...256).contains(a)
            default: return false
            }
        // jinja2: `str(value).islower()` / `.isupper()`, on any value (`['a'] is lower` is true).
        case "lower":
            let cased = value.pythonString.unicodeScalars.filter { $0.properties.isCased }
            return !cased.isEmpty && cased.allSatisfy { $0.properties.isLowercase }
        case "upper":
            let cased = value.pythonString.unicodeScalars.filter { $0.properties.isCased }
            return !cased.isEmpty && cased.allSatisfy { $0.properties.isUppercase }
        case "escaped": return false
        case "filter":
            // jinja2's test_filter(value): whether `value` names a filter (`'upper' is filter`).
            guard case .string(let filterName) = value else { return false }
            return _JinjaRenderer.knownFilters.contains(filterName)
        case "test":
            guard case .string(let testName) = value else { return false }
            return _JinjaRenderer.knownTests.contains(testName)
        default:
            throw _JinjaFailure(.syntax, "no test named '\(name)'", line: line)
        }
    }

    static let knownTests: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true", "false", "mapping",
        "iterable", "sequence", "callable", "odd", "even", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan",
        "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in", "sameas", "lower", "upper", "escaped", "filter", "test",
    ]

    static let knownFilters: Set<String> = unsupportedFilters.union([
        "default", "d", "trim", "tojson", "length", "count", "list", "items", "join", "upper", "lower", "title", "capitalize",
        "replace", "first", "last", "select", "reject", "selectattr", "rejectattr", "map", "indent", "string", "safe", "e",
        "escape", "int", "float", "abs", "round", "unique", "sort", "dictsort", "reverse", "wordcount", "center", "format",
        "attr", "sum", "max", "min", "batch", "slice", "truncate",
    ])
}
