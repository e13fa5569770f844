import Collate

extension ChatTemplate {
    /// The variables a chat template sees for `conversation`, in order (a later name overrides an
    /// earlier one, as in transformers' `apply_chat_template(messages, tools=...,
    /// add_generation_prompt=..., **special_tokens, **variables)`): the special tokens, the
    /// conversation's variables (`chat_template` aside, which picks the template), `messages`
    /// preprocessed as transformers 5.23 does (null keys dropped, reasoning aliased), `tools`
    /// (`none` without), `documents` (`none` unless the conversation has its own) and
    /// `add_generation_prompt`.
    ///
    /// Every value is converted from JSON straight into the interpreter's values: no intermediate
    /// JSON objects, no dictionary hashing each name (this runs for every render).
    ///
    /// - Parameters:
    ///   - conversation: The conversation.
    ///   - specialTokens: The tokenizer's named special tokens.
    /// - Returns: The variables in order.
    package static func templateVariables(for conversation: ChatConversation, specialTokens: [String: String])
        -> [(key: String, value: JinjaValue)]
    {
        var variables: [(key: String, value: JinjaValue)] = []
        variables.reserveCapacity(specialTokens.count + conversation.variables.members.count + 4)
        for (key, value) in specialTokens where key != "chat_template" { variables.append((key, .string(value))) }
        var hasDocuments = false
        for member in conversation.variables.members {
            switch member.key.utf8.count {
            case 13 where member.key == "chat_template": continue
            case 9 where member.key == "documents": hasDocuments = true
            default: break
            }
            variables.append((member.key, JinjaValue(member.value)))
        }
        variables.append(("messages", .list(JinjaValue._preprocessedMessages(conversation.messages.lazy.map(\.fields)))))
        variables.append(("tools", conversation.tools.map { JinjaValue(.array($0)) } ?? JinjaValue.none))
        // A line's own `documents` (RAG templates) is passed as transformers passes `documents=`.
        if !hasDocuments { variables.append(("documents", JinjaValue.none)) }
        variables.append(("add_generation_prompt", .bool(conversation.addGenerationPrompt)))
        return variables
    }
}
