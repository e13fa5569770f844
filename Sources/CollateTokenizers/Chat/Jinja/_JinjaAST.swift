/// An expression with the template line it starts on.
struct _JinjaExpr: Sendable {
    var line: Int
    var kind: Kind

    indirect enum Kind: Sendable {
        case literal(JinjaValue)
        /// A variable: its name and its interned id (see ``_JinjaNames``).
        case name(String, Int)
        case list([_JinjaExpr])
        case tuple([_JinjaExpr])
        case dict([(_JinjaExpr, _JinjaExpr)])
        case attribute(_JinjaExpr, String)
        case item(_JinjaExpr, _JinjaExpr)
        case slice(_JinjaExpr, _JinjaExpr?, _JinjaExpr?, _JinjaExpr?)
        case call(_JinjaExpr, _JinjaArguments)
        case filter(_JinjaExpr, String, _JinjaArguments)
        case test(_JinjaExpr, String, _JinjaArguments, negated: Bool)
        case negate(_JinjaExpr)
        case plus(_JinjaExpr)
        case not(_JinjaExpr)
        case and(_JinjaExpr, _JinjaExpr)
        case or(_JinjaExpr, _JinjaExpr)
        case binary(_JinjaBinaryOp, _JinjaExpr, _JinjaExpr)
        case compare(_JinjaExpr, [(_JinjaCompareOp, _JinjaExpr)])
        case conditional(test: _JinjaExpr, then: _JinjaExpr, otherwise: _JinjaExpr?)
    }
}

/// Positional and keyword arguments of a call, filter or test.
struct _JinjaArguments: Sendable {
    var positional: [_JinjaExpr] = []
    var keyword: [(String, _JinjaExpr)] = []
    /// `*args`: an iterable whose items follow the positional arguments.
    var splat: _JinjaExpr?
    /// `**kwargs`: a dictionary whose members follow the keyword arguments.
    var keywordSplat: _JinjaExpr?
}

/// What a `for` or `set` binds to.
indirect enum _JinjaTarget: Sendable {
    case name(String, Int)
    case tuple([_JinjaTarget])
    /// `ns.attr` in `{% set ns.attr = ... %}`: the namespace's name and id, the attribute.
    case attribute(String, Int, String)
}

/// A macro parameter: name and optional default.
struct _JinjaParameter: Sendable {
    var name: String
    var id: Int
    var defaultValue: _JinjaExpr?
}

/// A statement with the template line it starts on.
struct _JinjaStatement: Sendable {
    var line: Int
    var kind: Kind

    indirect enum Kind: Sendable {
        case text(String)
        case output(_JinjaExpr)
        case ifChain([(_JinjaExpr, [_JinjaStatement])], otherwise: [_JinjaStatement])
        case forLoop(target: _JinjaTarget, iterable: _JinjaExpr, condition: _JinjaExpr?, body: [_JinjaStatement], otherwise: [_JinjaStatement])
        case set(_JinjaTarget, _JinjaExpr)
        case setBlock(_JinjaTarget, filters: [(String, _JinjaArguments, Int)], body: [_JinjaStatement])
        case macro(name: String, id: Int, parameters: [_JinjaParameter], body: [_JinjaStatement])
        case callBlock(call: _JinjaExpr, parameters: [_JinjaParameter], body: [_JinjaStatement])
        case filterBlock(filters: [(String, _JinjaArguments, Int)], body: [_JinjaStatement])
        case with(assignments: [(_JinjaTarget, _JinjaExpr)], body: [_JinjaStatement])
        case generation([_JinjaStatement])
        case breakLoop
        case continueLoop
    }
}

/// Variable names interned to small integers at parse time, so that scopes compare integers.
struct _JinjaNames: Sendable {
    static let loop = 0
    static let caller = 1
    static let varargs = 2
    static let kwargs = 3
    /// The globals transformers defines, with ids `globalsStart ..< globalsStart + globals.count`.
    static let globals = ["range", "namespace", "dict", "raise_exception", "strftime_now", "joiner", "cycler", "lipsum"]
    static let globalsStart = 4

    private(set) var ids: [String: Int]

    init() {
        ids = ["loop": 0, "caller": 1, "varargs": 2, "kwargs": 3]
        for (offset, name) in _JinjaNames.globals.enumerated() { ids[name] = _JinjaNames.globalsStart + offset }
    }

    mutating func intern(_ name: String) -> Int {
        if let id = ids[name] { return id }
        let id = ids.count
        ids[name] = id
        return id
    }
}

/// A template's names grouped by UTF-8 length, for matching the context's keys once per render
/// without hashing them: most keys differ in length from every name of the same length's few.
struct _JinjaNameTable: Sendable {
    /// `byLength[n]`: the names of `n` UTF-8 bytes with their ids.
    private let byLength: [[(name: String, id: Int)]]

    init(_ names: _JinjaNames) {
        let longest = names.ids.keys.map(\.utf8.count).max() ?? 0
        var byLength = [[(name: String, id: Int)]](repeating: [], count: longest + 1)
        for (name, id) in names.ids.sorted(by: { $0.value < $1.value }) { byLength[name.utf8.count].append((name, id)) }
        self.byLength = byLength
    }

    /// The id of `name`, or `nil` when the template never names it.
    func id(of name: String) -> Int? {
        let length = name.utf8.count
        guard length < byLength.count else { return nil }
        for entry in byLength[length] where entry.name == name { return entry.id }
        return nil
    }
}

/// An arithmetic or concatenation operator, resolved at parse time so that a render switches
/// on a case instead of comparing strings.
enum _JinjaBinaryOp: Sendable {
    case add, subtract, multiply, divide, floorDivide, modulo, power, concat

    /// The operator as it is written (`"+"` ... `"~"`), or `nil` for another token.
    init?(_ text: String) {
        switch text {
        case "+": self = .add
        case "-": self = .subtract
        case "*": self = .multiply
        case "/": self = .divide
        case "//": self = .floorDivide
        case "%": self = .modulo
        case "**": self = .power
        case "~": self = .concat
        default: return nil
        }
    }

    /// The operator as it is written, for error messages.
    var text: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        case .floorDivide: "//"
        case .modulo: "%"
        case .power: "**"
        case .concat: "~"
        }
    }
}

/// A comparison of a chain (`== != < > <= >= in`, and `not in`), resolved at parse time.
enum _JinjaCompareOp: Sendable {
    case equal, notEqual, less, greater, lessOrEqual, greaterOrEqual, contains, notContains

    /// The operator as it is written (`"notin"` for `not in`), or `nil` for another token.
    init?(_ text: String) {
        switch text {
        case "==": self = .equal
        case "!=": self = .notEqual
        case "<": self = .less
        case ">": self = .greater
        case "<=": self = .lessOrEqual
        case ">=": self = .greaterOrEqual
        case "in": self = .contains
        case "notin": self = .notContains
        default: return nil
        }
    }

    /// The operator as it is written, for error messages.
    var text: String {
        switch self {
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .greater: ">"
        case .lessOrEqual: "<="
        case .greaterOrEqual: ">="
        case .contains: "in"
        case .notContains: "notin"
        }
    }
}
