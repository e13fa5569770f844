import Synchronization

/// Maps a spec's `"type"` to a factory that builds the collator, so pipelines can be written
/// as JSON and third-party packages can add their own types.
///
/// ```swift
/// CollatorRegistry.shared.register("my-collator") { spec in
///     MyCollator(padTokenID: try spec.requiredInt32("pad_token_id", reason: "..."))
/// }
/// let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "my-collator", "pad_token_id": 0}"#)
/// ```
///
/// Factories read keys through ``CollatorSpec``; a key the factory never read is rejected as
/// unknown, so a typo like `pad_token` fails loudly instead of silently taking a default.
public final class CollatorRegistry: Sendable {
    /// Builds a collator from a spec.
    public typealias Factory = @Sendable (inout CollatorSpec) throws -> any Collator<Batch>

    private let factories: Mutex<[String: Factory]>

    /// The process-wide registry, holding the built-in types.
    public static let shared = CollatorRegistry()

    /// Creates a registry.
    /// - Parameter includingBuiltIns: whether to register the built-in collator types.
    public init(includingBuiltIns: Bool = true) {
        factories = Mutex(includingBuiltIns ? CollatorRegistry.builtIns : [:])
    }

    /// Registers (or replaces) the factory for `type`.
    public func register(_ type: String, factory: @escaping Factory) {
        factories.withLock { $0[type] = factory }
    }

    /// The registered types, sorted.
    public var knownTypes: [String] {
        factories.withLock { $0.keys.sorted() }
    }

    /// Builds the collator a spec describes.
    /// - Throws: ``SpecError`` for an unknown type, an unknown key, or a bad value; any error
    ///   a third-party factory throws.
    public func makeCollator(from spec: JSONValue) throws -> any Collator<Batch> {
        guard case .object(let object) = spec else { throw SpecError.notAnObject(found: spec.typeName) }
        guard case .string(let type)? = object["type"] else { throw SpecError.missingType }
        guard let factory = factories.withLock({ $0[type] }) else {
            throw SpecError.unknownType(type, known: knownTypes)
        }
        var reader = CollatorSpec(type: type, object: object)
        let collator: any Collator<Batch>
        do {
            collator = try factory(&reader)
        } catch let error as SpecError {
            // A missing key next to an unread one is most likely a typo: name the typo.
            if case .missingKey = error, let unknown = object.keys.first(where: { !reader.readKeys.contains($0) }) {
                throw SpecError.unknownKey(unknown, type: type, allowed: reader.readKeys)
            }
            throw error
        }
        if let unknown = object.keys.first(where: { !reader.readKeys.contains($0) }) {
            throw SpecError.unknownKey(unknown, type: type, allowed: reader.readKeys)
        }
        return collator
    }

    /// Builds the collator a spec's JSON text describes.
    public func makeCollator(fromJSON text: String) throws -> any Collator<Batch> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw SpecError.notAnObject(found: "invalid JSON (\(error.reason) at byte \(error.offset))")
        }
        return try makeCollator(from: value)
    }
}
