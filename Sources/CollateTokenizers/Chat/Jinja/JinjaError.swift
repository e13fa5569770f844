/// An error in a chat template: its syntax, or what it did while rendering.
///
/// Carries the template's name and the 1-based line of the template where it happened. A
/// render that throws returns no text at all.
public struct JinjaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of error it is.
    public enum Kind: String, Sendable, Hashable {
        /// The template does not parse (an unclosed tag, an unknown statement, a bad expression).
        case syntax
        /// The template used an undefined value where Jinja rejects it (calling it, arithmetic, attributes).
        case undefined
        /// An operation on values of the wrong type (`1 + "a"`, an unknown method, a bad argument).
        case type
        /// The template called `raise_exception(message)`.
        case raised
        /// The template tried to mutate a value, which HF's sandboxed environment forbids.
        case security
        /// A Jinja feature this interpreter does not implement (`{% include %}`, a rare filter).
        case unsupported
    }

    /// What kind of error it is.
    public var kind: Kind
    /// The template's name, as given to ``JinjaTemplate/init(source:name:)``.
    public var template: String
    /// The 1-based line of the template.
    public var line: Int
    /// What went wrong and, where it helps, what to do.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, template: String, line: Int, message: String) {
        self.kind = kind
        self.template = template
        self.line = line
        self.message = message
    }

    /// `template NAME, line N: message`, the form the CLI prints.
    public var description: String {
        switch kind {
        case .raised: "template \(template), line \(line): the template raised an error: \(message)"
        case .unsupported: "template \(template), line \(line): \(message) (not supported by Collate's Jinja interpreter)"
        default: "template \(template), line \(line): \(message)"
        }
    }
}

/// An error raised while rendering, before the template name and line are attached.
struct _JinjaFailure: Error {
    var kind: JinjaError.Kind
    var message: String
    var line: Int?

    init(_ kind: JinjaError.Kind, _ message: String, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
    }
}
