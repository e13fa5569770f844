import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Every (template, conversation) case of `Tests/Fixtures/chat-templates/goldens.jsonl` (TRL 1.16.0's
/// templates rendered by transformers 5.23.0 `apply_chat_template(tokenize=False)`, jinja2 3.1.6),
/// rendered straight through ``JinjaTemplate`` with transformers' message preprocessing.
struct JinjaGoldenCase: Sendable, CustomTestStringConvertible {
    var template: String
    var conversation: String
    var source: String
    var context: [String: JinjaValue]
    var text: String?
    var error: String?
    var generation: [Range<Int>]?

    var testDescription: String { "\(template) × \(conversation)" }

    static let folder = Fixtures.root.appendingPathComponent("chat-templates")

    static let all: [JinjaGoldenCase] = {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("goldens.jsonl"), encoding: .utf8) else { return [] }
        var conversations: [String: JSONObject] = [:]
        var specials: [String: JSONObject] = [:]
        var sources: [String: String] = [:]
        var cases: [JinjaGoldenCase] = []
        for line in text.split(separator: "\n") {
            guard case .object(let object)? = try? JSONParser.parse(String(line)), case .string(let kind)? = object["kind"] else { continue }
            switch kind {
            case "conversation":
                if case .string(let id)? = object["id"] { conversations[id] = object }
            case "template":
                guard case .string(let name)? = object["name"] else { continue }
                if case .object(let special)? = object["special_tokens"] { specials[name] = special }
                let url = folder.appendingPathComponent("templates").appendingPathComponent(name + ".jinja")
                sources[name] = try? String(contentsOf: url, encoding: .utf8)
            case "case":
                guard case .string(let name)? = object["template"], case .string(let conversationID)? = object["conversation"],
                      let conversation = conversations[conversationID], let source = sources[name]
                else { continue }
                var golden = JinjaGoldenCase(
                    template: name, conversation: conversationID, source: source,
                    context: context(conversation, specials[name] ?? JSONObject()))
                if case .string(let value)? = object["text"] { golden.text = value }
                if case .string(let value)? = object["error"] { golden.error = value }
                if case .array(let spans)? = object["generation"] {
                    golden.generation = spans.compactMap { span in
                        guard case .array(let bounds) = span, bounds.count == 2, case .integer(let start) = bounds[0],
                              case .integer(let end) = bounds[1] else { return nil }
                        return Int(start)..<Int(end)
                    }
                }
                cases.append(golden)
            default:
                continue
            }
        }
        return cases
    }()

    /// transformers 5.23's preprocessing: null-valued keys dropped, then reasoning aliased as
    /// `{"thinking": r, **message, "reasoning_content": r}`.
    static func context(_ conversation: JSONObject, _ special: JSONObject) -> [String: JinjaValue] {
        var messages: [JinjaValue] = []
        if case .array(let items)? = conversation["messages"] {
            for item in items {
                guard case .object(let object) = item else { continue }
                var message = JinjaDict()
                for member in object.members where member.value != .null { message[member.key] = JinjaValue(member.value) }
                if let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap({ message[$0] }).first {
                    var aliased = JinjaDict([("thinking", reasoning)])
                    for (key, value) in message.pairs where key != "thinking" { aliased[key] = value }
                    if message["thinking"] != nil { aliased["thinking"] = message["thinking"] }
                    aliased["reasoning_content"] = reasoning
                    message = aliased
                }
                messages.append(.dict(message))
            }
        }
        var context: [String: JinjaValue] = [:]
        for member in special.members { context[member.key] = JinjaValue(member.value) }
        if case .object(let kwargs)? = conversation["kwargs"] {
            for member in kwargs.members { context[member.key] = JinjaValue(member.value) }
        }
        context["add_generation_prompt"] = context["add_generation_prompt"] ?? .bool(false)
        context["messages"] = .list(messages)
        context["tools"] = conversation["tools"].map(JinjaValue.init) ?? JinjaValue.none
        context["documents"] = JinjaValue.none
        return context
    }

    /// `strftime_now`'s pinned time (`VERSIONS.json`: 2026-01-15T09:30:00, local time).
    static let now: Date = {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (2026, 1, 15, 9, 30)
        return Calendar(identifier: .gregorian).date(from: components) ?? Date()
    }()
}

@Suite("Jinja on TRL 1.16's chat templates (transformers 5.23.0 apply_chat_template, jinja2 3.1.6)")
struct JinjaChatTemplateGoldenTests {
    @Test("the goldens are present")
    func goldensLoad() {
        #expect(JinjaGoldenCase.all.count >= 1000)
    }

    @Test("each template renders each conversation byte for byte", arguments: JinjaGoldenCase.all)
    func golden(_ golden: JinjaGoldenCase) throws {
        let template = try JinjaTemplate(source: golden.source, name: golden.template)
        if let text = golden.text {
            let rendering = try template.render(golden.context, now: JinjaGoldenCase.now)
            #expect(rendering.text == text)
            if let generation = golden.generation {
                #expect(rendering.generations.map(\.range) == generation)
            }
        } else {
            #expect(throws: JinjaError.self, "transformers raised \(golden.error ?? "")") {
                try template.render(golden.context, now: JinjaGoldenCase.now)
            }
        }
    }
}
