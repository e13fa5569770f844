/// A macro (or the body of a `{% call %}` block, which becomes `caller`).
///
/// A class, never changed once made: a call reads it through one reference instead of copying
/// (retaining) each of its fields.
final class _JinjaMacro {
    let name: String
    let parameters: [_JinjaParameter]
    let body: _JinjaExec
    let closure: _JinjaScope
    let caller: JinjaValue?
    /// Whether the body reads `caller`, `varargs`, `kwargs`: what the macro takes beyond its parameters.
    let reads: _JinjaMacroReads
    /// Whether this is a `{% call %}` block's body, which jinja2 leaves unnamed (`None`).
    let isCallBlock: Bool

    init(
        name: String, parameters: [_JinjaParameter], body: @escaping _JinjaExec, closure: _JinjaScope, caller: JinjaValue? = nil,
        reads: _JinjaMacroReads, isCallBlock: Bool = false
    ) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.closure = closure
        self.caller = caller
        self.reads = reads
        self.isCallBlock = isCallBlock
    }

    /// The macro's name as jinja2's messages write it (`'name'`, or `None` for a call block's body).
    var quotedName: String { isCallBlock ? "None" : "'\(name)'" }

    /// jinja2's `Macro` attributes a template may read (`m.name`, `m.arguments`, `m.catch_varargs`, ...).
    func attribute(_ attribute: String) -> JinjaValue {
        switch attribute {
        case "name": isCallBlock ? .none : .string(name)
        case "arguments": .makeObject(.tuple(parameters.map { .string($0.name) }))
        case "catch_kwargs": .bool(reads.kwargs)
        case "catch_varargs": .bool(reads.varargs)
        case "caller": .bool(reads.caller)
        case "explicit_caller": .bool(parameters.contains { $0.id == _JinjaNames.caller })
        default: .undefined
        }
    }
}

/// The `loop` variable of a `for` loop: one object per loop whose index each iteration
/// advances in place (jinja2's `LoopContext` is one mutable object too).
final class _JinjaLoop {
    // Only touched by the render running the loop (`items` changes only while the loop object
    // waits, recycled, for the next loop).
    @exclusivity(unchecked) var items: [JinjaValue]
    @exclusivity(unchecked) var index0: Int

    init(items: [JinjaValue], index0: Int) {
        self.items = items
        self.index0 = index0
    }
}

/// A field of the `loop` variable, resolved from its name once (at compile time for `loop.last`).
enum _JinjaLoopField: Sendable {
    case index, index0, revindex, revindex0, first, last, length, depth, depth0, previtem, nextitem, cycle, changed

    init?(_ name: String) {
        switch name {
        case "index": self = .index
        case "index0": self = .index0
        case "revindex": self = .revindex
        case "revindex0": self = .revindex0
        case "first": self = .first
        case "last": self = .last
        case "length": self = .length
        case "depth": self = .depth
        case "depth0": self = .depth0
        case "previtem": self = .previtem
        case "nextitem": self = .nextitem
        case "cycle": self = .cycle
        case "changed": self = .changed
        default: return nil
        }
    }

    /// The field's value for `loop`, whose object is `handle`.
    func value(_ loop: _JinjaLoop, _ handle: JinjaObject) -> JinjaValue {
        let count = loop.items.count
        switch self {
        case .index: return .int(loop.index0 + 1)
        case .index0: return .int(loop.index0)
        case .revindex: return .int(count - loop.index0)
        case .revindex0: return .int(count - loop.index0 - 1)
        case .first: return .bool(loop.index0 == 0)
        case .last: return .bool(loop.index0 == count - 1)
        case .length: return .int(count)
        case .depth: return .int(1)
        case .depth0: return .int(0)
        case .previtem: return loop.index0 > 0 ? loop.items[loop.index0 - 1] : .undefined
        case .nextitem: return loop.index0 + 1 < count ? loop.items[loop.index0 + 1] : .undefined
        case .cycle: return .makeObject(.method(.object(handle), "cycle"))
        case .changed: return .makeObject(.method(.object(handle), "changed"))
        }
    }
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
    /// jinja2's `joiner(sep)`: returns "" on its first call, `sep` after.
    case joiner(String, used: Bool)
    /// jinja2's `cycler(*items)`: `.next()`, `.current`, `.reset()`.
    case cycler([JinjaValue], position: Int)
    /// What jinja2's sandbox gives for an attribute it refuses (`''.__class__`): an undefined that
    /// renders empty and is falsy, but raises the `SecurityError` it carries (the message) when
    /// used (an attribute, an item, a call).
    case unsafeUndefined(String)
    /// A Python tuple a template gets from Jinja (`dict.items()`'s pairs, a macro's `varargs`):
    /// a list everywhere but in its `repr` (`('a', 1)`, `(2,)`, `()`) and type name.
    case tuple([JinjaValue])

    var displayName: String {
        switch self {
        case .namespace(let members): "<Namespace \(JinjaValue.dict(members).pythonRepr)>"
        // A `{% call %}` block's body has no name in jinja2 (`<Macro anonymous>`).
        case .macro(let macro): macro.isCallBlock ? "<Macro anonymous>" : "<Macro '\(macro.name)'>"
        case .loop(let loop): "<LoopContext \(loop.index0 + 1)/\(loop.items.count)>"
        case .function(let name): "<function \(name)>"
        case .method(let receiver, let name): "<built-in method \(name) of \(receiver.typeName) object>"
        case .joiner: "<jinja2.utils.Joiner object>"
        case .cycler: "<jinja2.utils.Cycler object>"
        case .unsafeUndefined: ""
        case .tuple: "tuple"
        }
    }

    var typeName: String {
        switch self {
        case .namespace: "Namespace"
        case .macro: "Macro"
        case .loop: "LoopContext"
        case .function: "function"
        case .method: "builtin_function_or_method"
        case .joiner: "Joiner"
        case .cycler: "Cycler"
        case .unsafeUndefined: "Undefined"
        case .tuple: "tuple"
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
        case .macro, .function, .method, .joiner: return true
        case .namespace, .loop, .cycler, .unsafeUndefined, .tuple: return false
        }
    }

    /// The `SecurityError` of a refused attribute's value (see ``_JinjaObjectKind/unsafeUndefined(_:)``)
    /// used at `line`, or `nil` for any other value.
    func unsafeUseFailure(line: Int) -> _JinjaFailure? {
        guard case .object(let object) = self, case .unsafeUndefined(let message) = object.kind else { return nil }
        return _JinjaFailure(.security, message, line: line)
    }

    /// A Python tuple's items (see ``_JinjaObjectKind/tuple(_:)``), or `nil` for another value.
    var tupleItems: [JinjaValue]? {
        guard case .object(let object) = self, case .tuple(let items) = object.kind else { return nil }
        return items
    }

    /// The type name of the part of the value Python cannot hash (a list or dict, also inside a
    /// tuple), or `nil` when the value can be a set member or a dict key.
    var unhashableType: String? {
        switch self {
        case .list: return "list"
        case .dict: return "dict"
        case .object(let object):
            guard case .tuple(let items) = object.kind else { return nil }
            for item in items { if let inner = item.unhashableType { return inner } }
            return nil
        default: return nil
        }
    }

    /// A list's or a tuple's items, or `nil` for another value.
    var sequenceItems: [JinjaValue]? {
        if case .list(let items) = self { return items }
        return tupleItems
    }

    /// Whether the value is the sandbox's undefined for a refused attribute.
    var isUnsafeUndefined: Bool {
        guard case .object(let object) = self, case .unsafeUndefined = object.kind else { return false }
        return true
    }
}
