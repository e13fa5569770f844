import Foundation
import Synchronization

/// Walks a parsed template and writes its text, tracking which message each part came from.
/// One per render.
final class _JinjaRenderer {
    enum Flow {
        case normal, breakLoop, continueLoop
    }

    /// The time `strftime_now` formats (set again when a recycled renderer starts a render).
    @exclusivity(unchecked) private(set) var now: Date
    /// The output as UTF-8 bytes: appending bytes is far cheaper than appending to a `String`.
    /// Offsets in `segments` and `generations` are UTF-8 offsets into it while the render runs
    /// (no per-piece scalar count), turned into scalar offsets once at the end.
    @exclusivity(unchecked) private var text = _ByteBuffer(firstCapacity: 4096)
    /// The buffers of the captures in progress (`captures[0 ..< captureDepth]`, innermost last);
    /// those above `captureDepth` are kept, emptied, for the next capture (a macro called in a
    /// loop reuses one buffer instead of growing a new one per call).
    @exclusivity(unchecked) private var captures: [_ByteBuffer] = []
    @exclusivity(unchecked) private var captureDepth = 0
    @exclusivity(unchecked) private var segments: [JinjaSegment] = []
    @exclusivity(unchecked) private var generations: [JinjaGenerationSpan] = []
    @exclusivity(unchecked) private var currentMessage: Int?
    @exclusivity(unchecked) var depth = 0
    /// Scopes that hold macros: a macro holds its defining scope, so the render clears these
    /// at its end to break the cycle.
    @exclusivity(unchecked) private var macroScopes: [_JinjaScope] = []
    /// The context's `messages` list as the template first sees it (kept alive so that its
    /// buffer's address identifies it: a loop over it takes each message's index from its position).
    @exclusivity(unchecked) private var messageList: [JinjaValue] = []
    /// The storage of each top-level message's dictionary (`nil` for one that is not a
    /// dictionary): any dictionary sharing message *i*'s storage is that message, wherever a
    /// template copied it to. Empty when two messages share one storage; those are tagged instead.
    @exclusivity(unchecked) private var messageStorages: [ObjectIdentifier?] = []
    /// `messageStorages` as a table, built the first time a linear search would be long.
    @exclusivity(unchecked) private var messageTable: [ObjectIdentifier: Int]?
    /// Where the last identity search found its message: loops mostly go forward.
    @exclusivity(unchecked) private var messageHint = 0
    /// The string operands `{% set x = a + b ~ c %}` collects before joining them, shared by nested expressions.
    @exclusivity(unchecked) private var pieces: [String] = []
    /// Empty scopes without a parent, ready for the next loop, macro call or `{% with %}`: a
    /// scope that ends with nothing holding it comes back here (no allocation per call).
    @exclusivity(unchecked) private var spareScopes = _JinjaSpareScopes()

    // The render's state is only touched by this renderer, on one thread, and never while
    // another access to the same property is in progress: the dynamic exclusivity checks
    // (a tenth of the render time) are turned off for it.

    /// Deepest macro recursion allowed before the render stops with an error (no stack overflow).
    static let maximumDepth = 200
    /// The largest string one operation may build (64 MiB): `"x" * 10**9` is an error, not 1 GB.
    static let maximumValueBytes = 1 << 26
    /// The longest list one operation may build.
    static let maximumListItems = 1 << 22
    /// Loop iterations one render may take: nested loops cannot run for minutes.
    static let maximumIterations = 10_000_000
    /// The most output one render may write (256 MiB).
    static let maximumOutputBytes = 1 << 28
    /// Loop iterations taken so far in this render.
    @exclusivity(unchecked) private var iterations = 0

    init(now: Date) {
        self.now = now
    }

    deinit {
        text.deallocate()
        for index in captures.indices { captures[index].deallocate() }
    }

    /// Renderers that finished a render, emptied, with the buffers they grew (the output, the
    /// captures, the concatenation stack, the message identities, spare scopes and loop
    /// objects): a render of a small template otherwise spends a tenth of its time making and
    /// freeing them. At most ``maximumPooled``, each holding at most ``maximumPooledBytes``.
    private static let pool = Mutex<_JinjaRendererPool>(_JinjaRendererPool())
    /// As many renderers as renders that run at once, on a machine of many cores.
    static let maximumPooled = 64
    /// A renderer whose buffers grew past this (a huge render) is freed, not kept.
    static let maximumPooledBytes = 1 << 20

    /// A renderer for a render at `now`: one an earlier render left, or a new one.
    static func make(now: Date) -> _JinjaRenderer {
        if let renderer = pool.withLock({ $0.renderers.popLast() }) {
            renderer.now = now
            return renderer
        }
        return _JinjaRenderer(now: now)
    }

    /// After a render that returned its rendering: empties the renderer's state (keeping its
    /// buffers' storage) and keeps it for the next render. A render that failed is not
    /// recycled (its renderer is freed).
    func recycle() {
        var bytes = text.capacity
        for index in captures.indices { bytes += captures[index].capacity }
        guard bytes <= Self.maximumPooledBytes, pieces.capacity <= 4096, messageStorages.capacity <= 65536 else { return }
        text.removeAll()
        for index in captures.indices { captures[index].removeAll() }
        captureDepth = 0
        segments = []
        generations = []
        currentMessage = nil
        depth = 0
        for scope in macroScopes { scope.reset() }
        macroScopes.removeAll()
        messageList = []
        messageStorages.removeAll(keepingCapacity: true)
        messageTable = nil
        messageHint = 0
        pieces.removeAll(keepingCapacity: true)
        iterations = 0
        Self.pool.withLock { pool in
            if pool.renderers.count < Self.maximumPooled { pool.renderers.append(self) }
        }
    }

    /// The global functions in a scope shared by every render: they hold no state, and no
    /// statement writes to this scope (`set` writes to the template's own top-level scope).
    nonisolated(unsafe) static let globals: _JinjaScope = {
        let scope = _JinjaScope(parent: nil)
        for (offset, name) in _JinjaNames.globals.enumerated() {
            scope.set(_JinjaNames.globalsStart + offset, JinjaValue.makeObject(.function(name)))
        }
        return scope
    }()

