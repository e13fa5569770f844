import Collate
import Foundation

/// A model's own chat template: its Jinja `chat_template`, rendered by Collate's interpreter to
/// the text transformers' `apply_chat_template` renders, with the special tokens it reads.
///
/// Load one from a model folder, its `tokenizer_config.json` or a `.jinja` file with
/// ``load(from:)``, or make one from source with ``init(source:name:specialTokens:)``:
///
/// ```swift
/// let template = try ChatTemplate.load(from: URL(fileURLWithPath: "Qwen3-8B"))
/// let rendered = try template.render(ChatConversation([.user("Hi"), .assistant("Hello!")]))
/// // rendered.text == tokenizer.apply_chat_template(messages, tokenize=False)
/// // rendered.generations: the assistant spans to train
/// ```
///
/// A template with several named variants (`chat_template` as a list of `{"name", "template"}`,
/// or `additional_chat_templates/*.jinja`) renders `tool_use` for a conversation that has tools
/// when that variant exists, and `default` otherwise, as transformers picks.
public struct ChatTemplate: Sendable {
    /// Where the template came from (a path, or the name given), for error messages.
    public var name: String
    /// The template's source by variant name; a single template is `"default"`.
    public let sources: [String: String]
    /// Each variant parsed once (or its syntax error, thrown when that variant renders).
    let compiled: [String: Result<JinjaTemplate, JinjaError>]
    /// The tokenizer's named special tokens (`bos_token`, `eos_token`, `pad_token`, ...,
    /// and the model's own `*_token` keys), passed to the template as variables.
    public var specialTokens: [String: String]
    /// What `strftime_now` reads; `nil` means the current time. Tests pin it.
    public var now: Date?

    /// Creates a template from Jinja source.
    /// - Parameters:
    ///   - source: The Jinja source of `chat_template`.
    ///   - name: A name for error messages, e.g. the file it came from.
    ///   - specialTokens: Variables such as `["bos_token": "<s>", "eos_token": "</s>"]`.
    public init(source: String, name: String = "chat_template", specialTokens: [String: String] = [:]) {
        self.init(sources: ["default": source], name: name, specialTokens: specialTokens)
    }

    /// Creates a template with named variants.
    /// - Parameters:
    ///   - sources: Jinja source by variant name (`"default"`, `"tool_use"`, ...).
    ///   - name: A name for error messages.
    ///   - specialTokens: Variables such as `["bos_token": "<s>"]`.
    public init(sources: [String: String], name: String, specialTokens: [String: String] = [:]) {
        self.sources = sources
        var compiled: [String: Result<JinjaTemplate, JinjaError>] = [:]
        for (variant, source) in sources {
            let label = sources.count == 1 ? name : "\(name) (\(variant))"
            compiled[variant] = Result { () throws(JinjaError) in try JinjaTemplate(source: source, name: label) }
        }
        self.compiled = compiled
        self.name = name
        self.specialTokens = specialTokens
    }

    /// The variant transformers renders for a conversation: `tool_use` when the conversation has
    /// tools and that variant exists, else `default` (or the only one).
    ///
    /// - Parameter hasTools: Whether `tools` is given (an empty list counts, as in transformers).
    /// - Returns: The variant's name and source.
    /// - Throws: ``ChatTemplateError/noDefaultTemplate(template:names:)`` when there are several
    ///   variants and none is `default`.
    public func variant(hasTools: Bool) throws(ChatTemplateError) -> (name: String, source: String) {
        if sources.count == 1, let only = sources.first { return (only.key, only.value) }
        if hasTools, let toolUse = sources["tool_use"] { return ("tool_use", toolUse) }
        if let source = sources["default"] { return ("default", source) }
        throw ChatTemplateError.noDefaultTemplate(template: name, names: sources.keys.sorted())
    }

    // MARK: - Loading

    /// Loads a chat template from a model folder, a `tokenizer_config.json` or a `.jinja` file.
    ///
    /// - A folder: `chat_template.jinja` and `additional_chat_templates/*.jinja` when present
    ///   (transformers 5 saves templates there, and they win over the config's), otherwise the
    ///   `chat_template` key of its `tokenizer_config.json`.
    /// - A `tokenizer_config.json` (any `.json` file): its `chat_template` key — a string, or a
    ///   list of `{"name", "template"}`.
    /// - Any other file: Jinja source.
    ///
    /// Special tokens come from the `tokenizer_config.json` in the folder (or next to the file).
    ///
    /// - Parameter url: The folder or file.
    /// - Returns: The template.
    /// - Throws: ``ChatTemplateError`` naming the path and what is missing or malformed.
    public static func load(from url: URL) throws(ChatTemplateError) -> ChatTemplate {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ChatTemplateError.notFound(path: url.path)
        }
        let folder = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        let configURL = url.pathExtension == "json" && !isDirectory.boolValue
            ? url : folder.appendingPathComponent("tokenizer_config.json")
        let config = try readConfig(configURL, required: url.pathExtension == "json" && !isDirectory.boolValue)
        let special = try specialTokens(in: config, path: configURL.path)

