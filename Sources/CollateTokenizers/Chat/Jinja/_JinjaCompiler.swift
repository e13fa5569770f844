/// An expression compiled into a closure: evaluates it in a scope of a render.
typealias _JinjaEval = @Sendable (_JinjaRenderer, _JinjaScope) throws -> JinjaValue
/// A statement (or a block of them) compiled into a closure: runs it in a scope of a render.
typealias _JinjaExec = @Sendable (_JinjaRenderer, _JinjaScope) throws -> _JinjaRenderer.Flow

/// A compiled expression kept in an array: a struct's closure field keeps the closure's own
/// calling convention, where an array of bare closures holds them generically and calls each
/// through reabstraction thunks.
struct _JinjaEvalBox: Sendable {
    let run: _JinjaEval
}

/// A compiled statement kept in an array, with its line (see ``_JinjaEvalBox``).
struct _JinjaExecBox: Sendable {
    let run: _JinjaExec
    let line: Int
}

/// Compiles a parsed template, once, into a tree of closures that a render calls.
///
/// The closures do what ``_JinjaRenderer/eval(_:_:)`` does for the same node, with the node's
/// children already compiled and its constants (names, ids, lines, literal keys) captured:
/// a render no longer switches over the syntax tree or copies its payloads (the retain and
/// release traffic that dominated the tree walk). What is rare stays on the tree walk
/// (macro defaults, `{% with %}`, a `{% call %}`'s callee, a block filter's arguments).
enum _JinjaCompiler {
    // MARK: - Statements

    /// A block: its statements in order; a failure without a line gets its statement's line.
    static func block(_ statements: [_JinjaStatement]) -> _JinjaExec {
        let compiled = statements.map { _JinjaExecBox(run: statement($0), line: $0.line) }
        switch compiled.count {
        case 0:
            return { _, _ in .normal }
        case 1:
            let only = compiled[0].run
            let line = compiled[0].line
            return { renderer, scope in
                do {
                    return try only(renderer, scope)
                } catch var failure as _JinjaFailure {
                    if failure.line == nil { failure.line = line }
                    throw failure
                }
            }
        default:
            return { renderer, scope in
                for index in compiled.indices {
                    let flow: _JinjaRenderer.Flow
                    do {
                        flow = try compiled[index].run(renderer, scope)
                    } catch var failure as _JinjaFailure {
                        if failure.line == nil { failure.line = compiled[index].line }
                        throw failure
                    }
                    if flow != .normal { return flow }
                }
                return .normal
            }
        }
    }