    /// Renders `program` with the variables of `context` in order (a repeated name: the last
    /// value wins, as a later keyword argument does).
    func render<Context: Collection>(_ program: _JinjaExec, names: _JinjaNameTable, context: Context) throws -> JinjaRendering
    where Context.Element == (key: String, value: JinjaValue) {
        var root = makeScope(parent: _JinjaRenderer.globals)
        root.reserve(context.count)
        var messagesID: Int?
        for (name, value) in context {
            // A variable the template never names cannot be read: it needs no slot.
            guard let id = names.id(of: name) else { continue }
            root.set(id, value)
            if name.utf8.count == 8 && name == "messages" { messagesID = id }
        }
        if let messagesID, case .list(let messages)? = root[messagesID] {
            root.set(messagesID, .list(trackMessages(messages)))
        }
        defer {
            for scope in macroScopes { scope.reset() }
            macroScopes.removeAll()
        }
        let flow = try program(self, root)
        // The cycles broken first (a top-level macro holds the root scope), so that the root
        // scope, held by nothing else now, is recycled.
        for scope in macroScopes { scope.reset() }
        macroScopes.removeAll()
        recycle(&root)
        if flow != .normal {
            throw _JinjaFailure(.syntax, "`{% break %}` or `{% continue %}` outside a loop")
        }
        return finish()
    }

    /// The rendering, its UTF-8 offsets turned into scalar offsets (the same numbers when the
    /// text is ASCII, as chat templates' output mostly is).
    private func finish() -> JinjaRendering {
        let scalarCount = text.withBytes { bytes in
            let continuations = _continuationBytes(bytes, 0..<bytes.count)
            guard continuations > 0 else { return bytes.count }
            // Every recorded offset is a piece's boundary: its scalar offset is the offset less
            // the continuation bytes before it. Segments, and generations, are in text order.
            var position = 0
            var seen = 0
            func scalar(_ offset: Int) -> Int {
                if offset < position {
                    position = 0
                    seen = 0
                }
                seen += _continuationBytes(bytes, position..<offset)
                position = offset
                return offset - seen
            }
            for index in segments.indices {
                let range = segments[index].range
                let lower = scalar(range.lowerBound)
                segments[index].range = lower..<scalar(range.upperBound)
            }
            for index in generations.indices {
                let range = generations[index].range
                let lower = scalar(range.lowerBound)
                generations[index].range = lower..<scalar(range.upperBound)
            }
            return bytes.count - continuations
        }
        return JinjaRendering(text: text.withBytes(_string), scalarCount: scalarCount, segments: segments, generations: generations)
    }

    /// Records the top-level messages so that ``messageIndex(of:)`` finds them by identity
    /// (no copy of any message); returns the list the template sees.
    private func trackMessages(_ messages: [JinjaValue]) -> [JinjaValue] {
        // Built in place: the array keeps the capacity an earlier render gave it.
        messageStorages.removeAll(keepingCapacity: true)
        messageStorages.reserveCapacity(messages.count)
        for index in messages.indices {
            if case .dict(let dict) = messages[index] { messageStorages.append(ObjectIdentifier(dict.storage)) } else { messageStorages.append(nil) }
        }
        if _hasRepeatedIdentity(messageStorages) {
            messageStorages.removeAll(keepingCapacity: true)
            // One dictionary value used for two messages: identity cannot tell them apart, so
            // each gets a tagged copy of its own.
            var tagged = messages
            for index in tagged.indices {
                if case .dict(var message) = tagged[index] {
                    message.messageIndex = index
                    tagged[index] = .dict(message)
                }
            }
            messageList = tagged
            return tagged
        }
        messageList = messages
        return messages
    }

    /// The index of the top-level message `dict` is, if it is one.
    private func messageIndex(of dict: JinjaDict) -> Int? {
        if let tagged = dict.messageIndex { return tagged }
        let count = messageStorages.count
        guard count > 0 else { return nil }
        let identity = ObjectIdentifier(dict.storage)
        if messageHint < count, messageStorages[messageHint] == identity { return messageHint }
        if messageHint + 1 < count, messageStorages[messageHint + 1] == identity {
            messageHint += 1
            return messageHint
        }
        if count <= 16 {
            for index in 0..<count where messageStorages[index] == identity {
                messageHint = index
                return index
            }
            return nil
        }
        if messageTable == nil {
            var table = [ObjectIdentifier: Int](minimumCapacity: count)
            for (index, storage) in messageStorages.enumerated() { if let storage { table[storage] = index } }
            messageTable = table
        }
        guard let index = messageTable?[identity] else { return nil }
        messageHint = index
        return index
    }

    /// Whether `items` is the context's `messages` list itself (same buffer), not a copy of part of it.
    private func isMessageList(_ items: [JinjaValue]) -> Bool {
        guard !items.isEmpty, items.count == messageList.count else { return false }
        let a = items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        let b = messageList.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        return a == b
    }

    // MARK: - Scopes

    /// A new empty scope inside `parent`: a recycled one when there is one.
    @inline(__always) func makeScope(parent: _JinjaScope) -> _JinjaScope {
        if let scope = spareScopes.scopes.popLast() {
            scope.rebind(parent: parent)
            return scope
        }
        return _JinjaScope(parent: parent)
    }

    /// A `loop` object for a loop over `items` (a recycled one when there is one) and its state.
    @inline(__always) private func makeLoop(_ items: [JinjaValue]) -> (JinjaObject, _JinjaLoop) {
        if let (object, state) = spareScopes.loops.popLast() {
            state.items = items
            state.index0 = 0
            return (object, state)
        }
        let state = _JinjaLoop(items: items, index0: 0)
        return (JinjaObject(.loop(state)), state)
    }

