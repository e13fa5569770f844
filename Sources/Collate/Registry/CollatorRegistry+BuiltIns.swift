extension CollatorRegistry {
    /// The built-in spec types (DESIGN.md's table) and their factories.
    static let builtIns: [String: Registration] = [
        "language-modeling": Registration(keys: ["pad_token_id", "padding_side", "pad_to_multiple_of"]) { spec in
            let padding = try spec.paddingOptions(withStrategy: false)
            return LanguageModelingCollator(padTokenID: padding.padTokenID, paddingSide: padding.side, padToMultipleOf: padding.padToMultipleOf)
        },
        "padding": Registration(keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of"]) { spec in
            PaddingCollator(padding: try spec.paddingOptions(withStrategy: true))
        },
        "seq2seq": Registration(keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of", "label_pad_token_id"]) { spec in
            let padding = try spec.paddingOptions(withStrategy: true)
            return Seq2SeqCollator(padding: padding, labelPadTokenID: try spec.int32("label_pad_token_id", default: ignoreIndex) ?? ignoreIndex)
        },
        "token-classification": Registration(keys: ["pad_token_id", "padding_side", "pad_to_multiple_of", "label_pad_token_id"]) { spec in
            let padding = try spec.paddingOptions(withStrategy: false)
            return TokenClassificationCollator(padding: padding, labelPadTokenID: try spec.int32("label_pad_token_id", default: ignoreIndex) ?? ignoreIndex)
        },
        "flattening": Registration(keys: ["separator_id", "return_position_ids", "return_flash_attn_kwargs", "return_seq_idx"]) { spec in
            FlatteningCollator(
                separatorID: try spec.int32("separator_id", default: ignoreIndex) ?? ignoreIndex,
                returnPositionIDs: try spec.bool("return_position_ids", default: true),
                returnFlashAttentionKwargs: try spec.bool("return_flash_attn_kwargs", default: false),
                returnSequenceIndex: try spec.bool("return_seq_idx", default: false))
        },
        "completion-only": Registration(keys: ["pad_token_id", "padding_side", "response_template_ids", "instruction_template_ids", "ignore_index", "padding_free", "pad_to_multiple_of"]) { spec in
            let padding = try spec.paddingOptions(withStrategy: false)
            guard let response = try spec.int32Array("response_template_ids") else {
                throw SpecError.missingKey("response_template_ids", type: spec.type, reason: "the token ids that precede each completion, tokenized as they appear in context")
            }
            guard !response.isEmpty else {
                throw SpecError.invalidValue(key: "response_template_ids", value: "[]", reason: "must hold at least one token id")
            }
            let instruction = try spec.int32Array("instruction_template_ids")
            if instruction?.isEmpty == true {
                throw SpecError.invalidValue(key: "instruction_template_ids", value: "[]", reason: "must hold at least one token id, or be null")
            }
            return CompletionOnlyCollator(
                responseTemplate: response, instructionTemplate: instruction,
                padTokenID: padding.padTokenID, paddingSide: padding.side, padToMultipleOf: padding.padToMultipleOf,
                ignoreIndex: try spec.int32("ignore_index", default: ignoreIndex) ?? ignoreIndex,
                paddingFree: try spec.bool("padding_free", default: false))
        },
    ]
}