    static func statement(_ statement: _JinjaStatement) -> _JinjaExec {
        let line = statement.line
        switch statement.kind {
        case .text(let piece):
            return { renderer, _ in
                renderer.write(piece)
                return .normal
            }
        case .output(let expr):
            let whole = compile(expr)
            if case .binary(let op, _, _) = expr.kind, op == .add || op == .concat {
                // `{{ a + b ~ c }}`: written piece by piece when every operand is a string.
                var collected: [_JinjaEvalBox] = []
                concatenationOperands(expr, into: &collected)
                let operands = collected
                return { renderer, scope in
                    if try renderer.writeConcatenation(operands, scope) { return .normal }
                    renderer.writeValue(try whole(renderer, scope))
                    return .normal
                }
            }
            return { renderer, scope in
                renderer.writeValue(try whole(renderer, scope))
                return .normal
            }
        case .ifChain(let branches, let otherwise):
            let otherwiseBody = block(otherwise)
            if branches.count == 1 {
                let condition = compile(branches[0].0)
                let body = block(branches[0].1)
                return { renderer, scope in
                    try condition(renderer, scope).isTruthy ? try body(renderer, scope) : try otherwiseBody(renderer, scope)
                }
            }
            let compiled = branches.map { _JinjaBranch(condition: compile($0.0), body: block($0.1)) }
            return { renderer, scope in
                for index in compiled.indices where try compiled[index].condition(renderer, scope).isTruthy {
                    return try compiled[index].body(renderer, scope)
                }
                return try otherwiseBody(renderer, scope)
            }
        case .forLoop(let target, let iterable, let condition, let body, let otherwise):
            let loop = _JinjaCompiledLoop(
                target: target, iterableExpr: iterable, iterable: compile(iterable), condition: condition.map(compile),
                body: block(body), otherwise: block(otherwise))
            return { renderer, scope in try renderer.executeFor(loop, scope) }
        case .set(let target, let expr):
            let value = compile(expr)
            return { renderer, scope in
                try renderer.assign(target, try value(renderer, scope), scope, line: line)
                return .normal
            }
        case .setBlock(let target, let filters, let body):
            let compiledBody = block(body)
            return { renderer, scope in
                var value = JinjaValue.string(try renderer.capture(compiledBody, scope))
                for (name, arguments, filterLine) in filters {
                    value = try renderer.applyFilter(name, value, arguments, scope, line: filterLine)
                }
                try renderer.assign(target, value, scope, line: line)
                return .normal
            }
        case .macro(let name, let id, let parameters, let body):
            let compiledBody = block(body)
            let reads = _JinjaMacroReads(body: body, parameters: parameters)
            return { renderer, scope in
                renderer.defineMacro(
                    _JinjaMacro(name: name, parameters: parameters, body: compiledBody, closure: scope, reads: reads), id: id, in: scope)
                return .normal
            }
        case .callBlock(let call, let parameters, let body):
            let compiledBody = block(body)
            let reads = _JinjaMacroReads(body: body, parameters: parameters)
            return { renderer, scope in
                try renderer.executeCallBlock(call, parameters: parameters, reads: reads, body: compiledBody, scope)
                return .normal
            }
        case .filterBlock(let filters, let body):
            let compiledBody = block(body)
            return { renderer, scope in
                var value = JinjaValue.string(try renderer.capture(compiledBody, scope))
                for (name, arguments, filterLine) in filters {
                    value = try renderer.applyFilter(name, value, arguments, scope, line: filterLine)
                }
                renderer.write(value.pythonString)
                return .normal
            }
        case .with(let assignments, let body):
            let compiledBody = block(body)
            return { renderer, scope in
                var inner = renderer.makeScope(parent: scope)
                defer { renderer.recycle(&inner) }
                for (target, expr) in assignments {
                    try renderer.assign(target, try renderer.eval(expr, scope), inner, line: line)
                }
                return try compiledBody(renderer, inner)
            }
        case .generation(let body):
            let compiledBody = block(body)
            return { renderer, scope in
                try renderer.executeGeneration(compiledBody, scope)
                return .normal
            }
        case .breakLoop:
            return { _, _ in .breakLoop }
        case .continueLoop:
            return { _, _ in .continueLoop }
        }
    }

    /// The operands of `a + b ~ c`, left to right.
    private static func concatenationOperands(_ expr: _JinjaExpr, into operands: inout [_JinjaEvalBox]) {
        if case .binary(let op, let left, let right) = expr.kind, op == .add || op == .concat {
            concatenationOperands(left, into: &operands)
            concatenationOperands(right, into: &operands)
        } else {
            operands.append(_JinjaEvalBox(run: compile(expr)))
        }
    }

    /// A left-nested chain `((a + b) ~ c) + d` as its first operand and one level per operator.
    private static func concatenationChain(_ expr: _JinjaExpr) -> _JinjaConcatenationChain {
        var levels: [_JinjaConcatenationChain.Level] = []
        var node = expr
        while case .binary(let op, let leftExpr, let rightExpr) = node.kind, op == .add || op == .concat {
            levels.append(.init(op: op, right: compile(rightExpr), leftExpr: leftExpr, rightExpr: rightExpr, line: node.line))
            node = leftExpr
        }
        return _JinjaConcatenationChain(first: compile(node), levels: levels.reversed())
    }

    // MARK: - Expressions