    /// Takes back a loop's object when nothing else (a `{% set %}` that kept `loop`, a macro's
    /// scope) holds it.
    @inline(__always) private func recycleLoop(_ object: inout JinjaObject, _ state: inout _JinjaLoop) {
        guard spareScopes.loops.count < _JinjaSpareScopes.maximumKept, isKnownUniquelyReferenced(&object) else { return }
        // The object's kind holds the state: the state is the object's alone when it has two holders.
        guard case .loop(let held) = object.kind, held === state else { return }
        state.items = []
        object.lastChanged = nil
        spareScopes.loops.append((object, state))
    }

    /// Takes back a scope whose work is done, emptied, unless something (a macro defined in it)
    /// still holds it.
    @inline(__always) func recycle(_ scope: inout _JinjaScope) {
        guard isKnownUniquelyReferenced(&scope), spareScopes.scopes.count < _JinjaSpareScopes.maximumKept else { return }
        scope.reset()
        scope.rebind(parent: nil)
        spareScopes.scopes.append(scope)
    }

    // MARK: - Output

    func write(_ piece: String) {
        if captureDepth > 0 {
            captures[captureDepth - 1].append(piece)
            return
        }
        guard !piece.isEmpty else { return }
        if text.count == 0 { segments.reserveCapacity(16) }
        let start = text.count
        text.append(piece)
        let end = text.count
        if let last = segments.last, last.messageIndex == currentMessage {
            segments[segments.count - 1].range = last.range.lowerBound..<end
        } else {
            segments.append(JinjaSegment(range: start..<end, messageIndex: currentMessage))
        }
    }

    /// Runs a compiled body with its output captured instead of written; returns that output.
    func capture(_ body: _JinjaExec, _ scope: _JinjaScope) throws -> String {
        if captureDepth == captures.count {
            captures.append(_ByteBuffer())
        } else {
            captures[captureDepth].removeAll()
        }
        captureDepth += 1
        defer { captureDepth -= 1 }
        _ = try body(self, scope)
        return captures[captureDepth - 1].withBytes(_string)
    }

    // MARK: - Statements (called by the closures of _JinjaCompiler)

    /// Writes what `{{ value }}` shows: a string as it is, undefined as nothing, anything else as Python's `str()`.
    func writeValue(_ value: JinjaValue) {
        switch value {
        case .string(let piece): write(piece)
        case .undefined: break
        default: write(value.pythonString)
        }
    }

    /// `{% macro %}`: binds the macro in `scope`, which the render clears at its end (a macro holds its defining scope).
    func defineMacro(_ macro: _JinjaMacro, id: Int, in scope: _JinjaScope) {
        macroScopes.append(scope)
        scope.set(id, .makeObject(.macro(macro)))
    }

    /// `{% call(params) callee(args) %}body{% endcall %}`: calls the macro with the body as its `caller`.
    func executeCallBlock(
        _ call: _JinjaExpr, parameters: [_JinjaParameter], reads: _JinjaMacroReads, body: @escaping _JinjaExec, _ scope: _JinjaScope
    ) throws {
        guard case .call(let callee, let arguments) = call.kind else {
            throw _JinjaFailure(.syntax, "`{% call %}` expects a macro call such as `{% call name() %}`", line: call.line)
        }
        let function = try eval(callee, scope)
        // jinja2 passes the block as a `caller` keyword argument, which only a macro takes:
        // anything else is an error there, never a silent render.
        guard case .object(let object) = function, case .macro = object.kind else {
            if case .undefined = function { throw undefinedFailure(callee) }
            throw _JinjaFailure(
                .type, function.isCallable
                    ? "`{% call %}` needs a macro, but '\(_JinjaRenderer.describe(callee))' is \(function.pythonString), which takes no 'caller' argument"
                    : "'\(function.typeName)' object is not callable", line: call.line)
        }
        let caller = JinjaValue.makeObject(.macro(_JinjaMacro(
            name: "caller", parameters: parameters, body: body, closure: scope, reads: reads, isCallBlock: true)))
        let (positional, keyword) = try evalArguments(arguments, scope)
        let result = try callValue(function, positional, keyword, caller: caller, line: call.line)
        write(result.pythonString)
    }

    /// `{% generation %}`: the block's text, recorded as transformers records it, then written.
    func executeGeneration(_ body: _JinjaExec, _ scope: _JinjaScope) throws {
        let generated = try capture(body, scope)
        let start = text.count
        generations.append(JinjaGenerationSpan(range: start..<(start + generated.utf8.count), messageIndex: currentMessage))
        write(generated)
    }

    /// Writes `{{ a + b ~ c }}` piece by piece when every operand is a string, without building
    /// the intermediate strings. Returns `false` (having written nothing) when an operand is not a
    /// string; the caller then evaluates the expression whole (operands have no side effects).
    func writeConcatenation(_ operands: [_JinjaEvalBox], _ scope: _JinjaScope) throws -> Bool {
        // Each string is written as soon as it is evaluated (no copy held for later); the output
        // is taken back to where it was if an operand is not a string, or fails. Evaluating an
        // operand writes nothing here: a macro it calls writes into a capture of its own.
        let mark = outputMark()
        do {
            for index in operands.indices {
                guard case .string(let piece) = try operands[index].run(self, scope) else {
                    rewind(to: mark)
                    return false
                }
                write(piece)
            }
        } catch {
            rewind(to: mark)
            throw error
        }
        return true
    }

    /// Where the output (the innermost capture, or the text and its segments) ends now.
    private struct OutputMark {
        var count: Int
        var segmentCount: Int
        var lastSegment: JinjaSegment?
    }

    private func outputMark() -> OutputMark {
        if captureDepth > 0 { return OutputMark(count: captures[captureDepth - 1].count, segmentCount: 0, lastSegment: nil) }
        return OutputMark(count: text.count, segmentCount: segments.count, lastSegment: segments.last)
    }

    /// Takes back what was written since `mark` (in the same capture).
    private func rewind(to mark: OutputMark) {
        if captureDepth > 0 {
            captures[captureDepth - 1].truncate(to: mark.count)
            return
        }
        text.truncate(to: mark.count)
        while segments.count > mark.segmentCount { segments.removeLast() }
        if let last = mark.lastSegment, mark.segmentCount > 0 { segments[mark.segmentCount - 1] = last }
    }

