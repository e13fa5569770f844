import Collate

// The markers a chat format writes and whether a tokenizer keeps each as one token: the
// tokenizer side of the validator's `template-tokens-missing` rule.

extension ChatFormat {
    /// The special markers a built-in format writes that must each be one token of the tokenizer
    /// (`<|im_start|>` and `<|im_end|>` for ChatML), or `[]` for a format that writes only plain
    /// text and the tokenizer's own BOS/EOS (`alpaca`, `mistral-inst`, whose `[INST]` is plain
    /// text for the Mistral v1 tokenizer, as its own template writes it).
    /// - Parameter name: A built-in format's name (``builtInNames``).
    /// - Returns: The markers, in the order the format writes them first.
    public static func markers(ofFormatNamed name: String) -> [String] {
        switch name {
        case "chatml", "qwen": ["<|im_start|>", "<|im_end|>"]
        case "mistral-tekken": ["[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[INST]", "[/INST]"]
        case "llama-3": ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        case "gemma": ["<bos>", "<start_of_turn>", "<end_of_turn>"]
        case "phi-3": ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>"]
        default: []
        }
    }

    /// The special markers this format writes (``markers(ofFormatNamed:)`` of its name).
    public var markers: [String] { Self.markers(ofFormatNamed: name) }

    /// The special markers a Jinja chat template's source writes: every `<|…|>` marker and the
    /// angle-bracket turn markers of the published templates (`<start_of_turn>`, `<end_of_turn>`,
    /// `<bos>`, `<eos>`), in order of first occurrence.
    ///
    /// `{{ bos_token }}`-style variables are the tokenizer's own tokens and are not listed.
    /// - Parameter source: The template text.
    /// - Returns: The markers, without repeats.
    /// - Complexity: O(*n*) in the template's length.
    public static func markers(inTemplate source: String) -> [String] {
        let known: Set<String> = ["<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>"]
        let scalars = Array(source.unicodeScalars)
        var found: [String] = []
        var seen = Set<String>()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "<" else { index += 1; continue }
            var end = index + 1
            while end < scalars.count, end - index <= 48, scalars[end] != ">", scalars[end] != "<",
                  !scalars[end].properties.isWhitespace, scalars[end] != "'", scalars[end] != "\"" {
                end += 1
            }
            guard end < scalars.count, scalars[end] == ">" else { index += 1; continue }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[index...end])
            let isPipeMarker = text.count >= 5 && text.hasPrefix("<|") && text.hasSuffix("|>")
            if (isPipeMarker || known.contains(text)) && seen.insert(text).inserted { found.append(text) }
            index = end + 1
        }
        return found
    }

    /// The built-in formats that render `role` and whose markers `tokenizer` keeps as single
    /// tokens: the formats it is safe to suggest, e.g. when a format refuses a system prompt.
    /// - Parameters:
    ///   - role: The role the format must render, e.g. `"system"`.
    ///   - tokenizer: The tokenizer the conversations are encoded with.
    /// - Returns: Format names in ``builtInNames`` order.
    public static func builtInNames(rendering role: String, markersKeptBy tokenizer: some Tokenizer) -> [String] {
        builtInNames.filter { name in
            guard let format = try? ChatFormat.named(name), format.supportedRoles.contains(role) else { return false }
            return format.markers.allSatisfy { tokenizer.markerPieces($0) == [$0] }
        }
    }

    /// What to tell a user whose conversation has a system prompt this format refuses, for
    /// this tokenizer: the built-in formats that render one and whose markers the tokenizer has,
    /// or, when there are none, to fold the system prompt into the first user turn. Never a
    /// format whose markers the tokenizer would split into text pieces (`template-tokens-missing`).
    /// - Parameter tokenizer: The tokenizer the conversations are encoded with.
    /// - Returns: One sentence.
    public func systemPromptAdvice(for tokenizer: some Tokenizer) -> String {
        let safe = Self.builtInNames(rendering: "system", markersKeptBy: tokenizer).filter { $0 != name }
        let fold = "fold the system prompt into the first user message"
        guard !safe.isEmpty else {
            return "\(fold) (no built-in format that renders a system turn has its markers in this tokenizer)"
        }
        return "\(fold), or use a format that renders it and whose markers this tokenizer has: "
            + safe.map { "'\($0)'" }.joined(separator: ", ")
    }
}

extension Tokenizer {
    /// The token strings this tokenizer makes of `marker` encoded alone without special tokens
    /// added: `[marker]` when it is one token (an added or special token), otherwise its pieces
    /// (ChatML's `<|im_end|>` is seven pieces for the Mistral v1 tokenizer).
    /// - Parameter marker: A chat template marker.
    /// - Returns: The pieces; `"<id N>"` for an id the tokenizer cannot name, and the whole
    ///   marker as one unknown piece when encoding fails.
    public func markerPieces(_ marker: String) -> [String] {
        guard let encoding = try? encodeWithOffsets(text: marker, addSpecialTokens: false) else { return ["<unencodable \(marker)>"] }
        return encoding.ids.map { convertIdToToken(Int($0)) ?? "<id \($0)>" }
    }
}

extension TemplateTokensMissingRule {
    /// The rule for a built-in chat format and a tokenizer: each of the format's markers must be
    /// one token of the tokenizer.
    /// - Parameters:
    ///   - format: The chat format.
    ///   - tokenizer: The tokenizer its text is encoded with.
    ///   - tokenizerName: How messages name the tokenizer (its path).
    public init(format: ChatFormat, tokenizer: some Tokenizer, tokenizerName: String = "the tokenizer") {
        self.init(template: format.name, tokenizer: tokenizerName, markers: format.markers) { tokenizer.markerPieces($0) }
    }

    /// The rule for a Jinja chat template's source and a tokenizer (markers found by
    /// ``ChatFormat/markers(inTemplate:)``).
    /// - Parameters:
    ///   - templateSource: The template text.
    ///   - templateName: How messages name the template (its file).
    ///   - tokenizer: The tokenizer its text is encoded with.
    ///   - tokenizerName: How messages name the tokenizer (its path).
    public init(templateSource: String, templateName: String, tokenizer: some Tokenizer, tokenizerName: String = "the tokenizer") {
        self.init(template: templateName, tokenizer: tokenizerName, markers: ChatFormat.markers(inTemplate: templateSource)) {
            tokenizer.markerPieces($0)
        }
    }
}
