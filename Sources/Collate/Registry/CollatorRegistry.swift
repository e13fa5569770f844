/// Maps a spec's `"type"` to a factory that builds the collator, so pipelines can be written
/// as JSON and third-party packages can add their own types.
///
/// ```swift
/// try CollatorRegistry.shared.register("my-collator", keys: ["pad_token_id"]) { spec in
///     MyCollator(padTokenID: try spec.requiredInt32("pad_token_id", reason: "..."))
/// }
/// let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "my-collator", "pad_token_id": 0}"#)
/// ```
///
/// Each type declares the keys it takes; any other key is rejected before the factory runs, so
/// a typo like `pad_token` fails loudly (with a suggestion) instead of silently taking a default.
/// Registering a taken type is an error (``RegistrationError``); tests use their own instance,
/// scoped with ``current``, so they never depend on what other tests registered.
public final class CollatorRegistry: Sendable {
    /// Builds a collator from a spec.
    public typealias Factory = @Sendable (inout CollatorSpec) throws -> any Collator<Batch>

    /// A registered type: the keys its spec may hold (besides `type`) and its factory.
    typealias Registration = _SpecTypeTable<any Collator<Batch>>.Registration

    private let table: _SpecTypeTable<any Collator<Batch>>

    /// The process-wide registry, holding the built-in types.
    public static let shared = CollatorRegistry()

    /// Creates a registry.
    /// - Parameter includingBuiltIns: whether to register the built-in collator types.
    public init(includingBuiltIns: Bool = true) {
        table = _SpecTypeTable(kind: "collator", registrations: includingBuiltIns ? CollatorRegistry.builtIns : [:])
    }

    /// The registry the current task uses: ``shared`` unless a test (or a tool) scopes another
    /// one with `CollatorRegistry.$current.withValue(registry) { ... }`. Every API that builds from
    /// specs without being handed a registry reads this one, so a test registers its types in
    /// its own instance and runs any of them, in parallel with other tests, without touching
    /// ``shared``.
    @TaskLocal public static var current: CollatorRegistry = .shared

    /// Creates a registry holding every type `other` holds now (later registrations in either
    /// are not shared): a test's scoped registry that knows the built-ins and the shared
    /// third-party types too.
    /// - Parameter other: The registry to copy, usually ``shared``.
    public init(copying other: CollatorRegistry) {
        table = _SpecTypeTable(copying: other.table)
    }

    /// Registers the factory for `type`.
    ///
    /// A type registered twice is an error unless `replacing` is `true`: two packages that
    /// chose the same name would otherwise replace each other's collators depending on which
    /// registered last.
    /// - Parameters:
    ///   - type: The spec's `"type"` value; namespace it by your package (`"my-package/prefix-lm"`)
    ///     to stay clear of other packages' types.
    ///   - keys: Every key the spec may hold besides `"type"`; others are rejected as typos.
    ///   - replacing: Whether to replace an existing registration on purpose.
    ///   - factory: Builds the collator, reading keys through ``CollatorSpec``.
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

    /// Builds the collator a spec describes.
    /// - Throws: ``SpecError`` for an unknown type, an unknown key, or a bad value; any error
    ///   a third-party factory throws.
    public func makeCollator(from spec: JSONValue) throws -> any Collator<Batch> {
        guard case .object(let object) = spec else { throw SpecError.notAnObject(found: spec.typeName) }
        let type: String
        switch object["type"] {
        case .string(let name)?: type = name
        case nil, .null?: throw SpecError.missingType
        case let other?:
            throw SpecError.wrongType(key: "type", expected: "a string naming a collator type", found: "\(other.typeName) \(other.preview())")
        }
        guard let registration = table.registration(for: type) else {
            throw SpecError.unknownType(type, known: knownTypes)
        }
        if let unknown = object.keys.first(where: { $0 != "type" && !registration.keys.contains($0) }) {
            throw SpecError.unknownKey(unknown, type: type, allowed: registration.keys)
        }
        var reader = CollatorSpec(type: type, object: object)
        return try registration.factory(&reader)
    }

    /// Builds the collator a spec's JSON text describes.
    public func makeCollator(fromJSON text: String) throws -> any Collator<Batch> {
        var text = text
        return try text.withUTF8 { try makeCollator(fromJSONBytes: $0) }
    }

    /// Builds the collator a spec file's bytes (UTF-8) describe.
    ///
    /// A leading UTF-8 byte-order mark is dropped (editors on Windows write one); invalid
    /// UTF-8 is a ``SpecError/notAnObject(found:)`` naming the byte offset.
    public func makeCollator(fromJSON bytes: [UInt8]) throws -> any Collator<Batch> {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        return try body.withUnsafeBufferPointer { try makeCollator(fromJSONBytes: $0) }
    }

    private func makeCollator(fromJSONBytes bytes: UnsafeBufferPointer<UInt8>) throws -> any Collator<Batch> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw SpecError.notAnObject(found: "invalid JSON (\(error.reason) at byte \(error.offset))")
        }
        return try makeCollator(from: value)
    }
}
