import Foundation
import Testing
@testable import CollateTokenizers

/// Locates `Tests/Fixtures/golden` from this file's path (tests read only their own fixtures, never the shared reference folder).
enum ChatGolden {
    static let directory = Fixtures.url("golden")

    static func lines(_ name: String) -> [Substring] {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path),
              let text = String(data: data, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true)
    }

    /// The 300 cases of `chat.jsonl`.
    static let chatCases: [ChatCase] = lines("chat.jsonl").compactMap {
        try? JSONDecoder().decode(ChatCase.self, from: Data($0.utf8))
    }

    /// The per-conversation rows of `compat.jsonl` (those without a collator `spec`).
    static let compatRows: [CompatRow] = lines("compat.jsonl").compactMap {
        guard let row = try? JSONDecoder().decode(CompatRow.self, from: Data($0.utf8)),
              row.template != nil, row.inputIDs != nil
        else { return nil }
        return row
    }

    /// `chat_templates.json`: template name to Jinja source.
    static let templates: [String: String] = {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("chat_templates.json").path),
              let object = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return object
    }()
}

/// One line of `chat.jsonl`: `apply_chat_template(..., return_assistant_tokens_mask=True)`.
struct ChatCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        var text: String
        var inputIDs: [Int32]
        var assistantMasks: [Int32]
        enum CodingKeys: String, CodingKey {
            case text, inputIDs = "input_ids", assistantMasks = "assistant_masks"
        }
    }
    var id: String
    var template: String
    var tokenizer: String
    var messages: [ChatMessage]
    var expected: Expected

    var testDescription: String { id }
}

/// One per-conversation line of `compat.jsonl`: TRL and Unsloth labels for the same ids.
struct CompatRow: Decodable, Sendable {
    struct Expected: Decodable, Sendable {
        var trlLabels: [Int32]?
        var trlLabelsResponseOnly: [Int32]?
        var unslothLabels: [Int32]?
        enum CodingKeys: String, CodingKey {
            case trlLabels = "trl_labels", trlLabelsResponseOnly = "trl_labels_response_only"
            case unslothLabels = "unsloth_labels"
        }
    }
    var id: String
    var template: String?
    var tokenizer: String?
    var inputIDs: [Int32]?
    var expected: Expected
    enum CodingKeys: String, CodingKey {
        case id, template, tokenizer, inputIDs = "input_ids", expected
    }
}
