/// A variable scope: a `for` body, a macro call, `{% with %}` or the template's top level.
final class _JinjaScope {
    var variables: [String: JinjaValue]
    let parent: _JinjaScope?

    init(parent: _JinjaScope?, variables: [String: JinjaValue] = [:]) {
        self.parent = parent
        self.variables = variables
    }

    func lookup(_ name: String) -> JinjaValue? {
        var scope: _JinjaScope? = self
        while let current = scope {
            if let value = current.variables[name] { return value }
            scope = current.parent
        }
        return nil
    }
}

/// A macro (or the body of a `{% call %}` block, which becomes `caller`).
struct _JinjaMacro {
    var name: String
    var parameters: [_JinjaParameter]
    var body: [_JinjaStatement]
    var closure: _JinjaScope
    var caller: JinjaValue?
}

/// The `loop` variable of a `for` loop.
struct _JinjaLoop {
    var items: [JinjaValue]
    var index0: Int
}

/// What a ``JinjaObject`` is.
enum _JinjaObjectKind {
    case namespace(JinjaDict)
    case macro(_JinjaMacro)
    case loop(_JinjaLoop)
    /// A global function: `range`, `namespace`, `dict`, `raise_exception`, `strftime_now`.
    case function(String)
    /// A method bound to its receiver: `"a b".split`, `message.get`, `loop.cycle`.
    case method(JinjaValue, String)

    var displayName: String {
        switch self {
        case .namespace: "<Namespace>"
        case .macro(let macro): "<Macro '\(macro.name)'>"
        case .loop: "<LoopContext>"
        case .function(let name): "<function \(name)>"
        case .method(let receiver, let name): "<built-in method \(name) of \(receiver.typeName) object>"
        }
    }

    var typeName: String {
        switch self {
        case .namespace: "Namespace"
        case .macro: "Macro"
        case .loop: "LoopContext"
        case .function: "function"
        case .method: "builtin_function_or_method"
        }
    }
}

extension JinjaValue {
    static func makeObject(_ kind: _JinjaObjectKind) -> JinjaValue {
        .object(JinjaObject(kind))
    }

    var isCallable: Bool {
        guard case .object(let object) = self else { return false }
        switch object.kind {
        case .macro, .function, .method: return true
        case .namespace, .loop: return false
        }
    }
}
