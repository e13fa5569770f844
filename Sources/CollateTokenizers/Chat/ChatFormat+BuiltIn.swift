// MARK: - Built-in formats

extension ChatFormat {
    /// Names of the built-in formats, in the order ``named(_:)`` lists them.
    public static let builtInNames: [String] = [
        "chatml", "mistral-inst", "mistral-tekken", "alpaca", "llama-3", "gemma", "phi-3", "qwen",
    ]

    /// The built-in format called `name`.
    ///
    /// - Parameter name: One of ``builtInNames``.
    /// - Returns: The format.
    /// - Throws: ``ChatFormatError/unknownFormat(name:known:)`` listing the known names.
    public static func named(_ name: String) throws -> ChatFormat {
        switch name {
        case "chatml": return .chatml
        case "mistral-inst": return .mistralInst
        case "mistral-tekken": return .mistralTekken
        case "alpaca": return .alpaca
        case "llama-3": return .llama3
        case "gemma": return .gemma
        case "phi-3": return .phi3
        case "qwen": return .qwen
        default: throw ChatFormatError.unknownFormat(name: name, known: builtInNames)
        }
    }

    /// ChatML: `<|im_start|>{role}\n{content}<|im_end|>\n` per message; the generation region
    /// is the assistant content plus `<|im_end|>` (not the newline after it).
    ///
    /// Exactly the ChatML template in `Tests/Fixtures/golden/chat_templates.json`. Roles: system, user, assistant.
    public static let chatml = ChatFormat(name: "chatml", supportedRoles: ["system", "user", "assistant"]) {
        output, messages, _ in
        for (index, message) in messages.enumerated() {
            output.appendMessage(
                index: index, role: message.role, prefix: "<|im_start|>" + message.role + "\n",
                content: message.content, endOfTurn: "<|im_end|>", suffix: "\n",
                generation: message.role == "assistant")
        }
    }

    /// Mistral v1 instruct: `<s>[INST] {user} [/INST]{assistant}</s>...`; the generation region
    /// is the assistant content plus EOS.
    ///
    /// Exactly `chat_templates.json["mistral-inst"]` with the tokenizer's `bos_token`/`eos_token`.
    /// Roles: user, assistant. The Jinja template silently drops a `system` message; this format
    /// rejects it instead, since dropping a system prompt trains on a different conversation
    /// (use `mistral-tekken`, which renders `[SYSTEM_PROMPT]`, or fold it into the first user turn).
    public static let mistralInst = ChatFormat(name: "mistral-inst", supportedRoles: ["user", "assistant"]) {
        output, messages, special in
        output.append(try require(special.bos, "bos_token", in: "mistral-inst"))
        let eos = try require(special.eos, "eos_token", in: "mistral-inst")
        for (index, message) in messages.enumerated() {
            if message.role == "user" {
                output.appendMessage(
                    index: index, role: message.role, prefix: "[INST] ", content: message.content, suffix: " [/INST]")
            } else {
                output.appendMessage(
                    index: index, role: message.role, content: message.content, endOfTurn: eos, generation: true)
            }
        }
    }

