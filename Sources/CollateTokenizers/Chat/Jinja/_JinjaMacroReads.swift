/// Which of the special names `caller`, `varargs` and `kwargs` a macro's (or a `{% call %}`
/// block's) body reads, decided once when the template compiles, as jinja2's compiler decides it
/// (`find_undeclared(node.body, ("caller", "kwargs", "varargs"))` in `macro_body`).
///
/// It decides how a call binds: a macro that reads `varargs` takes extra positional arguments
/// (as a tuple, `()` when there are none), one that reads `kwargs` takes unknown keyword
/// arguments (as a dict, `{}` when there are none); any other macro refuses them. A macro that
/// reads `caller` takes a `{% call %}` block's body (or a `caller=` keyword); one that does not
/// refuses it.
struct _JinjaMacroReads: Sendable {
    var caller = false
    var varargs = false
    var kwargs = false

    /// The names `body` reads before any statement of it stores them (jinja2 visits a node's
    /// fields in order; a name stored, or a parameter of a nested macro, is no longer special),
    /// `varargs` / `kwargs` not counted when they are one of `parameters` (jinja2's
    /// `skip_special_params`).
    init(body: [_JinjaStatement], parameters: [_JinjaParameter]) {
        var walker = _Walker()
        walker.statements(body)
        caller = walker.found.contains(_JinjaNames.caller)
        varargs = walker.found.contains(_JinjaNames.varargs) && !parameters.contains { $0.id == _JinjaNames.varargs }
        kwargs = walker.found.contains(_JinjaNames.kwargs) && !parameters.contains { $0.id == _JinjaNames.kwargs }
    }

    /// jinja2's `UndeclaredNameVisitor` over Collate's syntax tree.
    private struct _Walker {
        /// The special names still looked for (a store or a parameter drops one).
        var pending: Set<Int> = [_JinjaNames.caller, _JinjaNames.varargs, _JinjaNames.kwargs]
        var found: Set<Int> = []

        mutating func load(_ id: Int) {
            if pending.contains(id) { found.insert(id) }
        }

        mutating func store(_ id: Int) {
            if !found.contains(id) { pending.remove(id) }
        }

        mutating func statements(_ list: [_JinjaStatement]) {
            for statement in list { self.statement(statement) }
        }

        mutating func statement(_ statement: _JinjaStatement) {
            switch statement.kind {
            case .text, .breakLoop, .continueLoop: break
            case .output(let expr): expression(expr)
            case .ifChain(let branches, let otherwise):
                for (condition, body) in branches {
                    expression(condition)
                    statements(body)
                }
                statements(otherwise)
            case .forLoop(let target, let iterable, let condition, let body, let otherwise):
                // jinja2's `For` fields: target, iter, body, else_, test.
                self.target(target)
                expression(iterable)
                statements(body)
                statements(otherwise)
                if let condition { expression(condition) }
            case .set(let target, let expr):
                self.target(target)
                expression(expr)
            case .setBlock(let target, let filters, let body):
                self.target(target)
                for (_, arguments, _) in filters { self.arguments(arguments) }
                statements(body)
            case .macro(_, _, let parameters, let body):
                self.parameters(parameters)
                statements(body)
            case .callBlock(let call, let parameters, let body):
                expression(call)
                self.parameters(parameters)
                statements(body)
            case .filterBlock(let filters, let body):
                statements(body)
                for (_, arguments, _) in filters { self.arguments(arguments) }
            case .with(let assignments, let body):
                for (target, _) in assignments { self.target(target) }
                for (_, value) in assignments { expression(value) }
                statements(body)
            case .generation(let body):
                statements(body)
            }
        }

        mutating func parameters(_ parameters: [_JinjaParameter]) {
            for parameter in parameters { store(parameter.id) }
            for parameter in parameters { if let value = parameter.defaultValue { expression(value) } }
        }

        mutating func target(_ target: _JinjaTarget) {
            switch target {
            case .name(_, let id): store(id)
            case .tuple(let targets): for inner in targets { self.target(inner) }
            case .attribute: break  // `ns.attr`: jinja2's `NSRef` holds names, not `Name` nodes
            }
        }

        mutating func arguments(_ arguments: _JinjaArguments) {
            for value in arguments.positional { expression(value) }
            for (_, value) in arguments.keyword { expression(value) }
            if let splat = arguments.splat { expression(splat) }
            if let splat = arguments.keywordSplat { expression(splat) }
        }

        mutating func expression(_ expr: _JinjaExpr) {
            switch expr.kind {
            case .literal: break
            case .name(_, let id): load(id)
            case .list(let items), .tuple(let items): for item in items { expression(item) }
            case .dict(let pairs):
                for (key, value) in pairs {
                    expression(key)
                    expression(value)
                }
            case .attribute(let base, _): expression(base)
            case .item(let base, let key):
                expression(base)
                expression(key)
            case .slice(let base, let start, let stop, let step):
                expression(base)
                for part in [start, stop, step] { if let part { expression(part) } }
            case .call(let callee, let arguments):
                expression(callee)
                self.arguments(arguments)
            case .filter(let base, _, let arguments), .test(let base, _, let arguments, _):
                expression(base)
                self.arguments(arguments)
            case .negate(let operand), .plus(let operand), .not(let operand): expression(operand)
            case .and(let left, let right), .or(let left, let right), .binary(_, let left, let right):
                expression(left)
                expression(right)
            case .compare(let first, let operations):
                expression(first)
                for (_, operand) in operations { expression(operand) }
            case .conditional(let test, let then, let otherwise):
                expression(test)
                expression(then)
                if let otherwise { expression(otherwise) }
            }
        }
    }
}
