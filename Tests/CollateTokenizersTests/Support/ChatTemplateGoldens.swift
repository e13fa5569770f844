import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// `Tests/Fixtures/chat-templates/goldens.jsonl`: TRL 1.16.0's chat templates rendered by
/// transformers 5.23.0 (`apply_chat_template(..., tokenize=False)`) on every conversation, with
/// the `{% generation %}` spans of the tagged ones. Written by
/// `Tests/Fixtures/scripts/make_chat_template_goldens.py`.
enum ChatTemplateGoldens {
    struct Conversation: Sendable {
        var id: String
        var conversation: ChatConversation
    }

    struct Template: Sendable {
        var name: String
        var specialTokens: [String: String]
        var hasGeneration: Bool
        var source: String
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var template: String
        var conversation: String
        var text: String?
        var error: String?
        var generation: [Range<Int>]?
        var testDescription: String { "\(template) / \(conversation)" }
    }

    struct Data: Sendable {
        var conversations: [String: Conversation] = [:]
        var conversationOrder: [String] = []
        var templates: [String: Template] = [:]
        var cases: [Case] = []
    }

    static let folder = Fixtures.root.appendingPathComponent("chat-templates")

    /// The date `strftime_now` returns in the goldens (`VERSIONS.json`: 2026-01-15T09:30:00, local time).
    static let now: Date = {
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute) = (2026, 1, 15, 9, 30)
        return Calendar.current.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }()

    static let data: Data = {
        do {
            return try load()
        } catch {
            // Surfaced by `loadsEveryLine`; an empty set would otherwise pass silently.
            return Data()
        }
    }()

    static func load() throws -> Data {
        let text = try String(contentsOf: folder.appendingPathComponent("goldens.jsonl"), encoding: .utf8)
        var data = Data()
        for line in text.split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(line)) else { continue }
            switch object["kind"] {
            case .string("conversation")?:
                guard case .string(let id)? = object["id"], case .array(let items)? = object["messages"] else { continue }
                var lineObject = JSONObject([("messages", .array(items))])
                if let tools = object["tools"] { lineObject["tools"] = tools }
                if case .object(let kwargs)? = object["kwargs"] {
                    for member in kwargs.members { lineObject[member.key] = member.value }
                }
                data.conversations[id] = Conversation(id: id, conversation: try ChatConversation(line: lineObject))
                data.conversationOrder.append(id)
            case .string("template")?:
                guard case .string(let name)? = object["name"], case .object(let special)? = object["special_tokens"],
                      case .bool(let hasGeneration)? = object["has_generation"] else { continue }
                var tokens: [String: String] = [:]
                for member in special.members { if case .string(let value) = member.value { tokens[member.key] = value } }
                let source = try String(
                    contentsOf: folder.appendingPathComponent("templates").appendingPathComponent(name + ".jinja"), encoding: .utf8)
                data.templates[name] = Template(name: name, specialTokens: tokens, hasGeneration: hasGeneration, source: source)
            case .string("case")?:
                guard case .string(let template)? = object["template"], case .string(let conversation)? = object["conversation"]
                else { continue }
                var golden = Case(template: template, conversation: conversation)
                if case .string(let text)? = object["text"] { golden.text = text }
                if case .string(let error)? = object["error"] { golden.error = error }
                if case .array(let spans)? = object["generation"] {
                    golden.generation = spans.compactMap { span -> Range<Int>? in
                        guard case .array(let pair) = span, pair.count == 2, case .integer(let start) = pair[0],
                              case .integer(let end) = pair[1] else { return nil }
                        return Int(start)..<Int(end)
                    }
                }
                data.cases.append(golden)
            default:
                continue
            }
        }
        return data
    }

    /// The template named `name` as Collate loads it, with the goldens' special tokens and date.
    static func chatTemplate(_ name: String) -> ChatTemplate? {
        guard let template = data.templates[name] else { return nil }
        var chatTemplate = ChatTemplate(source: template.source, name: name + ".jinja", specialTokens: template.specialTokens)
        chatTemplate.now = now
        return chatTemplate
    }

    /// Every case, for parameterized tests (loaded once).
    static var cases: [Case] { data.cases }
}
