/// Maps a transform spec's `"type"` to a factory, so a pipeline can be written as JSON:
///
/// ```json
/// {"transforms": [
///     {"type": "truncate", "max_length": 2048, "side": "keep_end"},
///     {"type": "add-eos", "eos_token_id": 2},
///     {"type": "drop-untrainable"},
///     {"type": "pad-to-multiple", "multiple": 8, "pad_token_id": 0},
///     {"type": "num-items-in-batch"}
/// ]}
/// ```
///
/// As with ``CollatorRegistry``, each type declares its keys and any other key is rejected
/// (with a suggestion), so a typo fails loudly. Third-party packages register their own types.
public final class TransformRegistry: Sendable {
    /// Builds a transform from its spec.
    public typealias Factory = @Sendable (inout CollatorSpec) throws -> Transform

    /// A registered type: the keys its spec may hold (besides `type`) and its factory.
    typealias Registration = _SpecTypeTable<Transform>.Registration

    private let table: _SpecTypeTable<Transform>

    /// The process-wide registry, holding the built-in transforms.
    public static let shared = TransformRegistry()

    /// Creates a registry.
    /// - Parameter includingBuiltIns: whether to register the built-in transform types.
    public init(includingBuiltIns: Bool = true) {
        table = _SpecTypeTable(kind: "transform", registrations: includingBuiltIns ? TransformRegistry.builtIns : [:])
    }

    /// The registry the current task uses: ``shared`` unless a test (or a tool) scopes another
    /// one with `TransformRegistry.$current.withValue(registry) { ... }`. Every API that builds from
    /// specs without being handed a registry reads this one, so a test registers its types in
    /// its own instance and runs any of them, in parallel with other tests, without touching
    /// ``shared``.
    @TaskLocal public static var current: TransformRegistry = .shared

    /// Creates a registry holding every type `other` holds now (later registrations in either
    /// are not shared): a test's scoped registry that knows the built-ins and the shared
    /// third-party types too.
    /// - Parameter other: The registry to copy, usually ``shared``.
    public init(copying other: TransformRegistry) {
        table = _SpecTypeTable(copying: other.table)
    }

    /// Registers the factory for `type`.
    ///
    /// A type registered twice is an error unless `replacing` is `true`: two packages that
    /// chose the same name would otherwise replace each other's transforms depending on which
    /// registered last.
    /// - Parameters:
    ///   - type: The spec's `"type"` value; namespace it by your package (`"my-package/prefix-lm"`)
    ///     to stay clear of other packages' types.
    ///   - keys: Every key the spec may hold besides `"type"`.
    ///   - replacing: Whether to replace an existing registration on purpose.
    ///   - factory: Builds the transform, reading keys through ``CollatorSpec``.
    /// - Throws: ``RegistrationError/duplicateType(_:registry:)`` when `type` is taken and
    ///   `replacing` is `false`; ``RegistrationError/invalidTypeName(_:registry:)`` for an empty
    ///   name or one holding whitespace; ``RegistrationError/invalidKey(_:type:registry:)`` when
    ///   `keys` lists a key twice or lists `"type"`.
    public func register(_ type: String, keys: [String], replacing: Bool = false, factory: @escaping Factory) throws(RegistrationError) {
        try table.register(type, keys: keys, replacing: replacing, factory: factory)
    }

    /// Removes the registration of `type`, if any.
    /// - Parameter type: The spec type.
    /// - Returns: Whether a registration was removed.
    @discardableResult
    public func unregister(_ type: String) -> Bool {
        table.unregister(type)
    }

    /// Whether `type` is registered.
    /// - Parameter type: The spec type.
    /// - Returns: `true` when a factory is registered under it.
    public func contains(_ type: String) -> Bool {
        table.registration(for: type) != nil
    }

    /// The registered types, sorted.
    public var knownTypes: [String] {
        table.knownTypes
    }

    /// Builds one transform from its spec object.
    /// - Parameters:
    ///   - spec: `{"type": ..., keys}`.
    ///   - index: Its position in the `transforms` array, for messages.
    /// - Throws: ``TransformSpecError`` naming the entry, key and value.
    /// - Complexity: O(*k*²) in the number of keys (a handful).
    public func makeTransform(from spec: JSONValue, index: Int = 0) throws -> Transform {
        guard case .object(let object) = spec else { throw TransformSpecError.notAnObject(index: index, found: spec.preview()) }
        guard case .string(let type)? = object["type"] else { throw TransformSpecError.missingType(index: index) }
        guard let registration = table.registration(for: type) else {
            throw TransformSpecError.unknownType(type, index: index, known: knownTypes)
        }
        if let unknown = object.keys.first(where: { $0 != "type" && !registration.keys.contains($0) }) {
            throw TransformSpecError.unknownKey(unknown, type: type, index: index, allowed: registration.keys)
        }
        var reader = CollatorSpec(type: type, object: object)
        do {
            return try registration.factory(&reader)
        } catch let error as SpecError {
            throw TransformSpecError.invalidEntry(index: index, type: type, error)
        }
    }

    /// Builds a pipeline from a `transforms` array, or from an object holding one under
    /// `"transforms"` (a collator spec may carry its transforms that way).
    /// - Throws: ``TransformSpecError`` naming the entry at fault.
    /// - Complexity: O(*s*) factory calls for *s* entries.
    public func makePipeline(from spec: JSONValue) throws -> TransformPipeline {
        let entries: [JSONValue]
        switch spec {
        case .array(let array): entries = array
        case .object(let object):
            switch object["transforms"] {
            case nil, .null?: entries = []
            case .array(let array)?: entries = array
            case let other?: throw TransformSpecError.notAnArray(found: other.preview())
            }
        default: throw TransformSpecError.notAnArray(found: spec.preview())
        }
        return TransformPipeline(try entries.enumerated().map { try makeTransform(from: $1, index: $0) })
    }

    /// Builds a pipeline from JSON text (see ``makePipeline(from:)``).
    /// - Throws: ``TransformSpecError``.
    public func makePipeline(fromJSON text: String) throws -> TransformPipeline {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw TransformSpecError.notAnArray(found: "invalid JSON (\(error.reason) at byte \(error.offset))")
        }
        return try makePipeline(from: value)
    }
}