    static func compile(_ expr: _JinjaExpr) -> _JinjaEval {
        let line = expr.line
        switch expr.kind {
        case .literal(let value):
            return { _, _ in value }
        case .name(_, let id):
            return { _, scope in scope.value(id) }
        case .list(let items), .tuple(let items):
            let compiled = items.map { _JinjaEvalBox(run: compile($0)) }
            // `(1, 2)`, `1, 2` and `()` are Python tuples: they print as tuples and differ from lists.
            let isTuple = if case .tuple = expr.kind { true } else { false }
            // All literals (`role in ('system', 'developer')`): the value is built once. A tuple is
            // never changed after it is made, and a list only by value, so sharing them is safe.
            var constants: [JinjaValue] = []
            for item in items { if case .literal(let value) = item.kind { constants.append(value) } }
            if constants.count == items.count {
                let value: JinjaValue = isTuple ? .makeObject(.tuple(constants)) : .list(constants)
                return { _, _ in value }
            }
            return { renderer, scope in
                var values: [JinjaValue] = []
                values.reserveCapacity(compiled.count)
                for index in compiled.indices { values.append(try compiled[index].run(renderer, scope)) }
                return isTuple ? .makeObject(.tuple(values)) : .list(values)
            }
        case .dict(let pairs):
            // All literals (TranslateGemma's language table, Seed-OSS's `{0: 0, 512: 128, ...}`): the
            // dictionary is built once. Templates cannot change a dictionary, so sharing it is safe.
            var constant = JinjaDict()
            var folded = true
            for (keyExpr, valueExpr) in pairs {
                guard case .literal(let key) = keyExpr.kind, case .literal(let value) = valueExpr.kind,
                      (try? constant.setValue(value, forKey: key, line: line)) != nil
                else {
                    folded = false
                    break
                }
            }
            if folded {
                let value = JinjaValue.dict(constant)
                return { _, _ in value }
            }
            return { renderer, scope in try renderer.eval(expr, scope) }
        case .attribute(let baseExpr, let name):
            let base = compile(baseExpr)
            // What the name can mean is known now: a dict method (found before a key), a loop field.
            let isDictMethod = _JinjaRenderer.isDictMethod(name)
            let loopField = _JinjaLoopField(name)
            if _JinjaRenderer.unsafeAttributes.contains(name) {
                // `x.__class__`: the sandbox's refusal, decided now (no check on other attributes).
                return { renderer, scope in
                    let object = try base(renderer, scope)
                    if case .undefined = object { throw renderer.undefinedFailure(baseExpr) }
                    if let failure = object.unsafeUseFailure(line: line) { throw failure }
                    return _JinjaRenderer.unsafeAttribute(object, name) ?? renderer.attribute(of: object, name)
                }
            }
            return { renderer, scope in
                let object = try base(renderer, scope)
                switch object {
                case .undefined: throw renderer.undefinedFailure(baseExpr)
                case .dict(let dict) where !isDictMethod: return dict[name] ?? .undefined
                case .object(let handle):
                    if let loopField, case .loop(let loop) = handle.kind { return loopField.value(loop, handle) }
                    if case .unsafeUndefined(let message) = handle.kind { throw _JinjaFailure(.security, message, line: line) }
                default: break
                }
                return renderer.attribute(of: object, name)
            }
        case .item(let baseExpr, let keyExpr):
            let base = compile(baseExpr)
            if case .literal(let keyValue) = keyExpr.kind, case .string(let name) = keyValue {
                // `message['role']`, the most common read: a literal key found in a dictionary.
                // A key the dictionary lacks (`message['tool_calls']`) that is no dict method nor
                // refused attribute is undefined, decided now rather than by `item(of:)`'s lookups.
                let missingIsUndefined = !_JinjaRenderer.isDictMethod(name) && _JinjaRenderer.unsafeAttribute(.none, name) == nil
                return { renderer, scope in
                    let object = try base(renderer, scope)
                    if case .undefined = object { throw renderer.undefinedFailure(baseExpr) }
                    if case .dict(let dict) = object {
                        if let value = dict[name] { return value }
                        if missingIsUndefined { return .undefined }
                    }
                    return try renderer.item(of: object, keyValue, line: line)
                }
            }
            let key = compile(keyExpr)
            return { renderer, scope in
                let object = try base(renderer, scope)
                if case .undefined = object { throw renderer.undefinedFailure(baseExpr) }
                return try renderer.item(of: object, try key(renderer, scope), line: line)
            }
        case .slice(let baseExpr, let start, let stop, let step):
            let base = compile(baseExpr)
            let startValue = start.map(compile)
            let stopValue = stop.map(compile)
            let stepValue = step.map(compile)
            return { renderer, scope in
                let object = try base(renderer, scope)
                if case .undefined = object { throw renderer.undefinedFailure(baseExpr) }
                let lower = try startValue?(renderer, scope) ?? JinjaValue.none
                let upper = try stopValue?(renderer, scope) ?? JinjaValue.none
                let stride = try stepValue?(renderer, scope) ?? JinjaValue.none
                return try renderer.slice(object, lower, upper, stride, line: line)
            }
        case .call(let callee, let arguments):
            let compiledArguments = _JinjaCompiledArguments(arguments)
            if case .attribute(let baseExpr, let name) = callee.kind {
                let base = compile(baseExpr)
                // `_JinjaRenderer.hasMethod`, decided now for each receiver type.
                let stringMethod = _JinjaRenderer.stringMethods.contains(name)
                let dictMethod = _JinjaRenderer.isDictMethod(name)
                let listMethod = _JinjaRenderer.listMethods.contains(name)
                let tupleMethod = _JinjaRenderer.isTupleMethod(name)
                let unsafe = _JinjaRenderer.unsafeAttributes.contains(name)
                return { renderer, scope in
                    let receiver = try base(renderer, scope)
                    let hasMethod =
                        switch receiver {
                        case .string: stringMethod
                        case .dict: dictMethod
                        case .list: listMethod
                        case .object: tupleMethod && receiver.tupleItems != nil
                        case .undefined: throw renderer.undefinedFailure(baseExpr)
                        default: false
                        }
                    if hasMethod {
                        let (positional, keyword) = try compiledArguments.evaluate(renderer, scope)
                        return try renderer.callMethod(receiver, name, positional, keyword, line: line)
                    }
                    // Not a method (no `__` name is one): the sandbox's refusals, then the attribute.
                    if let failure = receiver.unsafeUseFailure(line: line) { throw failure }
                    if unsafe, _JinjaRenderer.unsafeAttribute(receiver, name) != nil {
                        throw _JinjaFailure(.security, "access to attribute '\(name)' of '\(receiver.typeName)' object is unsafe (chat templates run in a sandbox)", line: line)
                    }
                    let function = renderer.attribute(of: receiver, name)
                    if case .undefined = function { throw renderer.undefinedFailure(callee) }
                    let (positional, keyword) = try compiledArguments.evaluate(renderer, scope)
                    return try renderer.callValue(function, positional, keyword, caller: nil, line: line)
                }
            }
            let function = compile(callee)
            return { renderer, scope in
                let value = try function(renderer, scope)
                if case .undefined = value { throw renderer.undefinedFailure(callee) }
                let (positional, keyword) = try compiledArguments.evaluate(renderer, scope)
                return try renderer.callValue(value, positional, keyword, caller: nil, line: line)
            }
        case .filter(let baseExpr, let name, let arguments):
            let base = compile(baseExpr)
            let compiledArguments = _JinjaCompiledArguments(arguments)
            if arguments.positional.isEmpty && arguments.keyword.isEmpty, let simple = _JinjaRenderer.argumentlessFilter(name) {
                // `x|string`, `x|trim`, `x|length`: the filter resolved now, not matched by name per call.
                return { renderer, scope in
                    let value = try base(renderer, scope)
                    if let result = simple(value) { return result }
                    return try renderer.filter(name, value, _JinjaCallArguments(function: name, positional: [], keyword: [], line: line))
                }
            }
            return { renderer, scope in
                let value = try base(renderer, scope)
                let (positional, keyword) = try compiledArguments.evaluate(renderer, scope)
                return try renderer.filter(name, value, _JinjaCallArguments(function: name, positional: positional, keyword: keyword, line: line))
            }
        case .test(let baseExpr, let name, let arguments, let negated):
            let base = compile(baseExpr)
            let compiledArguments = _JinjaCompiledArguments(arguments)
            if let test = _JinjaRenderer.typeTest(name) {
                // `x is defined`, `x is string`: the test resolved now (it ignores arguments, which
                // are still evaluated, in order, as the general path does).
                let hasArguments = !arguments.positional.isEmpty || !arguments.keyword.isEmpty
                return { renderer, scope in
                    let value = try base(renderer, scope)
                    if hasArguments { _ = try compiledArguments.evaluate(renderer, scope) }
                    return .bool(test(value) != negated)
                }
            }
            return { renderer, scope in
                let value = try base(renderer, scope)
                let (positional, keyword) = try compiledArguments.evaluate(renderer, scope)
                let result = try renderer.applyTest(name, value, positional, keyword, line: line)
                return .bool(negated ? !result : result)
            }
        case .negate(let operandExpr):
            let operand = compile(operandExpr)
            return { renderer, scope in
                let value = try operand(renderer, scope)
                switch value {
                case .int(let number):
                    // `-(-2**63)` is beyond 64 bits (Python's integer is exact): refused, no trap.
                    guard number != .min else { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: line) }
                    return .int(-number)
                case .float(let number): return .float(-number)
                case .bool(let flag): return .int(flag ? -1 : 0)
                case .undefined: throw renderer.undefinedFailure(operandExpr)
                default: throw _JinjaFailure(.type, "bad operand type for unary -: '\(value.typeName)'", line: line)
                }
            }
        case .plus(let operandExpr):
            let operand = compile(operandExpr)
            return { renderer, scope in
                let value = try operand(renderer, scope)
                switch value {
                case .int, .float: return value
                case .bool(let flag): return .int(flag ? 1 : 0)
                case .undefined: throw renderer.undefinedFailure(operandExpr)
                default: throw _JinjaFailure(.type, "bad operand type for unary +: '\(value.typeName)'", line: line)
                }
            }
        case .not(let operandExpr):
            let operand = compile(operandExpr)
            return { renderer, scope in .bool(!(try operand(renderer, scope).isTruthy)) }
        case .and(let leftExpr, let rightExpr):
            let left = compile(leftExpr)
            let right = compile(rightExpr)
            return { renderer, scope in
                let value = try left(renderer, scope)
                return value.isTruthy ? try right(renderer, scope) : value
            }
        case .or(let leftExpr, let rightExpr):
            let left = compile(leftExpr)
            let right = compile(rightExpr)
            return { renderer, scope in
                let value = try left(renderer, scope)
                return value.isTruthy ? value : try right(renderer, scope)
            }
        case .binary(let op, let leftExpr, let rightExpr):
            if op == .add || op == .concat, case .binary(let innerOp, _, _) = leftExpr.kind, innerOp == .add || innerOp == .concat {
                // `a + b + c ...`: the strings are joined once, not one intermediate per operator.
                let chain = concatenationChain(expr)
                return { renderer, scope in try renderer.evaluateConcatenation(chain, scope) }
            }
            let left = compile(leftExpr)
            let right = compile(rightExpr)
            if op == .concat {
                return { renderer, scope in
                    let lhs = try left(renderer, scope)
                    let rhs = try right(renderer, scope)
                    return try _JinjaRenderer.concatenate(lhs.pythonString, rhs.pythonString, op: "~", line: line)
                }
            }
            return { renderer, scope in
                let lhs = try left(renderer, scope)
                let rhs = try right(renderer, scope)
                if case .undefined = lhs { throw renderer.undefinedFailure(leftExpr) }
                if case .undefined = rhs { throw renderer.undefinedFailure(rightExpr) }
                return try _JinjaRenderer.binary(op, lhs, rhs, line: line)
            }
        case .compare(let firstExpr, let operations):
            let first = compile(firstExpr)
            if operations.count == 1, operations[0].0 == .equal || operations[0].0 == .notEqual,
                case .literal(let literal) = operations[0].1.kind, case .string(let text) = literal
            {
                // `message['role'] == 'user'`: a string compared with a literal, by its bytes as
                // `JinjaValue ==` compares strings, without boxing the literal per test.
                let equal = operations[0].0 == .equal
                return { renderer, scope in
                    let lhs = try first(renderer, scope)
                    if case .string(let value) = lhs {
                        let same = _pythonStringEqual(value, text)
                        return .bool(same == equal)
                    }
                    return .bool(try _JinjaRenderer.compare(operations[0].0, lhs, literal, line: line))
                }
            }
            if operations.count == 1 {
                // `a == b`, the usual comparison: no chain to carry.
                let op = operations[0].0
                let second = compile(operations[0].1)
                return { renderer, scope in
                    let lhs = try first(renderer, scope)
                    let rhs = try second(renderer, scope)
                    return .bool(try _JinjaRenderer.compare(op, lhs, rhs, line: line))
                }
            }
            let chain = operations.map { (op: $0.0, right: _JinjaEvalBox(run: compile($0.1))) }
            return { renderer, scope in
                var lhs = try first(renderer, scope)
                for index in chain.indices {
                    let rhs = try chain[index].right.run(renderer, scope)
                    guard try _JinjaRenderer.compare(chain[index].op, lhs, rhs, line: line) else { return .bool(false) }
                    lhs = rhs
                }
                return .bool(true)
            }
        case .conditional(let testExpr, let thenExpr, let otherwiseExpr):
            let test = compile(testExpr)
            let then = compile(thenExpr)
            let otherwise = otherwiseExpr.map(compile)
            return { renderer, scope in
                if try test(renderer, scope).isTruthy { return try then(renderer, scope) }
                return try otherwise?(renderer, scope) ?? .undefined
            }
        }
    }
}