    /// Evaluates `a + b ~ c ...` left to right as the nested operators do, each operator's checks
    /// and errors as its own, but joins a run of string operands once (one allocation) instead of
    /// building every intermediate string.
    func evaluateConcatenation(_ chain: _JinjaConcatenationChain, _ scope: _JinjaScope) throws -> JinjaValue {
        let start = pieces.count
        if start == 0 && pieces.capacity == 0 { pieces.reserveCapacity(16) }
        defer { while pieces.count > start { pieces.removeLast() } }
        // The value so far: the strings on `pieces` above `start` (`total` bytes) while `joined`
        // is false, else `value`.
        var value = try chain.first(self, scope)
        var total = 0
        var inPieces = false
        if case .string(let text) = value {
            pieces.append(text)
            total = text.utf8.count
            inPieces = true
        }
        // Each level read in place (`chain.levels[index].x`): a copy of the level would retain
        // its closure and expressions.
        for index in chain.levels.indices {
            let rhs = try chain.levels[index].right(self, scope)
            if inPieces, case .string(let text) = rhs {
                let count = text.utf8.count
                try _checkSum(total, count, limit: Self.maximumValueBytes, unit: "bytes", op: chain.levels[index].op == .add ? "+" : "~", line: chain.levels[index].line)
                pieces.append(text)
                total += count
                continue
            }
            if inPieces {
                value = .string(joinPieces(from: start, total: total))
                while pieces.count > start { pieces.removeLast() }
                inPieces = false
            }
            if chain.levels[index].op == .concat {
                value = try Self.concatenate(value.pythonString, rhs.pythonString, op: "~", line: chain.levels[index].line)
            } else {
                if case .undefined = value { throw undefinedFailure(chain.levels[index].leftExpr) }
                if case .undefined = rhs { throw undefinedFailure(chain.levels[index].rightExpr) }
                value = try Self.binary(.add, value, rhs, line: chain.levels[index].line)
            }
            if case .string(let text) = value {
                pieces.append(text)
                total = text.utf8.count
                inPieces = true
            }
        }
        return inPieces ? .string(joinPieces(from: start, total: total)) : value
    }

    /// The strings on `pieces` from `start` joined (`total` UTF-8 bytes), copied once.
    private func joinPieces(from start: Int, total: Int) -> String {
        if pieces.count - start == 1 { return pieces[start] }
        return String(unsafeUninitializedCapacity: total) { target in
            var offset = 0
            for index in start..<pieces.count {
                var piece = pieces[index]
                piece.withUTF8 { source in
                    _ = UnsafeMutableBufferPointer(rebasing: target[offset...]).initialize(fromContentsOf: source)
                    offset += source.count
                }
            }
            return offset
        }
    }

    func executeFor(_ compiled: _JinjaCompiledLoop, _ scope: _JinjaScope) throws -> Flow {
        let iterable = compiled.iterableExpr
        var items = try iterate(try compiled.iterable(self, scope), what: iterable)
        if let condition = compiled.condition {
            var loopScope = makeScope(parent: scope)
            var kept: [JinjaValue] = []
            for item in items {
                try assign(compiled.target, item, loopScope, line: iterable.line)
                if try condition(self, loopScope).isTruthy { kept.append(item) }
            }
            items = kept
            recycle(&loopScope)
        }
        if items.isEmpty {
            return try compiled.otherwise(self, scope)
        }
        let body = compiled.body
        var (loop, state) = makeLoop(items)
        defer { recycleLoop(&loop, &state) }
        let overMessages = isMessageList(items)
        let savedMessage = currentMessage
        defer { currentMessage = savedMessage }
        var iterationScope = makeScope(parent: scope)
        defer { recycle(&iterationScope) }
        for (index, item) in items.enumerated() {
            iterations += 1
            if iterations > Self.maximumIterations || text.count > Self.maximumOutputBytes {
                throw _JinjaFailure(
                    .security, iterations > Self.maximumIterations
                        ? "the template took more than \(Self.maximumIterations) loop iterations; a chat template renders in far fewer"
                        : "the template wrote more than \(Self.maximumOutputBytes) bytes; a chat template renders far less",
                    line: iterable.line)
            }
            // jinja2 gives every iteration fresh locals: a name set in the body is read from
            // the enclosing scope again at the start of the next iteration. The scope is reused
            // unless something (a macro defined in the body) still holds it.
            if index > 0 {
                if isKnownUniquelyReferenced(&iterationScope) {
                    iterationScope.reset()
                } else {
                    iterationScope = makeScope(parent: scope)
                }
            }
            state.index0 = index
            try assign(compiled.target, item, iterationScope, line: iterable.line)
            iterationScope.set(_JinjaNames.loop, .object(loop))
            if case .dict(let dict) = item, let message = overMessages ? index : messageIndex(of: dict) {
                currentMessage = message
            } else {
                currentMessage = savedMessage
            }
            if try body(self, iterationScope) == .breakLoop { break }
        }
        return .normal
    }

    func assign(_ target: _JinjaTarget, _ value: JinjaValue, _ scope: _JinjaScope, line: Int) throws {
        switch target {
        case .name(_, let id):
            scope.set(id, value)
        case .tuple(let targets):
            let items = try iterate(value, what: nil)
            guard items.count == targets.count else {
                throw _JinjaFailure(
                    .type, items.count > targets.count
                        ? "too many values to unpack (expected \(targets.count))"
                        : "not enough values to unpack (expected \(targets.count), got \(items.count))", line: line)
            }
            for (inner, item) in zip(targets, items) { try assign(inner, item, scope, line: line) }
        case .attribute(let name, let id, let attribute):
            guard case .object(let object) = scope.lookup(id) ?? .undefined, case .namespace(var members) = object.kind else {
                throw _JinjaFailure(.type, "cannot assign attribute on non-namespace object '\(name)'", line: line)
            }
            if attribute.utf8.first == UInt8(ascii: "_") {
                throw _JinjaFailure(
                    .security, "chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(attribute)'", line: line)
            }
            // The object lets go of its members while they change, so that the dictionary's
            // storage is unique and an existing attribute is overwritten in place.
            object.kind = .function("")
            members[attribute] = value
            object.kind = .namespace(members)
        }
    }

