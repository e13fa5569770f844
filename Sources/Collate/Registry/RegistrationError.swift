/// Why a type could not be registered in a ``CollatorRegistry`` or ``TransformRegistry``.
public enum RegistrationError: Error, Sendable, Hashable {
    /// The type is already registered, and the call did not pass `replacing: true`.
    /// - Parameters:
    ///   - type: The spec type.
    ///   - registry: `"collator"` or `"transform"`.
    case duplicateType(String, registry: String)
    /// The type name is empty or holds characters a spec's `"type"` cannot reasonably hold.
    case invalidTypeName(String, registry: String)
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
        }
    }
}