/// A call's, filter's or test's arguments, compiled.
struct _JinjaCompiledArguments: Sendable {
    let positional: [_JinjaEvalBox]
    let keyword: [(name: String, value: _JinjaEvalBox)]
    /// `*args` and `**kwargs`, with their expressions for error messages.
    let splats: (splat: (_JinjaExpr, _JinjaEval)?, keywordSplat: (_JinjaExpr, _JinjaEval)?)?

    init(_ arguments: _JinjaArguments) {
        positional = arguments.positional.map { _JinjaEvalBox(run: _JinjaCompiler.compile($0)) }
        keyword = arguments.keyword.map { (name: $0.0, value: _JinjaEvalBox(run: _JinjaCompiler.compile($0.1))) }
        if arguments.splat == nil && arguments.keywordSplat == nil {
            splats = nil
        } else {
            splats = (arguments.splat.map { ($0, _JinjaCompiler.compile($0)) }, arguments.keywordSplat.map { ($0, _JinjaCompiler.compile($0)) })
        }
    }

    /// The arguments' values, positional then keyword, each in order.
    func evaluate(_ renderer: _JinjaRenderer, _ scope: _JinjaScope) throws -> ([JinjaValue], [(String, JinjaValue)]) {
        var values: [JinjaValue] = []
        values.reserveCapacity(positional.count)
        for index in positional.indices { values.append(try positional[index].run(renderer, scope)) }
        var named: [(String, JinjaValue)] = []
        if !keyword.isEmpty {
            named.reserveCapacity(keyword.count)
            for index in keyword.indices { named.append((keyword[index].name, try keyword[index].value.run(renderer, scope))) }
        }
        if let splats {
            try renderer.appendSplats(
                splats.splat.map { ($0.0, try $0.1(renderer, scope)) }, splats.keywordSplat.map { ($0.0, try $0.1(renderer, scope)) },
                to: &values, &named)
        }
        return (values, named)
    }
}

/// One `{% if %}`/`{% elif %}` branch, compiled.
struct _JinjaBranch: Sendable {
    let condition: _JinjaEval
    let body: _JinjaExec
}

/// A `{% for %}` loop, compiled.
struct _JinjaCompiledLoop: Sendable {
    let target: _JinjaTarget
    /// The iterable as parsed, for its line and error messages.
    let iterableExpr: _JinjaExpr
    let iterable: _JinjaEval
    let condition: _JinjaEval?
    let body: _JinjaExec
    let otherwise: _JinjaExec
}

/// `a + b ~ c ...` (left-nested `+` and `~`), compiled: the first operand and, per operator, its
/// right operand with what its errors name.
struct _JinjaConcatenationChain: Sendable {
    struct Level: Sendable {
        var op: _JinjaBinaryOp
        var right: _JinjaEval
        /// The operator's left operand (the chain so far), named when it is undefined.
        var leftExpr: _JinjaExpr
        var rightExpr: _JinjaExpr
        var line: Int
    }

    var first: _JinjaEval
    var levels: [Level]
}