    /// The elements a `for` loop visits: list items, dict keys, string characters; undefined is empty.
    func iterate(_ value: JinjaValue, what: _JinjaExpr?) throws -> [JinjaValue] {
        switch value {
        case .list(let items): return items
        case .dict(let dict): return dict.keys.map(JinjaDict.keyValue)
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        case .object(let object):
            if case .tuple(let items) = object.kind { return items }
            fallthrough
        default:
            throw _JinjaFailure(.type, "'\(value.typeName)' object is not iterable", line: what?.line)
        }
    }

    // MARK: - Expressions

    func eval(_ expr: _JinjaExpr, _ scope: _JinjaScope) throws -> JinjaValue {
        switch expr.kind {
        case .literal(let value):
            return value
        case .name(_, let id):
            return scope.value(id)
        case .list(let items), .tuple(let items):
            var values: [JinjaValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try eval(item, scope)) }
            if case .tuple = expr.kind { return .makeObject(.tuple(values)) }
            return .list(values)
        case .dict(let pairs):
            // String keys (the common case) are collected and stored once; another key switches to
            // Python's key rules, member by member.
            var members: [(String, JinjaValue)] = []
            members.reserveCapacity(pairs.count)
            var dict: JinjaDict?
            for (keyExpr, valueExpr) in pairs {
                let key = try eval(keyExpr, scope)
                if dict == nil, case .string(let name) = key {
                    members.append((name, try eval(valueExpr, scope)))
                    continue
                }
                if dict == nil { dict = JinjaDict(members) }
                try dict?.setValue(try eval(valueExpr, scope), forKey: key, line: keyExpr.line)
            }
            return .dict(dict ?? JinjaDict(members))
        case .attribute(let base, let name):
            let object = try eval(base, scope)
            if case .undefined = object { throw undefinedFailure(base) }
            if let failure = object.unsafeUseFailure(line: expr.line) { throw failure }
            if let unsafe = Self.unsafeAttribute(object, name) { return unsafe }
            return attribute(of: object, name)
        case .item(let base, let keyExpr):
            let object = try eval(base, scope)
            if case .undefined = object { throw undefinedFailure(base) }
            // `message['role']`, the most common read: a literal key found in a dictionary.
            if case .dict(let dict) = object, case .literal(.string(let name)) = keyExpr.kind, let value = dict[name] { return value }
            return try item(of: object, try eval(keyExpr, scope), line: expr.line)
        case .slice(let base, let start, let stop, let step):
            let object = try eval(base, scope)
            if case .undefined = object { throw undefinedFailure(base) }
            let startValue = try start.map { try eval($0, scope) } ?? JinjaValue.none
            let stopValue = try stop.map { try eval($0, scope) } ?? JinjaValue.none
            let stepValue = try step.map { try eval($0, scope) } ?? JinjaValue.none
            return try slice(object, startValue, stopValue, stepValue, line: expr.line)
        case .call(let callee, let arguments):
            if case .attribute(let base, let name) = callee.kind {
                let receiver = try eval(base, scope)
                if case .undefined = receiver { throw undefinedFailure(base) }
                if _JinjaRenderer.hasMethod(receiver, name) {
                    let (positional, keyword) = try evalArguments(arguments, scope)
                    return try callMethod(receiver, name, positional, keyword, line: expr.line)
                }
                let function = attribute(of: receiver, name)
                if case .undefined = function { throw undefinedFailure(callee) }
                let (positional, keyword) = try evalArguments(arguments, scope)
                return try callValue(function, positional, keyword, caller: nil, line: expr.line)
            }
            let function = try eval(callee, scope)
            if case .undefined = function { throw undefinedFailure(callee) }
            let (positional, keyword) = try evalArguments(arguments, scope)
            return try callValue(function, positional, keyword, caller: nil, line: expr.line)
        case .filter(let base, let name, let arguments):
            return try applyFilter(name, try eval(base, scope), arguments, scope, line: expr.line)
        case .test(let base, let name, let arguments, let negated):
            let value = try eval(base, scope)
            let (positional, keyword) = try evalArguments(arguments, scope)
            let result = try applyTest(name, value, positional, keyword, line: expr.line)
            return .bool(negated ? !result : result)
        case .negate(let operand):
            let value = try eval(operand, scope)
            switch value {
            case .int(let number):
                guard number != .min else { throw _JinjaFailure(.unsupported, "integers beyond 64 bits", line: expr.line) }
                return .int(-number)
            case .float(let number): return .float(-number)
            case .bool(let flag): return .int(flag ? -1 : 0)
            case .undefined: throw undefinedFailure(operand)
            default: throw _JinjaFailure(.type, "bad operand type for unary -: '\(value.typeName)'", line: expr.line)
            }
        case .plus(let operand):
            let value = try eval(operand, scope)
            switch value {
            case .int, .float: return value
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .undefined: throw undefinedFailure(operand)
            default: throw _JinjaFailure(.type, "bad operand type for unary +: '\(value.typeName)'", line: expr.line)
            }
        case .not(let operand):
            return .bool(!(try eval(operand, scope).isTruthy))
        case .and(let left, let right):
            let value = try eval(left, scope)
            return value.isTruthy ? try eval(right, scope) : value
        case .or(let left, let right):
            let value = try eval(left, scope)
            return value.isTruthy ? value : try eval(right, scope)
        case .binary(let op, let left, let right):
            let lhs = try eval(left, scope)
            let rhs = try eval(right, scope)
            if op == .concat { return try _JinjaRenderer.concatenate(lhs.pythonString, rhs.pythonString, op: "~", line: expr.line) }
            if case .undefined = lhs { throw undefinedFailure(left) }
            if case .undefined = rhs { throw undefinedFailure(right) }
            return try _JinjaRenderer.binary(op, lhs, rhs, line: expr.line)
        case .compare(let first, let operations):
            if operations.count == 1 {
                // `a == b`, the usual comparison: no chain to carry.
                let lhs = try eval(first, scope)
                let rhs = try eval(operations[0].1, scope)
                return .bool(try _JinjaRenderer.compare(operations[0].0, lhs, rhs, line: expr.line))
            }
            var lhs = try eval(first, scope)
            for (op, rightExpr) in operations {
                let rhs = try eval(rightExpr, scope)
                guard try _JinjaRenderer.compare(op, lhs, rhs, line: expr.line) else { return .bool(false) }
                lhs = rhs
            }
            return .bool(true)
        case .conditional(let test, let then, let otherwise):
            if try eval(test, scope).isTruthy { return try eval(then, scope) }
            return try otherwise.map { try eval($0, scope) } ?? .undefined
        }
    }

    func evalArguments(_ arguments: _JinjaArguments, _ scope: _JinjaScope) throws -> ([JinjaValue], [(String, JinjaValue)]) {
        var positional: [JinjaValue] = []
        positional.reserveCapacity(arguments.positional.count)
        for argument in arguments.positional { positional.append(try eval(argument, scope)) }
        var keyword: [(String, JinjaValue)] = []
        for (name, argument) in arguments.keyword { keyword.append((name, try eval(argument, scope))) }
        if arguments.splat != nil || arguments.keywordSplat != nil {
            try appendSplats(
                try arguments.splat.map { ($0, try eval($0, scope)) }, try arguments.keywordSplat.map { ($0, try eval($0, scope)) },
                to: &positional, &keyword)
        }
        return (positional, keyword)
    }

    func undefinedFailure(_ expr: _JinjaExpr) -> _JinjaFailure {
        _JinjaFailure(.undefined, "'\(_JinjaRenderer.describe(expr))' is undefined", line: expr.line)
    }

    static func describe(_ expr: _JinjaExpr) -> String {
        switch expr.kind {
        case .name(let name, _): name
        case .attribute(let base, let name): describe(base) + "." + name
        case .item(let base, let key):
            if case .literal(let value) = key.kind { describe(base) + "[" + value.pythonRepr + "]" } else { describe(base) + "[...]" }
        case .call(let callee, _): describe(callee) + "(...)"
        case .filter(let base, let name, _): describe(base) + "|" + name
        case .literal(let value): value.pythonRepr
        default: "expression"
        }
    }

    // MARK: - Attributes, items, slices

    /// jinja2's `getattr`: a Python attribute (a method) first, then an item.
    func attribute(of object: JinjaValue, _ name: String) -> JinjaValue {
        switch object {
        case .dict(let dict):
            if _JinjaRenderer.isDictMethod(name) { return .makeObject(.method(object, name)) }
            return dict[name] ?? .undefined
        case .string:
            return _JinjaRenderer.isStringMethod(name) ? .makeObject(.method(object, name)) : .undefined
        case .list:
            return _JinjaRenderer.isListMethod(name) ? .makeObject(.method(object, name)) : .undefined
        case .object(let handle):
            switch handle.kind {
            case .namespace(let members): return members[name] ?? .undefined
            case .macro(let macro): return macro.attribute(name)
            // transformers' `dict` global (TemplateDict) has `fromkeys`.
            case .function(let function) where function == "dict" && name == "fromkeys": return .makeObject(.method(object, name))
            case .loop(let loop): return loopAttribute(loop, name, handle)
            case .cycler(let items, let position):
                if name == "current" { return items.isEmpty ? .undefined : items[position] }
                return name == "next" || name == "reset" ? .makeObject(.method(object, name)) : .undefined
            default: return .undefined
            }
        default:
            return .undefined
        }
    }

    /// The Python attributes every value has whose names start with `_` (`__class__`, `__init__`, ...),
    /// and those of lists, strings and dictionaries (`__len__`, `__getitem__`, ...): jinja2's
    /// sandbox finds them and refuses them (`is_safe_attribute`), where a name Python does not
    /// have falls back to an item.
    static let unsafeAttributes: Set<String> = [
        "__class__", "__delattr__", "__dir__", "__doc__", "__eq__", "__format__", "__ge__", "__getattribute__",
        "__getstate__", "__gt__", "__hash__", "__init__", "__init_subclass__", "__le__", "__lt__", "__ne__", "__new__",
        "__reduce__", "__reduce_ex__", "__repr__", "__setattr__", "__sizeof__", "__str__", "__subclasshook__",
        "__len__", "__getitem__", "__iter__", "__contains__", "__add__", "__mul__", "__rmul__", "__mod__", "__rmod__",
        "__class_getitem__", "__reversed__", "__setitem__", "__delitem__", "__iadd__", "__imul__", "__or__", "__ror__",
        "__ior__", "__bool__", "__int__", "__float__", "__abs__", "__neg__", "__pos__", "__call__", "__self__",
        "__func__", "__globals__", "__code__", "__closure__", "__dict__", "__module__", "__name__", "__qualname__",
        "__builtins__", "__mro__", "__bases__", "__base__", "__subclasses__", "__getnewargs__",
    ]

    /// jinja2's sandbox's value for an underscore attribute Python has (``unsafeAttributes``) of a
    /// defined value: an undefined that raises `SecurityError` when used (see
    /// ``_JinjaObjectKind/unsafeUndefined(_:)``); `nil` for another name or an undefined object.
    static func unsafeAttribute(_ object: JinjaValue, _ name: String) -> JinjaValue? {
        guard name.utf8.first == UInt8(ascii: "_"), unsafeAttributes.contains(name) else { return nil }
        if case .undefined = object { return nil }
        return .makeObject(.unsafeUndefined("access to attribute '\(name)' of '\(object.typeName)' object is unsafe (chat templates run in a sandbox)"))
    }

    private func loopAttribute(_ loop: _JinjaLoop, _ name: String, _ handle: JinjaObject) -> JinjaValue {
        _JinjaLoopField(name)?.value(loop, handle) ?? .undefined
    }

    /// jinja2's `getitem`: an item first, then a Python attribute.
    func item(of object: JinjaValue, _ key: JinjaValue, line: Int) throws -> JinjaValue {
        switch (object, key) {
        case (.dict(let dict), .string(let name)):
            if let value = dict[name] { return value }
            if let unsafe = Self.unsafeAttribute(object, name) { return unsafe }
            return attribute(of: object, name)
        case (.dict(let dict), _):
            // A key other than a string (`budgets[512]`).
            return dict.value(forKey: key) ?? .undefined
        case (.list(let items), _):
            guard let index = key.integerIndex else {
                if case .string(let name) = key {
                    if let unsafe = Self.unsafeAttribute(object, name) { return unsafe }
                    return attribute(of: object, name)
                }
                return .undefined
            }
            let resolved = index < 0 ? index + items.count : index
            return items.indices.contains(resolved) ? items[resolved] : .undefined
        case (.string(let text), _):
            guard let index = key.integerIndex else {
                if case .string(let name) = key {
                    if let unsafe = Self.unsafeAttribute(object, name) { return unsafe }
                    return attribute(of: object, name)
                }
                return .undefined
            }
            let scalars = text.unicodeScalars
            let count = scalars.count
            let resolved = index < 0 ? index + count : index
            guard resolved >= 0 && resolved < count else { return .undefined }
            return .string(String(scalars[scalars.index(scalars.startIndex, offsetBy: resolved)]))
        case (_, .string(let name)):
            if let items = object.tupleItems { return try item(of: .list(items), key, line: line) }
            if let failure = object.unsafeUseFailure(line: line) { throw failure }
            if let unsafe = Self.unsafeAttribute(object, name) { return unsafe }
            return attribute(of: object, name)
        default:
            if let items = object.tupleItems { return try item(of: .list(items), key, line: line) }
            if let failure = object.unsafeUseFailure(line: line) { throw failure }
            return .undefined
        }
    }

    func slice(_ object: JinjaValue, _ start: JinjaValue, _ stop: JinjaValue, _ step: JinjaValue, line: Int) throws -> JinjaValue {
        func bound(_ value: JinjaValue) throws -> Int? {
            switch value {
            case .none: return nil
            default:
                guard let number = value.integerIndex else {
                    throw _JinjaFailure(.type, "slice indices must be integers or None", line: line)
                }
                return number
            }
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw _JinjaFailure(.type, "slice step cannot be zero", line: line) }
        switch object {
        case .list(let items):
            let indices = _pythonSliceIndices(count: items.count, start: try bound(start), stop: try bound(stop), step: stepValue)
            return .list(indices.map { items[$0] })
        case .string(let text):
            let lower = try bound(start)
            let upper = try bound(stop)
            if stepValue == 1 { return .string(_sliceScalars(text, lower, upper)) }
            let scalars = Array(text.unicodeScalars)
            let indices = _pythonSliceIndices(count: scalars.count, start: lower, stop: upper, step: stepValue)
            var out = ""
            out.unicodeScalars.append(contentsOf: indices.map { scalars[$0] })
            return .string(out)
        default:
            // A tuple's slice is a tuple (`varargs[1:]`).
            if let items = object.tupleItems, case .list(let sliced) = try slice(.list(items), start, stop, step, line: line) {
                return .makeObject(.tuple(sliced))
            }
            return .undefined
        }
    }
}

