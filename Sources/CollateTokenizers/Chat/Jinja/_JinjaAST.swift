/// An expression with the template line it starts on.
struct _JinjaExpr: Sendable {
    var line: Int
    var kind: Kind

    indirect enum Kind: Sendable {
        case literal(JinjaValue)
        case name(String)
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
        case binary(String, _JinjaExpr, _JinjaExpr)
        case compare(_JinjaExpr, [(String, _JinjaExpr)])
        case conditional(test: _JinjaExpr, then: _JinjaExpr, otherwise: _JinjaExpr?)
    }
}

/// Positional and keyword arguments of a call, filter or test.
struct _JinjaArguments: Sendable {
    var positional: [_JinjaExpr] = []
    var keyword: [(String, _JinjaExpr)] = []
}

/// What a `for` or `set` binds to.
indirect enum _JinjaTarget: Sendable {
    case name(String)
    case tuple([_JinjaTarget])
    /// `ns.attr` in `{% set ns.attr = ... %}`.
    case attribute(String, String)
}

/// A macro parameter: name and optional default.
struct _JinjaParameter: Sendable {
    var name: String
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
        case macro(name: String, parameters: [_JinjaParameter], body: [_JinjaStatement])
        case callBlock(call: _JinjaExpr, parameters: [_JinjaParameter], body: [_JinjaStatement])
        case filterBlock(filters: [(String, _JinjaArguments, Int)], body: [_JinjaStatement])
        case with(assignments: [(_JinjaTarget, _JinjaExpr)], body: [_JinjaStatement])
        case generation([_JinjaStatement])
        case breakLoop
        case continueLoop
    }
}
