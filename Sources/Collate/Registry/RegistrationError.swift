/// Why a type could not be registered in a ``CollatorRegistry`` or ``TransformRegistry``.
public enum RegistrationError: Error, Sendable, Hashable {
    /// The type is already registered, and the call did not pass `replacing: true`.
    /// - Parameters:
    ///   - type: The spec type.
    ///   - registry: `"collator"` or `"transform"`.
    case duplicateType(String, registry: String)
    /// The type name is empty or holds characters a spec's `"type"` cannot reasonably hold.
    case invalidTypeName(String, registry: String)
    /// The keys a registration accepts list a key twice, or list `"type"` (which every spec holds).
    /// - Parameters:
    ///   - key: The key listed twice, or `"type"`.
    ///   - type: The spec type being registered.
    ///   - registry: `"collator"` or `"transform"`.
    case invalidKey(String, type: String, registry: String)
}

extension RegistrationError: CustomStringConvertible {
    /// What happened and how to fix it.
    public var description: String {
        switch self {
        case let .duplicateType(type, registry):
            "\(registry) type \"\(type)\" is already registered; registering it again would silently replace it. "
                + "Fix: choose another name (namespaced by your package, e.g. \"my-package/\(type)\"), pass replacing: true "
                + "to replace it on purpose, or register into a scoped registry (\(registry == "collator" ? "CollatorRegistry" : "TransformRegistry")(copying: .shared)) in tests"
        case let .invalidTypeName(type, registry):
            "\(registry) type \"\(type)\" is not a usable spec type; use lowercase words joined by hyphens (\"prefix-lm\"), optionally namespaced (\"my-package/prefix-lm\")"
        case let .invalidKey(key, type, registry) where key == "type":
            "\(registry) type \"\(type)\" lists \"type\" among its keys; keys: names the keys a spec may hold besides \"type\", "
                + "which every spec holds. Fix: remove \"type\" from keys:"
        case let .invalidKey(key, type, registry):
            "\(registry) type \"\(type)\" lists the key \"\(key)\" more than once in keys:; each key a spec may hold is listed once. "
                + "Fix: remove the repeated \"\(key)\" from keys:"
        }
    }
}