extension JinjaValue {
    /// An int (or bool) usable as an index.
    var integerIndex: Int? {
        switch self {
        case .int(let number): number
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }
}

/// `text[start:stop]` (step 1) as Python slices a `str` by code point, cut from the UTF-8 bytes
/// directly: the scalar bounds found by counting lead bytes, no array of scalars.
func _sliceScalars(_ text: String, _ start: Int?, _ stop: Int?) -> String {
    var text = text
    return text.withUTF8 { bytes -> String in
        let count = _scalarCount(bytes)
        let (lower, upper) = _pythonSliceBounds(count: count, start: start, stop: stop)
        guard lower < upper else { return "" }
        if count == bytes.count {
            // ASCII: scalar offsets are byte offsets.
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self)
        }
        // The byte offset of scalar `lower` and of scalar `upper`: a scalar starts at every byte
        // that is not a continuation byte.
        var scalar = 0
        var lowerByte = bytes.count
        var upperByte = bytes.count
        for index in 0..<bytes.count where bytes[index] & 0xC0 != 0x80 {
            if scalar == lower { lowerByte = index }
            if scalar == upper {
                upperByte = index
                break
            }
            scalar += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[lowerByte..<upperByte]), as: UTF8.self)
    }
}

/// Python's bounds of `seq[start:stop]` for a positive step: a negative index counts from the
/// end, and both are clamped to `0...count`.
@inline(__always)
func _pythonSliceBounds(count: Int, start: Int?, stop: Int?) -> (lower: Int, upper: Int) {
    var lower = start ?? 0
    var upper = stop ?? count
    if lower < 0 { lower = max(0, lower + count) }
    if upper < 0 { upper = max(0, upper + count) }
    return (min(lower, count), min(upper, count))
}

