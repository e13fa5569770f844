/// A variable scope: a `for` iteration, a macro call, `{% with %}` or the template's top level.
///
/// Variables are interned ids (``_JinjaNames``) with their values, in one buffer the scope
/// owns and searches linearly (scopes hold a handful of variables). The buffer is managed by
/// hand, not an `Array`: a read compares ids in place and copies only the value it returns, a
/// write replaces a value in place, and neither pays an array's uniqueness checks or generic
/// element copies (together a tenth of a render's instructions before).
final class _JinjaScope {
    /// One variable.
    private struct Entry {
        var id: Int
        var value: JinjaValue
    }

    // Only touched by the render that owns the scope, one access at a time (the shared
    // `_JinjaRenderer.globals` is only read): no dynamic exclusivity checks.
    @exclusivity(unchecked) private var entries: UnsafeMutablePointer<Entry>?
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private var capacity = 0
    /// A bit per id modulo 64 for every id this scope has bound since its last reset (a removed
    /// one keeps its bit): a lookup passes by a scope without the bit of its id unsearched.
    @exclusivity(unchecked) private var bound: UInt64 = 0
    /// The enclosing scope (changed only while the scope is recycled, see ``rebind(parent:)``).
    @exclusivity(unchecked) private(set) var parent: _JinjaScope?
    /// `parent` again, unretained, for walking the chain without reference counting (the
    /// strong `parent` keeps it alive as long as this scope).
    @exclusivity(unchecked) private var up: Unmanaged<_JinjaScope>?

    init(parent: _JinjaScope?) {
        self.parent = parent
        up = parent.map { Unmanaged.passUnretained($0) }
    }

    /// Gives an empty, recycled scope (see ``_JinjaRenderer/makeScope(parent:)``) a new
    /// enclosing scope, or none while it waits to be reused.
    func rebind(parent: _JinjaScope?) {
        self.parent = parent
        up = parent.map { Unmanaged.passUnretained($0) }
    }

    @inline(__always) private static func bit(_ id: Int) -> UInt64 {
        1 &<< UInt64(truncatingIfNeeded: id & 63)
    }

    deinit {
        if let entries {
            entries.deinitialize(count: count)
            entries.deallocate()
        }
    }

    /// This scope's own value of `id` (not its parents'); setting `nil` removes it.
    subscript(id: Int) -> JinjaValue? {
        @inline(__always) get { local(id) }
        set {
            if let newValue { set(id, newValue) } else { remove(id) }
        }
    }

    /// Binds `id` to `value` in this scope, replacing its value here if it has one.
    @inline(__always) func set(_ id: Int, _ value: JinjaValue) {
        if bound & Self.bit(id) != 0, let entries {
            for index in 0..<count where entries[index].id == id {
                entries[index].value = value
                return
            }
        }
        append(id, value)
    }

    private func append(_ id: Int, _ value: JinjaValue) {
        if count == capacity { grow(toAtLeast: count + 1) }
        guard let entries else { return }
        (entries + count).initialize(to: Entry(id: id, value: value))
        count += 1
        bound |= Self.bit(id)
    }

    private func remove(_ id: Int) {
        guard let entries else { return }
        for index in 0..<count where entries[index].id == id {
            // The order of a scope's variables does not matter: the last takes the gap.
            let last = count - 1
            if index == last {
                (entries + index).deinitialize(count: 1)
            } else {
                entries[index] = (entries + last).move()
            }
            count -= 1
            return
        }
    }

    private func grow(toAtLeast needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2, 4)
        let grown = UnsafeMutablePointer<Entry>.allocate(capacity: newCapacity)
        if let entries {
            grown.moveInitialize(from: entries, count: count)
            entries.deallocate()
        }
        entries = grown
        capacity = newCapacity
    }

    /// Makes room for `count` variables at once (the template's top level, set from the context).
    func reserve(_ count: Int) {
        if count > capacity { grow(toAtLeast: count) }
    }

    /// Forgets every variable, keeping the storage (a loop's next iteration).
    func reset() {
        guard let entries, count > 0 else { return }
        let old = count
        // The count first: a value's deinit never reaches this scope, but keep it consistent.
        count = 0
        bound = 0
        entries.deinitialize(count: old)
    }

    /// Whether this scope itself binds `id`.
    @inline(__always) func binds(_ id: Int) -> Bool {
        guard bound & Self.bit(id) != 0, let entries else { return false }
        for index in 0..<count where entries[index].id == id { return true }
        return false
    }

    /// This scope's own value of `id`, comparing ids in place (only the found value is copied).
    @inline(__always) private func local(_ id: Int) -> JinjaValue? {
        guard bound & Self.bit(id) != 0, let entries else { return nil }
        for index in 0..<count where entries[index].id == id { return entries[index].value }
        return nil
    }

    /// The value of `id` here or in the nearest enclosing scope that has it (a loop, not recursion).
    func lookup(_ id: Int) -> JinjaValue? {
        let bit = Self.bit(id)
        // Unretained (no reference counting per scope passed): the chain is held by `self`
        // for the whole walk.
        var current = Unmanaged.passUnretained(self)
        while true {
            let (found, next) = current._withUnsafeGuaranteedRef { scope -> (JinjaValue?, Unmanaged<_JinjaScope>?) in
                if scope.bound & bit != 0, let entries = scope.entries {
                    for index in 0..<scope.count where entries[index].id == id { return (entries[index].value, nil) }
                }
                return (nil, scope.up)
            }
            if let found { return found }
            guard let next else { return nil }
            current = next
        }
    }

    /// ``lookup(_:)``, undefined where no scope binds `id` (a name's read).
    @inline(__always)
    func value(_ id: Int) -> JinjaValue {
        lookup(id) ?? .undefined
    }
}
