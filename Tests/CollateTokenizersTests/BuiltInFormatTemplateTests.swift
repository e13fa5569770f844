import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// The built-in formats checked against the real templates TRL 1.16.0 ships for the same models,
/// as transformers 5.23 renders them (the chat-template goldens): on every golden conversation a
/// built-in can render (plain text, no tools, no generation prompt), its text must equal the
/// template's — or differ exactly as listed here.
@Suite struct BuiltInFormatTemplateTests {
    struct Pairing: Sendable, CustomTestStringConvertible {
        var format: String
        var template: String
        var testDescription: String { "\(format) vs \(template).jinja" }
    }

    static let pairings: [Pairing] = [
        Pairing(format: "llama-3", template: "llama3"),
        Pairing(format: "gemma", template: "gemma"),
        Pairing(format: "phi-3", template: "phi3"),
        Pairing(format: "qwen", template: "qwen2_5"),
        Pairing(format: "chatml", template: "qwen2_5"),
    ]

    /// Conversations where the built-in's text differs from the template's, with why.
    static let knownMismatches: [String: Set<String>] = [
        // Qwen 2.5's template inserts its default system prompt; plain ChatML does not.
        // (exactly the conversations without a system message).
        "chatml": ["single-turn", "multi-turn-no-system", "user-only-no-generation", "inline-think-tags",
                   "empty-assistant", "unicode-and-whitespace"],
    ]

    /// The goldens' conversations a built-in format can render: every message plain text, no
    /// tools, no generation prompt, no template variables.
    static func renderable(_ conversation: ChatConversation) -> Bool {
        conversation.tools == nil && !conversation.addGenerationPrompt && conversation.variables.members.isEmpty
            && conversation.messages.allSatisfy(\.isPlainText)
    }

    @Test(arguments: pairings)
    func builtInEqualsRealTemplate(_ pairing: Pairing) throws {
        let data = ChatTemplateGoldens.data
        let format = try ChatFormat.named(pairing.format)
        let special = try #require(data.templates[pairing.template]).specialTokens
        var compared = 0
        var mismatched: Set<String> = []
        for id in data.conversationOrder {
            let conversation = try #require(data.conversations[id]).conversation
            guard Self.renderable(conversation),
                  let golden = data.cases.first(where: { $0.template == pairing.template && $0.conversation == id })
            else { continue }
            let builtIn = Result {
                try format.render(conversation.messages, special: ChatSpecialTokens(bos: special["bos_token"], eos: special["eos_token"]))
            }
            switch (builtIn, golden.text) {
            case (.success(let rendered), let text?):
                compared += 1
                if rendered.text != text {
                    mismatched.insert(id)
                } else {
                    // Same text: the built-in's generation spans are Collate's rule on the template.
                    let template = try #require(ChatTemplateGoldens.chatTemplate(pairing.template))
                    #expect(rendered.generations.map(\.range) == (try template.render(conversation)).generations.map(\.range),
                            "\(id)")
                }
            case (.failure, nil):
                compared += 1  // both refuse (Gemma's system role, broken alternation)
            default:
                mismatched.insert(id)
            }
        }
        #expect(compared >= 8)
        #expect(mismatched == Self.knownMismatches[pairing.format, default: []], "\(pairing.testDescription)")
    }
}
