import Collate
import Testing

@Suite("Collator specs and the registry")
struct CollatorRegistryTests {
    struct BadSpec: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let error: SpecError
        var testDescription: String { name }
    }

    static let badSpecs: [BadSpec] = [
        BadSpec(name: "unknown type", json: #"{"type": "langauge-modeling", "pad_token_id": 0}"#,
                error: .unknownType("langauge-modeling", known: CollatorRegistry.shared.knownTypes)),
        BadSpec(name: "missing type", json: #"{"pad_token_id": 0}"#, error: .missingType),
        BadSpec(name: "not an object", json: #"[1, 2]"#, error: .notAnObject(found: "array")),
        BadSpec(name: "typo in key", json: #"{"type": "language-modeling", "pad_token": 0}"#,
                error: .unknownKey("pad_token", type: "language-modeling", allowed: ["pad_token_id", "padding_side", "pad_to_multiple_of"])),
        BadSpec(name: "string where integer", json: #"{"type": "language-modeling", "pad_token_id": "0"}"#,
                error: .wrongType(key: "pad_token_id", expected: "an integer", found: #"string "0""#)),
        BadSpec(name: "float pad id", json: #"{"type": "language-modeling", "pad_token_id": 0.5}"#,
                error: .wrongType(key: "pad_token_id", expected: "an integer", found: "number 0.5")),
        BadSpec(name: "missing pad id", json: #"{"type": "seq2seq"}"#,
                error: .missingKey("pad_token_id", type: "seq2seq", reason: "padding needs the tokenizer's pad id (often its eos id when it has no pad token)")),
        BadSpec(name: "bad padding side", json: #"{"type": "padding", "pad_token_id": 0, "padding_side": "middle"}"#,
                error: .invalidValue(key: "padding_side", value: "\"middle\"", reason: "must be \"right\" or \"left\"")),
        BadSpec(name: "max_length padding without max_length", json: #"{"type": "padding", "pad_token_id": 0, "padding": "max_length"}"#,
                error: .missingKey("max_length", type: "padding", reason: "padding \"max_length\" pads every row to max_length; set it (HF would fall back to the model's maximum)")),
        BadSpec(name: "negative multiple", json: #"{"type": "padding", "pad_token_id": 0, "pad_to_multiple_of": -8}"#,
                error: .invalidValue(key: "pad_to_multiple_of", value: "-8", reason: "must be a positive integer or null")),
        BadSpec(name: "boolean as string", json: #"{"type": "flattening", "return_seq_idx": "yes"}"#,
                error: .wrongType(key: "return_seq_idx", expected: "true or false", found: #"string "yes""#)),
        BadSpec(name: "no response template", json: #"{"type": "completion-only", "pad_token_id": 0}"#,
                error: .missingKey("response_template_ids", type: "completion-only", reason: "the token ids that precede each completion, tokenized as they appear in context")),
        BadSpec(name: "empty response template", json: #"{"type": "completion-only", "pad_token_id": 0, "response_template_ids": []}"#,
                error: .invalidValue(key: "response_template_ids", value: "[]", reason: "must hold at least one token id")),
        BadSpec(name: "template of strings", json: #"{"type": "completion-only", "pad_token_id": 0, "response_template_ids": ["R"]}"#,
                error: .wrongType(key: "response_template_ids", expected: "an array of 32-bit integer token ids", found: #"element "R""#)),
        BadSpec(name: "pad id beyond Int32", json: #"{"type": "language-modeling", "pad_token_id": 4294967296}"#,
                error: .invalidValue(key: "pad_token_id", value: "4294967296", reason: "must fit in 32 bits")),
        BadSpec(name: "MLM without a mask token", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "vocab_size": 30}"#,
                error: .missingKey("mask_token_id", type: "masked-language-modeling", reason: "masked language modeling replaces selected tokens with the tokenizer's mask token ([MASK]); a tokenizer without one cannot do MLM (use \"language-modeling\" for causal LM)")),
        BadSpec(name: "MLM random replacement without vocab size", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4}"#,
                error: .missingKey("vocab_size", type: "masked-language-modeling", reason: "random_replace_prob 0.1 replaces tokens with random ids drawn from [0, vocab_size); set it to len(tokenizer), or set random_replace_prob to 0")),
        BadSpec(name: "MLM probability above 1", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "vocab_size": 30, "mlm_probability": 1.5}"#,
                error: .invalidValue(key: "mlm_probability", value: "1.5", reason: "must be a probability between 0 and 1")),
        BadSpec(name: "MLM probability as string", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "vocab_size": 30, "mlm_probability": "0.15"}"#,
                error: .wrongType(key: "mlm_probability", expected: "a number", found: #"string "0.15""#)),
        BadSpec(name: "MLM replacement shares above 1", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "vocab_size": 30, "mask_replace_prob": 0.8, "random_replace_prob": 0.3}"#,
                error: .invalidValue(key: "random_replace_prob", value: "0.3", reason: "mask_replace_prob + random_replace_prob = 1.1 exceeds 1; the rest (1 - both) is the share of selected tokens left unchanged")),
        BadSpec(name: "MLM zero vocab", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "vocab_size": 0}"#,
                error: .invalidValue(key: "vocab_size", value: "0", reason: "must be a positive integer (len(tokenizer))")),
        BadSpec(name: "MLM seed as float", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "vocab_size": 30, "seed": 1.5}"#,
                error: .wrongType(key: "seed", expected: "an integer", found: "number 1.5")),
        BadSpec(name: "MLM typo", json: #"{"type": "masked-language-modeling", "pad_token_id": 0, "mask_token_id": 4, "mlm_prob": 0.2}"#,
                error: .unknownKey("mlm_prob", type: "masked-language-modeling", allowed: [
                    "mask_token_id", "vocab_size", "mlm_probability", "mask_replace_prob", "random_replace_prob", "seed",
                    "special_token_ids", "whole_word_mask", "pad_token_id", "padding_side", "pad_to_multiple_of",
                ])),
        BadSpec(name: "preference without pad id", json: #"{"type": "preference"}"#,
                error: .missingKey("pad_token_id", type: "preference", reason: "chosen and rejected completions are padded with the tokenizer's pad id (often its eos id when it has no pad token)")),
        BadSpec(name: "preference unknown layout", json: #"{"type": "preference", "pad_token_id": 0, "layout": "dpo"}"#,
                error: .invalidValue(key: "layout", value: "\"dpo\"", reason: "must be \"trl\" (TRL 0.19), \"trl-concatenated\" (TRL 1.x) or \"torchtune\"")),
        BadSpec(name: "preference bad truncation mode", json: #"{"type": "preference", "pad_token_id": 0, "layout": "torchtune", "truncation_mode": "left"}"#,
                error: .invalidValue(key: "truncation_mode", value: "\"left\"", reason: "must be \"keep_start\" or \"keep_end\"")),
        BadSpec(name: "preference max_length with the trl layout", json: #"{"type": "preference", "pad_token_id": 0, "max_length": 512}"#,
                error: .invalidValue(key: "max_length", value: "512", reason: "layout \"trl\" keeps one prompt for both completions, so a row length cannot be cut per completion (TRL 0.19 truncates in the trainer); use max_prompt_length and max_completion_length, or layout \"trl-concatenated\" / \"torchtune\"")),
        BadSpec(name: "preference zero max prompt length", json: #"{"type": "preference", "pad_token_id": 0, "max_prompt_length": 0}"#,
                error: .invalidValue(key: "max_prompt_length", value: "0", reason: "must be a positive integer or null")),
    ]

    @Test("A bad spec is rejected with the key, value and fix", arguments: badSpecs)
    func badSpec(_ bad: BadSpec) {
        #expect(throws: bad.error) { try CollatorRegistry.shared.makeCollator(fromJSON: bad.json) }
    }

    @Test func typoSuggestsTheIntendedKey() {
        let error = SpecError.unknownKey("pad_token", type: "language-modeling", allowed: ["pad_token_id", "padding_side"])
        #expect(error.description.contains(#"did you mean "pad_token_id"?"#))
        #expect(SpecError.unknownType("seq2sqe", known: ["seq2seq", "padding"]).description.contains(#"did you mean "seq2seq"?"#))
    }

    @Test func absentKeysTakeHuggingFaceDefaults() throws {
        let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "flattening"}"#)
        let flattening = try #require(collator as? FlatteningCollator)
        #expect(flattening.separatorID == -100)
        #expect(flattening.returnPositionIDs)
        #expect(!flattening.returnFlashAttentionKwargs)
        #expect(!flattening.returnSequenceIndex)
        let seq2seq = try #require(try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "seq2seq", "pad_token_id": 3, "max_length": null}"#) as? Seq2SeqCollator)
        #expect(seq2seq.labelPadTokenID == -100)
        #expect(seq2seq.padding == PaddingOptions(padTokenID: 3, side: .right, strategy: .longest, padToMultipleOf: nil))
    }

    /// A third-party collator: keeps only the first `n` tokens of each example, unpadded.
    struct FirstTokensCollator: Collator {
        var count: Int
        var contract: CollatorContract {
            CollatorContract(name: "first-tokens", reference: "test", requiredFields: ["input_ids"], producedFields: ["input_ids"],
                             labelSource: .none, layout: .paddingFree)
        }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            let ids = examples.flatMap { $0.inputIDs.prefix(count) }
            return Batch(["input_ids": Tensor(shape: [1, ids.count], scalars: ids)])
        }
    }

    @Test func thirdPartyTypesRegisterAndBuildFromJSON() throws {
        let registry = CollatorRegistry(includingBuiltIns: false)
        try registry.register("first-tokens", keys: ["count"]) { spec in
            FirstTokensCollator(count: Int(try spec.requiredInt32("count", reason: "how many tokens to keep")))
        }
        #expect(registry.knownTypes == ["first-tokens"])
        let collator = try registry.makeCollator(fromJSON: #"{"type": "first-tokens", "count": 2}"#)
        let batch = try collator.collate([Example(inputIDs: [1, 2, 3]), Example(inputIDs: [4, 5, 6])])
        #expect(batch["input_ids"]?.scalars == [1, 2, 4, 5])
        #expect(throws: SpecError.unknownKey("cont", type: "first-tokens", allowed: ["count"])) {
            try registry.makeCollator(fromJSON: #"{"type": "first-tokens", "cont": 2}"#)
        }
        #expect(throws: SpecError.unknownType("language-modeling", known: ["first-tokens"])) {
            try registry.makeCollator(fromJSON: #"{"type": "language-modeling", "pad_token_id": 0}"#)
        }
    }
}
