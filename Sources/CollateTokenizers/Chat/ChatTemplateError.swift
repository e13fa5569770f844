import Foundation

/// Why a chat template could not be loaded or rendered. Each case names the template (its path)
/// and, for rendering, the message or line at fault; ``description`` says how to fix it.
public enum ChatTemplateError: Error, Sendable, Hashable {
    /// Nothing exists at `path`.
    case notFound(path: String)
    /// The file at `path` cannot be read as text or JSON.
    case unreadable(path: String, reason: String)
    /// The folder or config at `path` has no chat template.
    case noTemplate(path: String)
    /// A field of the config at `path` has the wrong shape.
    case malformed(path: String, field: String, reason: String)
    /// The template has several named variants and none is `default`.
    case noDefaultTemplate(template: String, names: [String])
    /// The template's Jinja source is invalid, or rendering failed (`raise_exception`, an
    /// undefined value used where Jinja refuses it, a type error): `message` is the
    /// interpreter's, with the template line.
    case renderFailed(template: String, message: String)
}

extension ChatTemplateError: CustomStringConvertible {
    /// A message naming the template and the fix.
    public var description: String {
        switch self {
        case let .notFound(path):
            return "no chat template at '\(path)': pass a model folder, its tokenizer_config.json or a .jinja file"
        case let .unreadable(path, reason):
            return "cannot read chat template '\(path)': \(reason)"
        case let .noTemplate(path):
            return "'\(path)' has no chat template: neither chat_template.jinja nor a \"chat_template\" key in "
                + "tokenizer_config.json; pass the model's .jinja file, or a built-in format name"
        case let .malformed(path, field, reason):
            return "'\(path)': field '\(field)': \(reason)"
        case let .noDefaultTemplate(template, names):
            return "chat template '\(template)' has several variants (\(names.joined(separator: ", "))) and none named "
                + "'default'; keep one named 'default' (transformers refuses such a template too)"
        case let .renderFailed(template, message):
            return message.hasPrefix("template ") ? "chat " + message : "chat template '\(template)': \(message)"
        }
    }
}

extension ChatTemplateError: LocalizedError {
    /// Same as ``description``.
    public var errorDescription: String? { description }
}
