import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Token level: `ChatTemplate.tokenize` with a real tokenizer gives the `input_ids` and
/// `assistant_masks` of transformers 5.23's `apply_chat_template(..., tokenize=True,
/// return_assistant_tokens_mask=True)` (`Tests/Fixtures/chat-templates/token-goldens.jsonl`,
/// tokenizer `mistral-v1-chatml`).
@Suite struct ChatTemplateTokenGoldenTests {
    struct TokenCase: Sendable, CustomTestStringConvertible {
        var template: String
        var conversation: String
        var inputIDs: [Int32]
        var assistantMasks: [Int32]
        var testDescription: String { "\(template) / \(conversation)" }

        /// The lines of a `token-goldens.jsonl` (empty when the file cannot be read: the count
        /// tests then fail).
        static func read(_ url: URL) -> [TokenCase] {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { line -> TokenCase? in
                guard case .object(let object)? = try? JSONParser.parse(String(line)),
                      case .string(let template)? = object["template"], case .string(let conversation)? = object["conversation"],
                      case .array(let ids)? = object["input_ids"], case .array(let masks)? = object["assistant_masks"]
                else { return nil }
                func ints(_ values: [JSONValue]) -> [Int32] {
                    values.compactMap { if case .integer(let value) = $0 { Int32(value) } else { nil } }
                }
                return TokenCase(template: template, conversation: conversation, inputIDs: ints(ids), assistantMasks: ints(masks))
            }
        }
    }

    static let cases = TokenCase.read(ChatTemplateGoldens.folder.appendingPathComponent("token-goldens.jsonl"))

    @Test func everyLineLoads() {
        #expect(Self.cases.count == 147)
    }

    /// Generation-tagged training templates: HF's masks exactly.
    @Test(arguments: cases)
    func trainingTemplateMatchesTransformers(_ golden: TokenCase) throws {
        let tokenizer = try Fixtures.tokenizer("mistral-v1-chatml")
        let template = try #require(ChatTemplateGoldens.chatTemplate(golden.template))
        let conversation = try #require(ChatTemplateGoldens.data.conversations[golden.conversation]).conversation
        let chat = try template.tokenize(conversation, with: tokenizer)
        #expect(chat.inputIDs == golden.inputIDs)
        #expect(chat.assistantMasks == golden.assistantMasks)
    }

    /// Llama 3, whose TRL variant does not depart from Collate's rule: the ORIGINAL template
    /// gives the training variant's token masks on every conversation.
    @Test func llama3OriginalGivesTheTrainingMasks() throws {
        let tokenizer = try Fixtures.tokenizer("mistral-v1-chatml")
        let original = try #require(ChatTemplateGoldens.chatTemplate("llama3"))
        let cases = Self.cases.filter { $0.template == "llama3_training" }
        #expect(cases.count == 28)
        for golden in cases {
            let conversation = try #require(ChatTemplateGoldens.data.conversations[golden.conversation]).conversation
            let chat = try original.tokenize(conversation, with: tokenizer)
            #expect(chat.inputIDs == golden.inputIDs, "\(golden.conversation)")
            #expect(chat.assistantMasks == golden.assistantMasks, "\(golden.conversation)")
        }
    }
}
