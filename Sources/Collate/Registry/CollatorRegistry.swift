import Synchronization

/// Maps a spec's `"type"` to a factory that builds the collator, so pipelines can be written
/// as JSON and third-party packages can add their own types.
///
/// ```swift
/// CollatorRegistry.shared.register("my-collator", keys: ["pad_token_id"]) { spec in
///     MyCollator(padTokenID: try spec.requiredInt32("pad_token_id", reason: "..."))
/// }
/// let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "my-collator", "pad_token_id": 0}"#)
/// ```
///
/// Each type declares the keys it takes; any other key is rejected before the factory runs, so
/// a typo like `pad_token` fails loudly (with a suggestion) instead of silently taking a default.
public final class CollatorRegistry: Sendable {
    /// Builds a collator from a spec.
    public typealias Factory = @Sendable (inout CollatorSpec) throws -> any Collator<Batch>

    /// A registered type: the keys its spec may hold (besides `type`) and its factory.
    struct Registration: Sendable {
        var keys: [String]
        var factory: Factory
    }

    private let registrations: Mutex<[String: Registration]>

    /// The process-wide registry, holding the built-in types.
    public static let shared = CollatorRegistry()

    /// Creates a registry.
    /// - Parameter includingBuiltIns: whether to register the built-in collator types.
    public init(includingBuiltIns: Bool = true) {
        registrations = Mutex(includingBuiltIns ? CollatorRegistry.builtIns : [:])
    }

    /// Registers (or replaces) the factory for `type`.
    /// - Parameters:
    ///   - type: The spec's `"type"` value.
    ///   - keys: Every key the spec may hold besides `"type"`; others are rejected as typos.
    ///   - factory: Builds the collator, reading keys through ``CollatorSpec``.
    public func register(_ type: String, keys: [String], factory: @escaping Factory) {
        registrations.withLock { $0[type] = Registration(keys: keys, factory: factory) }
    }

    /// The registered types, sorted.
    public var knownTypes: [String] {
        registrations.withLock { $0.keys.sorted() }
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
        guard let registration = registrations.withLock({ $0[type] }) else {
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
