/// `template-tokens-missing`: a chat format's or template's special marker (`<|im_end|>`,
/// `<|eot_id|>`, `<end_of_turn>`, …) is not one token of the tokenizer, so rendering a
/// conversation splits it into text pieces: the model is trained to spell the marker out of
/// pieces, never learns it as one stop token, and its generations do not stop.
///
/// The rule knows nothing of tokenizers: it is given each marker and how the tokenizer splits
/// it (``Marker/pieces``), through a lookup closure (``init(template:markers:lookup:)``) or as
/// values. ChatML on the Mistral v1 tokenizer, for example, splits `<|im_end|>` into seven pieces.
///
/// ```swift
/// let rule = TemplateTokensMissingRule(template: "chatml", markers: ["<|im_start|>", "<|im_end|>"]) { marker in
///     tokenizer.tokenize(marker)          // ["▁<", "|", "im", "_", "end", "|", ">"]
/// }
/// let validator = Validator(rules: Validator.standardRules + [rule])
/// ```
public struct TemplateTokensMissingRule: ValidationRule {
    /// One marker and how the tokenizer splits it.
    public struct Marker: Sendable, Hashable {
        /// The marker as the format writes it, e.g. `<|im_end|>`.
        public var text: String
        /// The token strings the tokenizer makes of it; `[text]` when it is one token.
        public var pieces: [String]

        /// Creates a marker.
        /// - Parameters:
        ///   - text: The marker.
        ///   - pieces: The tokens the tokenizer makes of it.
        public init(text: String, pieces: [String]) {
            self.text = text
            self.pieces = pieces
        }

        /// Whether the tokenizer keeps the marker as one token.
        public var isOneToken: Bool { pieces == [text] }
    }

    /// The chat format's or template's name, for messages (`chatml`, `tokenizer_config.json`).
    public var template: String
    /// The tokenizer's name, for messages (its path).
    public var tokenizer: String
    /// Every marker and how the tokenizer splits it.
    public var markers: [Marker]

    /// Creates the rule from markers already looked up.
    /// - Parameters:
    ///   - template: The chat format's or template's name.
    ///   - tokenizer: The tokenizer's name.
    ///   - markers: Every marker the template writes, with the tokenizer's pieces.
    public init(template: String, tokenizer: String = "the tokenizer", markers: [Marker]) {
        self.template = template
        self.tokenizer = tokenizer
        self.markers = markers
    }

    /// Creates the rule by asking `lookup` how the tokenizer splits each marker.
    /// - Parameters:
    ///   - template: The chat format's or template's name.
    ///   - tokenizer: The tokenizer's name.
    ///   - markers: The markers the template writes (repeats are checked once).
    ///   - lookup: The token strings the tokenizer makes of a marker (encoding it alone, without
    ///     special tokens added); `[marker]` when it is one token.
    /// - Complexity: O(*m*) calls of `lookup` for *m* distinct markers.
    public init(template: String, tokenizer: String = "the tokenizer", markers: [String], lookup: (String) -> [String]) {
        var seen = Set<String>()
        let distinct = markers.filter { !$0.isEmpty && seen.insert($0).inserted }
        self.init(template: template, tokenizer: tokenizer, markers: distinct.map { Marker(text: $0, pieces: lookup($0)) })
    }

    public var code: Diagnostic.Code { .templateTokensMissing }

    /// One dataset-level error per marker the tokenizer does not keep as one token.
    public func check(_ context: ValidationContext) -> [Diagnostic] { diagnostics }

    /// The findings, without a validation context.
    /// - Complexity: O(*m*) in the number of markers.
    public var diagnostics: [Diagnostic] {
        markers.filter { !$0.isOneToken }.map { .templateTokensMissing($0, template: template, tokenizer: tokenizer) }
    }
}

extension Diagnostic {
    fileprivate static func templateTokensMissing(_ marker: TemplateTokensMissingRule.Marker, template: String, tokenizer: String) -> Diagnostic {
        let shown = marker.pieces.prefix(12).map { "'\($0)'" }.joined(separator: " ") + (marker.pieces.count > 12 ? " …" : "")
        return Diagnostic(.templateTokensMissing, message:
            "chat template '\(template)' writes the marker '\(marker.text)', but \(tokenizer) has no such token: it splits it into "
            + "\(marker.pieces.count) text piece\(marker.pieces.count == 1 ? "" : "s") (\(shown)), so every assistant turn trains the "
            + "model to spell '\(marker.text)' out of text pieces — it is never learned as one stop token and generations do not "
            + "stop (the batches still produce a loss, so nothing else catches this). Fix: use the chat template the model was "
            + "trained with (its tokenizer_config.json chat_template), or add '\(marker.text)' to the tokenizer as a special token "
            + "(tokenizer.add_special_tokens, then model.resize_token_embeddings) before tokenizing.")
    }
}
