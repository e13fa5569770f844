import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// The span rule ends an assistant turn at its end-of-turn marker: text a template writes after
/// the marker (a tag, the next turn's header, a final EOS on a later line) is not trained, only
/// the whitespace-trimmed text through the marker.
@Suite struct ChatTemplateEndOfTurnTests {
    static func spanTexts(_ source: String, _ conversation: ChatConversation,
                          special: [String: String] = [:]) throws -> [String] {
        let rendered = try ChatTemplate(source: source, name: "attack.jinja", specialTokens: special).render(conversation)
        return rendered.generations.compactMap { rendered.substring($0.range).map(String.init) }
    }

    static let conversation = ChatConversation([
        .system("Be brief."), .user("Hi"), .assistant("Hello!"), .user("Bye"), .assistant("Goodbye."),
    ])

    /// ChatML that writes `[extra]` after every assistant `<|im_end|>`, inside the message loop:
    /// each span stops at `<|im_end|>`.
    @Test func textAfterMarkerInLoopIsNotTrained() throws {
        let source = """
        {%- for message in messages %}{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\
        {%- if message.role == 'assistant' %}{{ '[extra]\\n' }}{% endif %}{%- endfor %}\
        {%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """
        #expect(try Self.spanTexts(source, Self.conversation) == ["Hello!<|im_end|>", "Goodbye.<|im_end|>"])
    }

    /// The same template walking `messages` by index (no provenance for the turn): the spans found
    /// by prefix rendering stop at the marker too.
    @Test func textAfterMarkerByIndexIsNotTrained() throws {
        let source = """
        {%- for i in range(messages | length) %}{{ '<|im_start|>' + messages[i].role + '\\n' + messages[i].content + '<|im_end|>\\n' }}\
        {%- if messages[i].role == 'assistant' %}{{ '[extra]\\n' }}{% endif %}{%- endfor %}\
        {%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """
        #expect(try Self.spanTexts(source, Self.conversation) == ["Hello!<|im_end|>", "Goodbye.<|im_end|>"])
    }

    /// Text after the marker on the same line, with no whitespace between: still cut.
    @Test func textGluedToMarkerIsNotTrained() throws {
        let source = """
        {%- for message in messages %}{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' }}\
        {%- if message.role == 'assistant' %}{{ '<extra/>' }}{% endif %}{{ '\\n' }}{%- endfor %}\
        {%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """
        #expect(try Self.spanTexts(source, Self.conversation) == ["Hello!<|im_end|>", "Goodbye.<|im_end|>"])
    }

    /// A template whose end-of-turn marker is its own `eos_token` (not a well-known marker): the
    /// span stops at the EOS, the footer after it is not trained.
    @Test func eosTokenIsAMarker() throws {
        let source = """
        {%- for message in messages %}{{ '### ' + message.role + ':\\n' + message.content }}\
        {%- if message.role == 'assistant' %}{{ eos_token + '\\n(footer)' }}{% endif %}{{ '\\n' }}{%- endfor %}\
        {%- if add_generation_prompt %}{{ '### assistant:\\n' }}{% endif %}
        """
        #expect(try Self.spanTexts(source, Self.conversation, special: ["eos_token": "<|stop|>"])
            == ["Hello!<|stop|>", "Goodbye.<|stop|>"])
    }

    /// A turn without any marker keeps the old rule: everything through the turn, whitespace out.
    @Test func turnWithoutMarkerKeepsItsText() throws {
        let source = """
        {%- for message in messages %}{{ message.role + ': ' + message.content + '\\n\\n' }}{%- endfor %}\
        {%- if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}
        """
        #expect(try Self.spanTexts(source, Self.conversation) == ["Hello!", "Goodbye."])
    }

    /// Several generated turns in one message (gpt-oss style analysis then final): the span runs
    /// through the last marker, and the text after it is cut.
    @Test func lastMarkerOfTheMessageEndsIt() throws {
        let source = """
        {%- for message in messages %}{%- if message.role == 'assistant' %}\
        {{ '<|start|>assistant<|channel|>analysis<|message|>' + message.reasoning_content + '<|end|>' }}\
        {{ '<|start|>assistant<|channel|>final<|message|>' + message.content + '<|return|>[after]' }}\
        {%- else %}{{ '<|start|>' + message.role + '<|message|>' + message.content + '<|end|>' }}{%- endif %}{%- endfor %}\
        {%- if add_generation_prompt %}{{ '<|start|>assistant' }}{% endif %}
        """
        var answer = ChatMessage.assistant("Hello!")
        answer.fields["reasoning_content"] = .string("Greet.")
        let conversation = ChatConversation([.user("Hi"), answer])
        #expect(try Self.spanTexts(source, conversation) == [
            "<|channel|>analysis<|message|>Greet.<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>",
        ])
    }

    /// Token masks follow the span: with mistral-v1-chatml, `[extra]`'s tokens are 0 and
    /// `<|im_end|>` is 1.
    @Test func tokenMaskStopsAtMarker() throws {
        let source = """
        {%- for message in messages %}{{ '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\
        {%- if message.role == 'assistant' %}{{ '[extra]\\n' }}{% endif %}{%- endfor %}\
        {%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """
        let template = ChatTemplate(source: source, name: "attack.jinja")
        let chat = try template.tokenize(ChatConversation([.user("Hi"), .assistant("Hello!")]),
                                         with: try Fixtures.tokenizer("mistral-v1-chatml"))
        let scalars = Array(chat.text.unicodeScalars)
        var trained = ""
        for (index, range) in chat.encoding.offsets.enumerated() where chat.assistantMasks[index] == 1 {
            trained += String(String.UnicodeScalarView(scalars[range]))
        }
        #expect(trained.hasSuffix("<|im_end|>"))
        #expect(!trained.contains("extra"))
    }
}