/// The indices Python's `seq[start:stop:step]` visits.
func _pythonSliceIndices(count: Int, start: Int?, stop: Int?, step: Int) -> [Int] {
    var indices: [Int] = []
    if step > 0 {
        let (lower, upper) = _pythonSliceBounds(count: count, start: start, stop: stop)
        var index = lower
        while index < upper {
            indices.append(index)
            // A step past the end (`[1::2**63-1]`) stops the walk instead of overflowing.
            let (next, overflow) = index.addingReportingOverflow(step)
            if overflow { break }
            index = next
        }
    } else {
        var lower = start ?? (count - 1)
        var upper = stop ?? -count - 1
        if lower < 0 { lower += count }
        lower = min(lower, count - 1)
        if let stop, stop < 0 { upper = max(-1, stop + count) } else if stop == nil { upper = -1 } else { upper = min(upper, count - 1) }
        var index = lower
        while index > upper && index >= 0 {
            indices.append(index)
            let (next, overflow) = index.addingReportingOverflow(step)
            if overflow { break }
            index = next
        }
    }
    return indices
}

/// The number of Unicode scalars in `text` (Python's `len`), counted from its UTF-8 bytes.
func _scalarCount(_ text: String) -> Int {
    var copy = text
    return copy.withUTF8(_scalarCount)
}

