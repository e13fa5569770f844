extension CollatorRegistry {
    /// The built-in spec types (Guides/Collators.md lists them) and their factories.
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
        "token-classification": Registration(keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of", "label_pad_token_id"]) { spec in
            let padding = try spec.paddingOptions(withStrategy: true)
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
        "sft": Registration(keys: ["pad_token_id", "padding_free", "return_position_ids", "pad_to_multiple_of"]) { spec in
            SFTCollator(
                padTokenID: try spec.requiredInt32("pad_token_id", reason: "padding needs the tokenizer's pad id (often its eos id when it has no pad token)"),
                paddingFree: try spec.bool("padding_free", default: false),
                returnPositionIDs: try spec.bool("return_position_ids", default: false),
                padToMultipleOf: try spec.trlPadToMultipleOf())
        },
        "reward": Registration(keys: ["pad_token_id", "pad_to_multiple_of"]) { spec in
            RewardCollator(
                padTokenID: try spec.requiredInt32("pad_token_id", reason: "padding needs the tokenizer's pad id (often its eos id when it has no pad token)"),
                padToMultipleOf: try spec.trlPadToMultipleOf())
        },
        "unpaired-preference": Registration(keys: ["pad_token_id", "max_length", "pad_to_multiple_of"]) { spec in
            UnpairedPreferenceCollator(
                padTokenID: try spec.requiredInt32("pad_token_id", reason: "padding needs the tokenizer's pad id (often its eos id when it has no pad token)"),
                maxLength: try spec.positiveInt("max_length"),
                padToMultipleOf: try spec.trlPadToMultipleOf())
        },
        "masked-language-modeling": Registration(keys: [
            "mask_token_id", "vocab_size", "mlm_probability", "mask_replace_prob", "random_replace_prob", "seed",
            "special_token_ids", "whole_word_mask", "pad_token_id", "padding_side", "pad_to_multiple_of",
        ]) { spec in
            try spec.maskedLanguageModelingCollator()
        },
        "preference": Registration(keys: [
            "pad_token_id", "layout", "pad_to_multiple_of", "ignore_index", "max_prompt_length", "max_completion_length",
            "max_length", "truncation_mode",
        ]) { spec in
            try spec.preferenceCollator()
        },
    ]
}

extension CollatorSpec {
    /// Reads a `masked-language-modeling` spec.
    mutating func maskedLanguageModelingCollator() throws(SpecError) -> MaskedLanguageModelingCollator {
        let maskID = try requiredInt32("mask_token_id", reason: "masked language modeling replaces selected tokens with the tokenizer's mask token ([MASK]); a tokenizer without one cannot do MLM (use \"language-modeling\" for causal LM)")
        let padding = try paddingOptions(withStrategy: false)
        let wholeWord = try bool("whole_word_mask", default: false)
        let mlm = try probability("mlm_probability", default: 0.15)
        // HF turns random replacement off under whole-word masking; those are the defaults there.
        let maskReplace = try probability("mask_replace_prob", default: wholeWord ? 1 : 0.8)
        let randomReplace = try probability("random_replace_prob", default: wholeWord ? 0 : 0.1)
        guard maskReplace + randomReplace <= 1 else {
            throw .invalidValue(key: "random_replace_prob", value: String(randomReplace),
                                reason: "mask_replace_prob + random_replace_prob = \(maskReplace + randomReplace) exceeds 1; the rest (1 - both) is the share of selected tokens left unchanged")
        }
        let vocab = try int32("vocab_size")
        if let vocab, vocab <= 0 {
            throw .invalidValue(key: "vocab_size", value: String(vocab), reason: "must be a positive integer (len(tokenizer))")
        }
        // Even with mlm_probability 0 the collator needs a vocabulary to draw from whenever
        // random replacement is on (it checks at init), so ask for it here rather than trap there.
        if vocab == nil, randomReplace > 0 {
            throw .missingKey("vocab_size", type: type, reason: "random_replace_prob \(randomReplace) replaces tokens with random ids drawn from [0, vocab_size); set it to len(tokenizer), or set random_replace_prob to 0")
        }
        let seed: UInt64
        switch object["seed"] {
        case nil, .null?: seed = 0
        case .integer(let number)?: seed = UInt64(bitPattern: number)
        case let other?: throw .wrongType(key: "seed", expected: "an integer", found: "\(other.typeName) \(other.preview())")
        }
        return MaskedLanguageModelingCollator(
            maskTokenID: maskID, padTokenID: padding.padTokenID, vocabSize: Int(vocab ?? 0),
            mlmProbability: mlm, maskReplaceProbability: maskReplace, randomReplaceProbability: randomReplace,
            specialTokenIDs: try int32Array("special_token_ids") ?? [], wholeWordMask: wholeWord, seed: seed,
            paddingSide: padding.side, padToMultipleOf: padding.padToMultipleOf)
    }

    /// Reads a `preference` spec.
    mutating func preferenceCollator() throws(SpecError) -> PreferenceCollator {
        let padID = try requiredInt32("pad_token_id", reason: "chosen and rejected completions are padded with the tokenizer's pad id (often its eos id when it has no pad token)")
        var layout = PreferenceCollator.PairLayout.trl
        if let text = try string("layout") {
            guard let parsed = PreferenceCollator.PairLayout(rawValue: text) else {
                throw .invalidValue(key: "layout", value: "\"\(text)\"", reason: "must be \"trl\" (TRL 0.19), \"trl-concatenated\" (TRL 1.x) or \"torchtune\"")
            }
            layout = parsed
        }
        var mode = PreferenceCollator.TruncationMode.keepStart
        if let text = try string("truncation_mode") {
            guard let parsed = PreferenceCollator.TruncationMode(rawValue: text) else {
                throw .invalidValue(key: "truncation_mode", value: "\"\(text)\"", reason: "must be \"keep_start\" or \"keep_end\"")
            }
            mode = parsed
        }
        let maxLength = try positiveInt("max_length")
        if maxLength != nil, layout == .trl {
            throw .invalidValue(key: "max_length", value: String(maxLength ?? 0), reason: "layout \"trl\" keeps one prompt for both completions, so a row length cannot be cut per completion (TRL 0.19 truncates in the trainer); use max_prompt_length and max_completion_length, or layout \"trl-concatenated\" / \"torchtune\"")
        }
        return PreferenceCollator(
            padTokenID: padID, layout: layout, padToMultipleOf: try positiveInt("pad_to_multiple_of"),
            ignoreIndex: try int32("ignore_index", default: ignoreIndex) ?? ignoreIndex,
            maxPromptLength: try positiveInt("max_prompt_length"), maxCompletionLength: try positiveInt("max_completion_length"),
            maxLength: maxLength, truncationMode: mode)
    }
}
