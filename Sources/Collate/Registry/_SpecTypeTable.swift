import Synchronization

/// The lock-guarded table of spec types behind ``CollatorRegistry`` and ``TransformRegistry``:
/// each type's allowed keys and its factory, with the naming and duplicate rules both share.
///
/// `Product` is what a factory builds (`any Collator<Batch>`, ``Transform``); `kind` names the
/// registry in errors (`"collator"`, `"transform"`).
final class _SpecTypeTable<Product>: Sendable {
    /// Builds a product from a spec.
    typealias Factory = @Sendable (inout CollatorSpec) throws -> Product

    /// A registered type: the keys its spec may hold (besides `type`) and its factory.
    struct Registration: Sendable {
        var keys: [String]
        var factory: Factory
    }

    /// `"collator"` or `"transform"`, for ``RegistrationError``.
    let kind: String
    private let registrations: Mutex<[String: Registration]>

    /// Creates a table holding `registrations`.
    init(kind: String, registrations: [String: Registration]) {
        self.kind = kind
        self.registrations = Mutex(registrations)
    }

    /// Creates a table holding every type `other` holds now.
    init(copying other: _SpecTypeTable) {
        kind = other.kind
        registrations = Mutex(other.registrations.withLock { $0 })
    }

    /// Registers `factory` for `type`.
    /// - Throws: ``RegistrationError/invalidTypeName(_:registry:)`` for an empty name or one
    ///   holding whitespace or control characters; ``RegistrationError/duplicateType(_:registry:)``
    ///   when `type` is taken and `replacing` is `false`; ``RegistrationError/invalidKey(_:type:registry:)``
    ///   when `keys` lists a key twice or lists `"type"`.
    func register(_ type: String, keys: [String], replacing: Bool, factory: @escaping Factory) throws(RegistrationError) {
        guard !type.isEmpty, !type.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw .invalidTypeName(type, registry: kind)
        }
        var seen = Set<String>()
        for key in keys where key == "type" || !seen.insert(key).inserted {
            throw .invalidKey(key, type: type, registry: kind)
        }
        let added = registrations.withLock { registrations -> Bool in
            guard replacing || registrations[type] == nil else { return false }
            registrations[type] = Registration(keys: keys, factory: factory)
            return true
        }
        guard added else { throw .duplicateType(type, registry: kind) }
    }

    /// Removes `type`; returns whether it was registered.
    func unregister(_ type: String) -> Bool {
        registrations.withLock { $0.removeValue(forKey: type) != nil }
    }

    /// The registration of `type`, if any.
    func registration(for type: String) -> Registration? {
        registrations.withLock { $0[type] }
    }

    /// The registered types, sorted.
    var knownTypes: [String] {
        registrations.withLock { $0.keys.sorted() }
    }
}
