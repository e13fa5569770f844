import Collate

/// Converts JSON into the interpreter's values, as every render of a conversation does for its
/// messages, tools and variables (this runs for every render, so it is written for speed).
///
/// Values go straight into their list's or dictionary's storage (no intermediate arrays, no
/// copies of the JSON members); the key arrays of the objects converted so far are kept (the
/// last few distinct ones) and shared by later objects with the same keys in the same order:
/// the messages of a conversation, the tools of a list and their schemas mostly repeat a few
/// shapes. One converter serves one conversion; nothing is kept between renders.
struct _JinjaJSONConverter {
    /// The key arrays of the usual messages, tool calls and tool schemas (OpenAI's function
    /// format), made once: a conversation whose objects all have one of these shapes allocates no
    /// key array (constants, as interned names are; nothing of a conversation is kept).
    private static let commonShapes: [[String]] = [
        ["role", "content"], ["role", "content", "tool_calls"], ["role", "tool_calls"], ["role", "content", "name"],
        ["role", "tool_call_id", "content"], ["role", "tool_call_id", "name", "content"], ["role", "content", "tool_call_id"],
        ["role", "name", "content"], ["role", "content", "reasoning_content"], ["role", "reasoning_content", "content"],
        ["thinking", "role", "content", "reasoning_content"], ["thinking", "role", "reasoning_content", "content"],
        ["thinking", "role", "content", "tool_calls", "reasoning_content"], ["thinking", "role", "reasoning_content", "tool_calls"],
        ["type", "function"], ["id", "type", "function"], ["name", "arguments"], ["type", "text"],
        ["name", "description", "parameters"], ["type", "properties", "required"], ["type", "properties"],
        ["type", "description"], ["type", "enum"], ["type", "description", "enum"], ["type"],
    ]
    /// Distinct key arrays met in this conversion that are not common shapes, at most ``shapeLimit``.
    private var met: [[String]] = []
    /// The slot of ``met`` that the next new shape replaces once it is full.
    private var nextShape = 0
    private static let shapeLimit = 8

    /// The value of `json`.
    mutating func value(_ json: JSONValue) -> JinjaValue {
        switch json {
        case .null: .none
        case .bool(let flag): .bool(flag)
        case .integer(let number): .int(Int(number))
        case .number(let text): .float(Double(text) ?? .nan)
        case .string(let text): .string(text)
        case .array(let elements): list(elements)
        case .object(let object): dict(object)
        }
    }

    /// A JSON array as a list, each element converted in place in the list's storage.
    mutating func list(_ elements: [JSONValue]) -> JinjaValue {
        let count = elements.count
        guard count > 0 else { return .list([]) }
        let values = elements.withUnsafeBufferPointer { source in
            [JinjaValue](unsafeUninitializedCapacity: count) { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                for index in 0..<count { (base + index).initialize(to: value(source[index])) }
                initialized = count
            }
        }
        return .list(values)
    }

    /// A JSON object as a dictionary (JSON objects' keys are distinct already: the parser keeps a
    /// repeated key's last value).
    mutating func dict(_ object: JSONObject) -> JinjaValue {
        object.members.withUnsafeBufferPointer { members in
            let keys = shape(count: members.count) { members[$0].key }
            return .dict(
                JinjaDict(distinctKeys: keys) { elements in
                    for index in 0..<members.count { (elements + index).initialize(to: value(members[index].value)) }
                })
        }
    }

    /// The messages, each as ``message(_:)`` converts it, in one list.
    mutating func messages<Messages: Collection>(_ messages: Messages) -> [JinjaValue] where Messages.Element == JSONObject {
        var values: [JinjaValue] = []
        values.reserveCapacity(messages.count)
        for object in messages { values.append(message(object)) }
        return values
    }

