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
                case .string, .list, .dict, .undefined: return true
                // transformers' TemplateNamespace (jinja2's Namespace) is not iterable; a tuple is.
                case .object(let object): if case .tuple = object.kind { return true } else { return false }
                default: return false
                }
            }
        case "sequence":
            return {
                switch $0 {
                case .string, .list, .dict, .undefined: true
                default: $0.tupleItems != nil
                }
            }
        case "callable": return { $0.isCallable }
        default: return nil
        }
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
        case "defined": return !value.isUndefined && !value.isUnsafeUndefined
        case "undefined": return value.isUndefined || value.isUnsafeUndefined
        case "none": if case .none = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .float, .bool: return true
            default: return false
            }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .float = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable":
            switch value {
            case .string, .list, .dict, .undefined: return true
            case .object(let object):
                switch object.kind {
                // transformers' TemplateNamespace (jinja2's Namespace) is not iterable.
                case .tuple: return true
                default: return false
                }
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .list, .dict, .undefined: return true
            default: return value.tupleItems != nil
            }
        case "callable": return value.isCallable
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
        case "lower":
            guard case .string(let text) = value else { return false }
            let cased = text.unicodeScalars.filter { $0.properties.isCased }
            return !cased.isEmpty && cased.allSatisfy { $0.properties.isLowercase }
        case "upper":
            guard case .string(let text) = value else { return false }
            let cased = text.unicodeScalars.filter { $0.properties.isCased }
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