        if !isDirectory.boolValue, url.pathExtension != "json" {
            return ChatTemplate(source: try readText(url), name: url.path, specialTokens: special)
        }
        if isDirectory.boolValue {
            var sources: [String: String] = [:]
            let single = url.appendingPathComponent("chat_template.jinja")
            if FileManager.default.fileExists(atPath: single.path) { sources["default"] = try readText(single) }
            let extra = url.appendingPathComponent("additional_chat_templates")
            if let files = try? FileManager.default.contentsOfDirectory(atPath: extra.path) {
                for file in files.sorted() where file.hasSuffix(".jinja") {
                    sources[String(file.dropLast(".jinja".count))] = try readText(extra.appendingPathComponent(file))
                }
            }
            if !sources.isEmpty { return ChatTemplate(sources: sources, name: url.path, specialTokens: special) }
        }
        guard let config else { throw ChatTemplateError.noTemplate(path: url.path) }
        return ChatTemplate(sources: try templates(in: config, path: configURL.path), name: configURL.path,
                            specialTokens: special)
    }

    private static func readText(_ url: URL) throws(ChatTemplateError) -> String {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ChatTemplateError.unreadable(path: url.path, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ChatTemplateError.unreadable(path: url.path, reason: "not UTF-8 text")
        }
        return text
    }

    private static func readConfig(_ url: URL, required: Bool) throws(ChatTemplateError) -> JSONObject? {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if required { throw ChatTemplateError.notFound(path: url.path) }
            return nil
        }
        let text = try readText(url)
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw ChatTemplateError.unreadable(path: url.path, reason: "not valid JSON (\(error))")
        }
        guard case .object(let object) = value else {
            throw ChatTemplateError.unreadable(path: url.path, reason: "expected a JSON object, got \(value.preview())")
        }
        return object
    }

    /// The `chat_template` of a tokenizer config: a string, or a list of `{"name", "template"}`.
    static func templates(in config: JSONObject, path: String) throws(ChatTemplateError) -> [String: String] {
        switch config["chat_template"] {
        case nil, .null?:
            throw ChatTemplateError.noTemplate(path: path)
        case .string(let source)?:
            return ["default": source]
        case .array(let entries)?:
            var sources: [String: String] = [:]
            for (index, entry) in entries.enumerated() {
                guard case .object(let object) = entry, case .string(let name)? = object["name"],
                      case .string(let source)? = object["template"] else {
                    throw ChatTemplateError.malformed(
                        path: path, field: "chat_template[\(index)]",
                        reason: "expected {\"name\": string, \"template\": string}, got \(entry.preview())")
                }
                sources[name] = source
            }
            guard !sources.isEmpty else { throw ChatTemplateError.noTemplate(path: path) }
            return sources
        case let other?:
            throw ChatTemplateError.malformed(
                path: path, field: "chat_template",
                reason: "expected a string or a list of {\"name\", \"template\"}, got \(other.preview())")
        }
    }

    /// The named special tokens transformers passes to a template: `bos_token`, `eos_token`,
    /// `unk_token`, `sep_token`, `pad_token`, `cls_token`, `mask_token` and the model's own
    /// `*_token` keys, each a string or an added-token object `{"content": ...}`; null ones are left out.
    ///
    /// - Parameters:
    ///   - config: A `tokenizer_config.json` object, or `nil`.
    ///   - path: Its path, for errors.
    /// - Returns: Token text by variable name.
    /// - Throws: ``ChatTemplateError/malformed(path:field:reason:)`` for a token of another type.
    public static func specialTokens(in config: JSONObject?, path: String) throws(ChatTemplateError) -> [String: String] {
        guard let config else { return [:] }
        var tokens: [String: String] = [:]
        for member in config.members where member.key.hasSuffix("_token") {
            switch member.value {
            case .string(let text):
                tokens[member.key] = text
            case .object(let object):
                guard case .string(let text)? = object["content"] else {
                    throw ChatTemplateError.malformed(
                        path: path, field: member.key,
                        reason: "expected a string or {\"content\": string, ...}, got \(member.value.preview())")
                }
                tokens[member.key] = text
            default:
                // Booleans such as `add_bos_token` are settings, not tokens; null means none.
                continue
            }
        }
        // transformers 5 merges a dict-valued `extra_special_tokens` into the model's own tokens.
        if case .object(let extra)? = config["extra_special_tokens"] {
            for member in extra.members {
                if case .string(let text) = member.value { tokens[member.key] = text }
                if case .object(let object) = member.value, case .string(let text)? = object["content"] {
                    tokens[member.key] = text
                }
            }
        }
        return tokens
    }
}