/// The number of Unicode scalars in UTF-8 `bytes`.
func _scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    bytes.count - _continuationBytes(bytes, 0..<bytes.count)
}

/// The number of UTF-8 continuation bytes (`10xxxxxx`) in `bytes[range]`, eight bytes at a time.
func _continuationBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
    guard let base = bytes.baseAddress, !range.isEmpty else { return 0 }
    let raw = UnsafeRawPointer(base)
    var count = 0
    var index = range.lowerBound
    let high: UInt64 = 0x8080_8080_8080_8080
    // Chat output is mostly ASCII: 32 bytes at a time, counted only when one has its top bit set.
    while index + 32 <= range.upperBound {
        let a = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let b = raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
        let c = raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
        let d = raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
        if (a | b | c | d) & high != 0 {
            count += (a & ~(a << 1) & high).nonzeroBitCount + (b & ~(b << 1) & high).nonzeroBitCount
            count += (c & ~(c << 1) & high).nonzeroBitCount + (d & ~(d << 1) & high).nonzeroBitCount
        }
        index += 32
    }
    while index + 8 <= range.upperBound {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        // A byte's top bit set and the next bit clear.
        count += (word & ~(word << 1) & high).nonzeroBitCount
        index += 8
    }
    while index < range.upperBound {
        if base[index] & 0xC0 == 0x80 { count += 1 }
        index += 1
    }
    return count
}

/// The string of UTF-8 `bytes` (invalid sequences repaired, as `String(decoding:as:)` does).
/// Copying into a new string's storage avoids the generic decoding path's runtime type lookups,
/// which cost more than the copy for a chat template's output.
func _string(_ bytes: [UInt8]) -> String {
    if bytes.isEmpty { return "" }
    let string = bytes.withUnsafeBufferPointer { source in
        String(unsafeUninitializedCapacity: source.count) { target in
            _ = target.initialize(fromContentsOf: source)
            return source.count
        }
    }
    return string
}

/// Renderers kept for reuse (see ``_JinjaRenderer/make(now:)``).
///
/// Sendable: a pooled renderer is empty and unused, and passes between threads only through
/// the pool's lock.
struct _JinjaRendererPool: @unchecked Sendable {
    var renderers: [_JinjaRenderer] = []
}

/// Empty scopes without a parent kept for reuse (see ``_JinjaRenderer/makeScope(parent:)``).
///
/// Sendable: an empty scope without a parent holds no value, and passes between renderers
/// only through the renderer pool's lock.
struct _JinjaSpareScopes: @unchecked Sendable {
    var scopes: [_JinjaScope] = []
    /// Loop objects (with their states, emptied) for the next loops.
    var loops: [(JinjaObject, _JinjaLoop)] = []
    /// At most this many are kept (a deeper recursion's scopes are freed).
    static let maximumKept = 32
}

/// A render's output: UTF-8 bytes in a buffer it grows itself (appending a piece is one
/// `memcpy`, without an array's generic append path), freed by its renderer.
///
/// Sendable: a buffer is only touched by the renderer holding it, and passes between
/// renderers only through the renderer pool's lock.
struct _ByteBuffer: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>?
    private(set) var count = 0
    private(set) var capacity = 0
    /// The size of the first allocation.
    private let firstCapacity: Int

    init(firstCapacity: Int = 256) {
        self.firstCapacity = firstCapacity
    }

    /// Appends `piece`'s UTF-8 bytes.
    @inline(__always) mutating func append(_ piece: String) {
        var piece = piece
        piece.withUTF8 { source in
            guard let from = source.baseAddress, !source.isEmpty else { return }
            if count + source.count > capacity { grow(toAtLeast: count + source.count) }
            guard let base else { return }
            (base + count).update(from: from, count: source.count)
            count += source.count
        }
    }

    /// Appends one byte.
    @inline(__always) mutating func append(byte: UInt8) {
        if count == capacity { grow(toAtLeast: count + 1) }
        guard let base else { return }
        base[count] = byte
        count += 1
    }

    /// Appends `bytes`.
    @inline(__always) mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(toAtLeast: count + bytes.count) }
        guard let base else { return }
        (base + count).update(from: from, count: bytes.count)
        count += bytes.count
    }

    private mutating func grow(toAtLeast needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2, firstCapacity)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if let base {
            grown.update(from: base, count: count)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }

    /// Calls `body` with the bytes written so far.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Forgets the bytes, keeping the storage.
    mutating func removeAll() {
        count = 0
    }

    /// Forgets the bytes after the first `newCount`.
    mutating func truncate(to newCount: Int) {
        count = Swift.min(count, Swift.max(0, newCount))
    }

    /// Frees the buffer (the renderer's `deinit`).
    mutating func deallocate() {
        base?.deallocate()
        base = nil
        count = 0
        capacity = 0
    }
}

/// The string of UTF-8 `bytes` (invalid sequences repaired, as `String(decoding:as:)` does).
func _string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    if bytes.isEmpty { return "" }
    return String(unsafeUninitializedCapacity: bytes.count) { target in
        _ = target.initialize(fromContentsOf: bytes)
        return bytes.count
    }
}

/// Appends `piece`'s UTF-8 bytes to `bytes` with one copy of its contiguous storage.
@inline(__always)
func _append(_ piece: String, to bytes: inout [UInt8]) {
    var piece = piece
    piece.withUTF8 { bytes.append(contentsOf: $0) }
}

/// Whether two of `identities` (ignoring `nil`) are the same.
func _hasRepeatedIdentity(_ identities: [ObjectIdentifier?]) -> Bool {
    if identities.count <= 16 {
        for i in identities.indices {
            guard let a = identities[i] else { continue }
            for j in (i + 1)..<identities.count where identities[j] == a { return true }
        }
        return false
    }
    var seen = Set<ObjectIdentifier>(minimumCapacity: identities.count)
    for case let identity? in identities where !seen.insert(identity).inserted { return true }
    return false
}
