/// The ignore index of PyTorch's cross-entropy and of every HF collator: label positions
/// holding it are not trained.
public let ignoreIndex: Int32 = -100

/// One training example: named integer sequences and integer, float or bool scalars, with HF
/// field names (`input_ids`, `labels`, `attention_mask`, `label`, `margin`, ...).
///
/// Fields keep the order they were given in, so a batch built from examples lists its
/// tensors in the order HF would. A field can be present with the value `null`, which is
/// kept (not dropped) because "`labels` is null" is a different mistake from "no `labels`".
public struct Example: Sendable, Hashable {
    /// The value of one field.
    public enum Value: Sendable, Hashable {
        /// A sequence of token-level integers, e.g. `input_ids`.
        case sequence([Int32])
        /// One integer, e.g. a class `label`.
        case scalar(Int32)
        /// One float, e.g. TRL's reward `margin` or KTO's `ref_logps` (batched as `float32`).
        case float(Float)
        /// One bool, e.g. KTO's desirable/undesirable `label` (batched as `bool`).
        case bool(Bool)
        /// JSON `null`: the field exists but holds nothing.
        case null
    }

    /// Field names in order.
    public internal(set) var names: [String]
    /// Field values, parallel to ``names``.
    public internal(set) var values: [Value]

    /// Creates an example from fields in order; a repeated name keeps its last value.
    public init(_ fields: KeyValuePairs<String, Value>) {
        names = []
        values = []
        for (name, value) in fields { self[name] = value }
    }

    /// Creates an example from parallel field names and values, in order, in O(*f*) for *f*
    /// fields (``init(_:)`` looks each name up, O(*f*²)): for rebuilding examples already
    /// known to have distinct names, e.g. read back from a spool. A repeated name keeps its
    /// last value, at its first position, as ``init(_:)`` does.
    /// - Parameters:
    ///   - names: The field names.
    ///   - values: The values, parallel to `names` (extra entries of the longer one are ignored).
    public init(names: [String], values: [Value]) {
        let count = min(names.count, values.count)
        if Set(names[..<count]).count == count {
            self.names = Array(names[..<count])
            self.values = Array(values[..<count])
        } else {
            self.names = []
            self.values = []
            for (name, value) in zip(names, values) { self[name] = value }
        }
    }

    /// Creates an example with `input_ids` and, optionally, `labels`.
    public init(inputIDs: [Int32], labels: [Int32]? = nil) {
        names = ["input_ids"]
        values = [.sequence(inputIDs)]
        if let labels {
            names.append("labels")
            values.append(.sequence(labels))
        }
    }

    /// The value of a field, or `nil` when the example has no such field. Setting `nil` removes it.
    ///
    /// - Complexity: O(*f*) in the number of fields (a handful).
    public subscript(name: String) -> Value? {
        get {
            guard let index = names.firstIndex(of: name) else { return nil }
            return values[index]
        }
        set {
            if let index = names.firstIndex(of: name) {
                if let newValue {
                    values[index] = newValue
                } else {
                    names.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                names.append(name)
                values.append(newValue)
            }
        }
    }

    /// The sequence stored under `name`, or `nil` when the field is absent, null or a scalar.
    public func sequence(_ name: String) -> [Int32]? {
        guard let index = names.firstIndex(of: name), case .sequence(let tokens) = values[index] else { return nil }
        return tokens
    }

    /// The scalar stored under `name`, or `nil` when the field is absent, null or a sequence.
    public func scalar(_ name: String) -> Int32? {
        guard let index = names.firstIndex(of: name), case .scalar(let value) = values[index] else { return nil }
        return value
    }

    /// The float stored under `name` (an integer scalar converts), or `nil` when the field is
    /// absent, null, a bool or a sequence.
    public func float(_ name: String) -> Float? {
        guard let index = names.firstIndex(of: name) else { return nil }
        switch values[index] {
        case .float(let value): return value
        case .scalar(let value): return Float(value)
        default: return nil
        }
    }

    /// The bool stored under `name`, or `nil` when the field is absent, null or not a bool.
    public func bool(_ name: String) -> Bool? {
        guard let index = names.firstIndex(of: name), case .bool(let value) = values[index] else { return nil }
        return value
    }

    /// Whether the example has a non-null field `name`.
    public func has(_ name: String) -> Bool {
        guard let value = self[name] else { return false }
        return value != .null
    }

    /// The example's `input_ids`, or an empty array when it has none.
    public var inputIDs: [Int32] { sequence("input_ids") ?? [] }

    /// The example's `labels`, or `nil` when it has none.
    public var labels: [Int32]? { sequence("labels") }
}

extension Example {
    /// The sequence `name` of the example at `index` in a batch, or an error naming both.
    ///
    /// - Throws: ``CollateError/missingField(_:example:collator:)`` when absent or null,
    ///   ``CollateError/wrongFieldKind(_:example:expected:)`` when it holds a scalar.
    @inlinable
    public func requireSequence(_ name: String, example index: Int, collator: String) throws(CollateError) -> [Int32] {
        switch self[name] {
        case .sequence(let tokens): return tokens
        case .scalar, .float, .bool: throw .wrongFieldKind(name, example: index, expected: "a sequence of integers")
        case .null, nil: throw .missingField(name, example: index, collator: collator)
        }
    }
}