    /// Mistral Tekken (v3+): `<s>[SYSTEM_PROMPT]{system}[/SYSTEM_PROMPT][INST]{user}[/INST]{assistant}</s>`,
    /// with no spaces around the markers; the generation region is the assistant content plus EOS.
    ///
    /// Exactly `chat_templates.json["mistral-tekken"]`. Roles: system, user, assistant.
    public static let mistralTekken = ChatFormat(
        name: "mistral-tekken", supportedRoles: ["system", "user", "assistant"]
    ) { output, messages, special in
        output.append(try require(special.bos, "bos_token", in: "mistral-tekken"))
        let eos = try require(special.eos, "eos_token", in: "mistral-tekken")
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "system":
                output.appendMessage(
                    index: index, role: message.role, prefix: "[SYSTEM_PROMPT]", content: message.content,
                    suffix: "[/SYSTEM_PROMPT]")
            case "user":
                output.appendMessage(
                    index: index, role: message.role, prefix: "[INST]", content: message.content, suffix: "[/INST]")
            default:
                output.appendMessage(
                    index: index, role: message.role, content: message.content, endOfTurn: eos, generation: true)
            }
        }
    }

    /// Alpaca: `{system}\n\n### Instruction:\n{user}\n\n### Response:\n{assistant}</s>\n\n`; the
    /// generation region is the assistant content plus EOS (not the `### Response:\n` header).
    ///
    /// Exactly `chat_templates.json["alpaca"]` (no BOS in the text). Roles: system, user, assistant.
    public static let alpaca = ChatFormat(name: "alpaca", supportedRoles: ["system", "user", "assistant"]) {
        output, messages, special in
        let eos = try require(special.eos, "eos_token", in: "alpaca")
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "system":
                output.appendMessage(index: index, role: message.role, content: message.content, suffix: "\n\n")
            case "user":
                output.appendMessage(
                    index: index, role: message.role, prefix: "### Instruction:\n", content: message.content,
                    suffix: "\n\n")
            default:
                output.appendMessage(
                    index: index, role: message.role, prefix: "### Response:\n", content: message.content,
                    endOfTurn: eos, suffix: "\n\n", generation: true)
            }
        }
    }

    /// Llama 3.0 Instruct (not 3.1, 3.2 or 3.3): `<|begin_of_text|>` then
    /// `<|start_header_id|>{role}<|end_header_id|>\n\n{content | trim}<|eot_id|>` per message.
    ///
    /// Follows Meta-Llama-3-8B-Instruct's published template. Llama 3.1 and later render a
    /// system block with `Cutting Knowledge Date` / `Today Date` and tools, which this format
    /// does not: pass their own template instead (``ChatTemplate``, `--template MODEL_FOLDER`); content is trimmed as the template's `| trim` does. `<|begin_of_text|>` is written
    /// literally, whatever the tokenizer's BOS. Generation region: trimmed assistant content plus
    /// `<|eot_id|>`. Roles: system, user, assistant.
    public static let llama3 = ChatFormat(name: "llama-3", supportedRoles: ["system", "user", "assistant"]) {
        output, messages, _ in
        output.append("<|begin_of_text|>")
        for (index, message) in messages.enumerated() {
            output.appendMessage(
                index: index, role: message.role,
                prefix: "<|start_header_id|>" + message.role + "<|end_header_id|>\n\n",
                content: message.content._jinjaTrimmed, endOfTurn: "<|eot_id|>",
                generation: message.role == "assistant")
        }
    }

    /// Gemma (1 and 2): `<bos>` then `<start_of_turn>{user|model}\n{content | trim}<end_of_turn>\n`.
    ///
    /// Follows google/gemma-2-9b-it's published template: no system role (it raises; so does
    /// this format, with the index and role), turns must alternate user/assistant starting with
    /// user, the assistant is called `model`, content is trimmed. `<bos>` is written literally.
    /// Generation region: trimmed assistant content plus `<end_of_turn>` (not the newline).
    public static let gemma = ChatFormat(name: "gemma", supportedRoles: ["user", "assistant"]) {
        output, messages, _ in
        output.append("<bos>")
        for (index, message) in messages.enumerated() {
            let expected = index % 2 == 0 ? "user" : "assistant"
            guard message.role == expected else {
                throw ChatFormatError.rolesMustAlternate(
                    messageIndex: index, role: message.role, format: "gemma", expected: expected)
            }
            let isAssistant = message.role == "assistant"
            output.appendMessage(
                index: index, role: message.role,
                prefix: "<start_of_turn>" + (isAssistant ? "model" : "user") + "\n",
                content: message.content._jinjaTrimmed, endOfTurn: "<end_of_turn>", suffix: "\n",
                generation: isAssistant)
        }
    }

    /// Phi-3: `<|{role}|>\n{content}<|end|>\n` per message, then `<|endoftext|>`.
    ///
    /// Follows microsoft/Phi-3-mini-4k-instruct's published template (the revision with a system
    /// role), without a generation prompt, so the text ends in Phi-3's EOS `<|endoftext|>`,
    /// written literally. Generation region: assistant content plus `<|end|>`; the final
    /// `<|endoftext|>` is outside every turn and never trained. Roles: system, user, assistant.
    public static let phi3 = ChatFormat(name: "phi-3", supportedRoles: ["system", "user", "assistant"]) {
        output, messages, _ in
        for (index, message) in messages.enumerated() {
            output.appendMessage(
                index: index, role: message.role, prefix: "<|" + message.role + "|>\n",
                content: message.content, endOfTurn: "<|end|>", suffix: "\n",
                generation: message.role == "assistant")
        }
        output.append("<|endoftext|>")
    }

    /// Qwen 2.5's default system prompt, which its template inserts when the conversation does
    /// not start with a system message.
    public static let qwenDefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    /// Qwen 2.5: ChatML, plus Qwen's default system turn
    /// (`<|im_start|>system\n` + ``qwenDefaultSystemPrompt`` + `<|im_end|>\n`) when the first
    /// message is not a system message.
    ///
    /// Follows Qwen/Qwen2.5-7B-Instruct's published template for conversations without tools.
    /// The inserted system turn belongs to no input message (it has no ``ChatMessageSpan``). For
    /// Qwen 3 or plain ChatML-with-system behaviour use ``qwen(defaultSystemPrompt:)`` with `nil`.
    public static let qwen = qwen(defaultSystemPrompt: qwenDefaultSystemPrompt)

    /// A Qwen-style ChatML format with a configurable default system prompt.
    ///
    /// - Parameter defaultSystemPrompt: Inserted as a system turn when the first message is not
    ///   a system message; `nil` renders exactly ``chatml``.
    /// - Returns: A format named `qwen`.
    public static func qwen(defaultSystemPrompt: String?) -> ChatFormat {
        ChatFormat(name: "qwen", supportedRoles: ["system", "user", "assistant"]) { output, messages, _ in
            if let defaultSystemPrompt, messages.first?.role != "system" {
                output.append("<|im_start|>system\n" + defaultSystemPrompt + "<|im_end|>\n")
            }
            for (index, message) in messages.enumerated() {
                output.appendMessage(
                    index: index, role: message.role, prefix: "<|im_start|>" + message.role + "\n",
                    content: message.content, endOfTurn: "<|im_end|>", suffix: "\n",
                    generation: message.role == "assistant")
            }
        }
    }
}
