import Foundation

/// A chat template compiled once and rendered many times, with the semantics of the
/// environment transformers renders chat templates in.
///
/// transformers 5.23 renders `chat_template` with jinja2's `ImmutableSandboxedEnvironment(
/// trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols])`,
/// a `tojson` filter that is `json.dumps(x, ensure_ascii=False, ...)`, and the globals
/// `raise_exception`, `strftime_now`, `dict` and `namespace`. This type reproduces that:
/// whitespace control, `{% generation %}`, `{% break %}`/`{% continue %}`, undefined values,
/// Python's string, number and collection semantics, and the sandbox's refusal to mutate
/// lists and dictionaries.
///
/// ```swift
/// let template = try JinjaTemplate(source: chatTemplate, name: "tokenizer_config.json")
/// let rendering = try template.render([
///     "messages": .list([.dict(JinjaDict([("role", .string("user")), ("content", .string("Hi"))]))]),
///     "add_generation_prompt": .bool(true),
/// ])
/// print(rendering.text)
/// ```
public struct JinjaTemplate: Sendable {
    /// The template's name, used in errors.
    public let name: String
    /// The template compiled once into closures (see ``_JinjaCompiler``).
    let program: _JinjaExec
    let names: _JinjaNameTable

    /// Parses a template.
    ///
    /// - Parameters:
    ///   - source: The Jinja source (a `chat_template`).
    ///   - name: A name for errors: a file name or a model's name.
    /// - Throws: ``JinjaError`` of kind `.syntax` (or `.unsupported`) naming the line.
    public init(source: String, name: String) throws(JinjaError) {
        self.name = name
        do {
            let (statements, interned) = try _JinjaParser.parse(source)
            program = _JinjaCompiler.block(statements)
            names = _JinjaNameTable(interned)
        } catch {
            throw JinjaError(kind: error.kind, template: name, line: error.line ?? 1, message: error.message)
        }
    }

    /// Renders the template.
    ///
    /// - Parameters:
    ///   - context: The variables the template sees (`messages`, `tools`,
    ///     `add_generation_prompt`, `bos_token`, ...). Each top-level element of `messages` is
    ///     tracked for ``JinjaRendering/segments``.
    ///   - now: The time `strftime_now` formats (local time zone); defaults to now.
    /// - Returns: The text with its provenance.
    /// - Throws: ``JinjaError`` naming the template line; nothing is returned partially.
    public func render(_ context: [String: JinjaValue], now: Date = Date()) throws(JinjaError) -> JinjaRendering {
        try _render(context, now: now)
    }

    /// Renders the template with variables in order, a repeated name's last value winning:
    /// what ``ChatTemplate`` builds for a conversation (no dictionary hashing every name).
    ///
    /// - Parameters:
    ///   - variables: The variables, in order.
    ///   - now: The time `strftime_now` formats.
    /// - Returns: The text with its provenance.
    /// - Throws: ``JinjaError`` naming the template line.
    package func render(variables: [(key: String, value: JinjaValue)], now: Date = Date()) throws(JinjaError) -> JinjaRendering {
        try _render(variables, now: now)
    }

    private func _render<Context: Collection>(_ context: Context, now: Date) throws(JinjaError) -> JinjaRendering
    where Context.Element == (key: String, value: JinjaValue) {
        let renderer = _JinjaRenderer.make(now: now)
        do {
            let rendering = try renderer.render(program, names: names, context: context)
            renderer.recycle()
            return rendering
        } catch let failure as _JinjaFailure {
            throw JinjaError(kind: failure.kind, template: name, line: failure.line ?? 1, message: failure.message)
        } catch {
            throw JinjaError(kind: .type, template: name, line: 1, message: "\(error)")
        }
    }
}
