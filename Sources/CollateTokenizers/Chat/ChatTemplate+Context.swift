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
    /// JSON objects, no dictionary hashing each name (this runs for every render). Given the
    /// template, a variable it never names is left out unconverted: the template could not read it.
    ///
    /// - Parameters:
    ///   - conversation: The conversation.
    ///   - specialTokens: The tokenizer's named special tokens.
    ///   - template: The template the variables are for, or `nil` for every variable.
    /// - Returns: The variables in order.
    package static func templateVariables(for conversation: ChatConversation, specialTokens: [String: String], template: JinjaTemplate? = nil)
        -> [(key: String, value: JinjaValue)]
    {
        let names = template?.names
        @inline(__always) func read(_ name: String) -> Bool { names.map { $0.id(of: name) != nil } ?? true }
        var variables: [(key: String, value: JinjaValue)] = []
        variables.reserveCapacity(specialTokens.count + conversation.variables.members.count + 4)
        for (key, value) in specialTokens where key != "chat_template" { variables.append((key, .string(value))) }
        // One converter for the whole conversation: its messages, tools and variables share key arrays.
        var converter = _JinjaJSONConverter()
        var hasDocuments = false
        for member in conversation.variables.members {
            switch member.key.utf8.count {
            case 13 where member.key == "chat_template": continue
            case 9 where member.key == "documents": hasDocuments = true
            default: break
            }
            guard read(member.key) else { continue }
            variables.append((member.key, converter.value(member.value)))
        }
        if read("messages") {
            variables.append(("messages", .list(converter.messages(conversation.messages.lazy.map(\.fields)))))
        }
        if read("tools") {
            variables.append(("tools", conversation.tools.map { converter.list($0) } ?? JinjaValue.none))
        }
        // A line's own `documents` (RAG templates) is passed as transformers passes `documents=`.
        if !hasDocuments { variables.append(("documents", JinjaValue.none)) }
        variables.append(("add_generation_prompt", .bool(conversation.addGenerationPrompt)))
        return variables
    }
}
