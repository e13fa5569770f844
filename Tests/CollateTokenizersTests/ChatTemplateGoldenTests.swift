import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Every TRL 1.16.0 chat template on every golden conversation renders byte for byte what
/// transformers 5.23.0's `apply_chat_template(..., tokenize=False)` renders, fails where it
/// fails, and — for the generation-tagged ones — records the same `{% generation %}` spans.
@Suite struct ChatTemplateGoldenTests {
    @Test func loadsEveryLine() throws {
        let data = try ChatTemplateGoldens.load()
        #expect(data.templates.count == 72)
        #expect(data.conversations.count == 28)
        #expect(data.cases.count == 72 * 28)
    }

    @Test(arguments: ChatTemplateGoldens.cases)
    func rendersAsTransformers(_ golden: ChatTemplateGoldens.Case) throws {
        let template = try #require(ChatTemplateGoldens.chatTemplate(golden.template))
        let conversation = try #require(ChatTemplateGoldens.data.conversations[golden.conversation]).conversation
        if let expected = golden.text {
            let rendered = try template.render(conversation)
            #expect(rendered.text == expected)
            #expect(rendered.scalarCount == expected.unicodeScalars.count)
            if let spans = golden.generation {
                #expect(rendered.generations.map(\.range) == spans)
            }
        } else {
            // transformers raised (the template's raise_exception, or a type/undefined error):
            // Collate must refuse too, naming the template.
            #expect {
                try template.render(conversation)
            } throws: { error in
                guard let error = error as? ChatTemplateError, case .renderFailed(let name, _) = error else { return false }
                return name == golden.template + ".jinja" && error.description.contains(golden.template)
            }
        }
    }
}