    /// A message as transformers 5.23's `apply_chat_template` hands it to a template:
    /// null-valued keys dropped; a non-null `reasoning_content`, `thinking` or `reasoning` (the
    /// first, in that order) copied into `reasoning_content`, and into `thinking` unless the
    /// message has its own (Python's `{"thinking": reasoning, **message, "reasoning_content":
    /// reasoning}`): `thinking` first, the kept members in order, `reasoning_content` where it
    /// was or last. The same dictionary ``ChatConversation/preprocessedMessages()`` converts to,
    /// without building that object.
    mutating func message(_ object: JSONObject) -> JinjaValue {
        object.members.withUnsafeBufferPointer { members in
            // One pass: nulls, and where the reasoning keys are (lengths first: most keys stop there).
            var hasNull = false
            var reasoningContent = -1, thinking = -1, reasoning = -1
            for index in 0..<members.count {
                if case .null = members[index].value {
                    hasNull = true
                    continue
                }
                let key = members[index].key
                switch key.utf8.count {
                case 17 where key == "reasoning_content": reasoningContent = index
                case 8 where key == "thinking": thinking = index
                case 9 where key == "reasoning": reasoning = index
                default: break
                }
            }
            let source = reasoningContent >= 0 ? reasoningContent : thinking >= 0 ? thinking : reasoning
            guard hasNull || source >= 0 else {
                let keys = shape(count: members.count) { members[$0].key }
                return .dict(
                    JinjaDict(distinctKeys: keys) { elements in
                        for index in 0..<members.count { (elements + index).initialize(to: value(members[index].value)) }
                    })
            }
            // The output's members as indices into `members`; `thinkingSlot` and `contentSlot`
            // stand for the reasoning copied into a key the message lacks.
            let thinkingSlot = -1, contentSlot = -2
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count + 2) { order in
                var count = 0
                if source >= 0 {
                    order[count] = thinking >= 0 ? thinking : thinkingSlot
                    count += 1
                }
                for index in 0..<members.count where index != thinking || source < 0 {
                    if case .null = members[index].value { continue }
                    order[count] = index
                    count += 1
                }
                if source >= 0 && reasoningContent < 0 {
                    order[count] = contentSlot
                    count += 1
                }
                let keys = shape(count: count) { position in
                    switch order[position] {
                    case thinkingSlot: "thinking"
                    case contentSlot: "reasoning_content"
                    case let index: members[index].key
                    }
                }
                let copied = source >= 0 ? value(members[source].value) : .none
                return .dict(
                    JinjaDict(distinctKeys: keys) { elements in
                        for position in 0..<count {
                            let index = order[position]
                            (elements + position).initialize(to: index < 0 ? copied : value(members[index].value))
                        }
                    })
            }
        }
    }

    /// A key array equal to `key(0) ..< key(count - 1)`: one met before, or a new one (kept).
    /// Keys compare by their bytes, as Python compares `str` (Swift's `==` would take "\\u{E9}"
    /// and "e\\u{301}" for one key).
    private mutating func shape(count: Int, key: (Int) -> String) -> [String] {
        if let found = Self.find(Self.commonShapes, count: count, key: key) { return found }
        if let found = Self.find(met, count: count, key: key) { return found }
        var keys: [String] = []
        keys.reserveCapacity(count)
        for index in 0..<count { keys.append(key(index)) }
        if met.count < Self.shapeLimit {
            met.append(keys)
        } else {
            met[nextShape] = keys
            nextShape = (nextShape + 1) % Self.shapeLimit
        }
        return keys
    }

    /// The shape of `shapes` equal to `key(0) ..< key(count - 1)`, if any.
    @inline(__always)
    private static func find(_ shapes: [[String]], count: Int, key: (Int) -> String) -> [String]? {
        shapes.withUnsafeBufferPointer { shapes in
            search: for candidate in shapes.indices where shapes[candidate].count == count {
                for index in 0..<count where !_pythonStringEqual(shapes[candidate][index], key(index)) { continue search }
                return shapes[candidate]
            }
            return nil
        }
    }
}
