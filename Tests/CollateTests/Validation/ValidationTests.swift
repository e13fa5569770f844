import Collate
import Testing

/// One scenario for one diagnostic code: the examples, the pipeline, and which examples the
/// code must report (`nil` = a dataset-level finding; an empty list = it must not fire).
struct RuleCase: Sendable, CustomTestStringConvertible {
    var id: String
    var code: Diagnostic.Code
    var examples: [Example]
    var collator: CollatorContract
    var backend: BackendContract
    var options = Validator.Options()
    /// Rules beyond the standard ones (a template rule needs its markers).
    var extraRules: [any ValidationRule] = []
    /// The `example` field of every diagnostic with `code` expected, in order.
    var expected: [Int?]

    var testDescription: String { id }
}

private let training = BackendContract(requiredInputs: ["input_ids", "labels"])
private let inference = BackendContract(requiredInputs: ["input_ids"])
private let lm = LanguageModelingCollator(padTokenID: 0).contract
private let seq2seq = Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)).contract
private let padding = PaddingCollator(padding: PaddingOptions(padTokenID: 0)).contract
private let flattening = FlatteningCollator().contract
private let completion = CompletionOnlyCollator(responseTemplate: [9, 10], padTokenID: 0).contract

private func ids(_ tokens: [Int32], labels: [Int32]? = nil) -> Example { Example(inputIDs: tokens, labels: labels) }

private let firingCases: [RuleCase] = [
    RuleCase(id: "missing-labels: padding collator, backend needs labels (the seed failure)", code: .missingLabels,
             examples: [ids([1, 2, 3]), ids([4, 5])], collator: padding, backend: training, expected: [nil]),
    RuleCase(id: "missing-labels: seq2seq on a dataset without labels", code: .missingLabels,
             examples: [ids([1, 2, 3]), ids([4, 5])], collator: seq2seq, backend: training, expected: [nil]),
    RuleCase(id: "missing-field: seq2seq, some labels absent or null", code: .missingField,
             examples: [ids([1, 2], labels: [1, 2]), ids([3]), Example(["input_ids": .sequence([4]), "labels": .null])],
             collator: seq2seq, backend: training, expected: [1, 2]),
    RuleCase(id: "missing-field: backend needs attention_mask, flattening never makes it", code: .missingField,
             examples: [ids([1, 2])], collator: flattening, backend: BackendContract(requiredInputs: ["input_ids", "attention_mask"]),
             expected: [nil]),
    RuleCase(id: "ragged-labels: labels shorter than input_ids for a causal LM", code: .raggedLabels,
             examples: [ids([1, 2, 3], labels: [1, 2, 3]), ids([1, 2, 3], labels: [2, 3])], collator: seq2seq, backend: training, expected: [1]),
    RuleCase(id: "ragged-labels: flattening always needs alignment", code: .raggedLabels,
             examples: [ids([1, 2, 3], labels: [1])], collator: flattening, backend: inference, expected: [0]),
    RuleCase(id: "labels-overwritten: masked prompt replaced by LM collator", code: .labelsOverwritten,
             examples: [ids([5, 6, 7], labels: [-100, -100, 7]), ids([5, 6])], collator: lm, backend: training, expected: [0]),
    RuleCase(id: "labels-overwritten: completion collator", code: .labelsOverwritten,
             examples: [ids([9, 10, 7], labels: [-100, 10, 7])], collator: completion, backend: training, expected: [0]),
    RuleCase(id: "pad-masks-eos: pad == eos masks the EOS", code: .padMasksEOS,
             examples: [ids([5, 6, 2]), ids([7, 8]), ids([2, 3, 2])], collator: LanguageModelingCollator(padTokenID: 2).contract,
             backend: training, expected: [0, 2]),
    RuleCase(id: "no-trainable-tokens: seq2seq labels all -100", code: .noTrainableTokens,
             examples: [ids([1, 2], labels: [-100, 2]), ids([3, 4], labels: [-100, -100])], collator: seq2seq, backend: training, expected: [1]),
    RuleCase(id: "no-trainable-tokens: completion template ends the example", code: .noTrainableTokens,
             examples: [ids([1, 9, 10, 4]), ids([1, 2, 9, 10])], collator: completion, backend: training, expected: [1]),
    RuleCase(id: "no-trainable-tokens: completion template missing masks the row", code: .noTrainableTokens,
             examples: [ids([1, 2, 3])], collator: completion, backend: training, expected: [0]),
    RuleCase(id: "template-not-found: response template absent", code: .templateNotFound,
             examples: [ids([1, 9, 10, 4]), ids([1, 2, 3, 4]), ids([9, 1, 10])], collator: completion, backend: training, expected: [1, 2]),
    RuleCase(id: "template-not-found: template holds the pad id, masked before TRL's search", code: .templateNotFound,
             examples: [ids([1, 9, 0, 4])], collator: CompletionOnlyCollator(responseTemplate: [9, 0], padTokenID: 0).contract,
             backend: training, expected: [0]),
    RuleCase(id: "template-not-found: instruction template absent", code: .templateNotFound,
             examples: [ids([7, 1, 9, 10, 4])], collator: CompletionOnlyCollator(responseTemplate: [9, 10], instructionTemplate: [7, 8], padTokenID: 0).contract,
             backend: training, expected: [0]),
    RuleCase(id: "token-out-of-range: id equal to the vocab size", code: .tokenOutOfRange,
             examples: [ids([1, 2]), ids([1, 10, 11])], collator: lm, backend: BackendContract(vocabSize: 10), expected: [1]),
    RuleCase(id: "token-out-of-range: negative id without a vocab size", code: .tokenOutOfRange,
             examples: [ids([-100, 2])], collator: lm, backend: training, expected: [0]),
    RuleCase(id: "token-out-of-range: label beyond the vocabulary", code: .tokenOutOfRange,
             examples: [ids([1, 2], labels: [-100, 12])], collator: seq2seq, backend: BackendContract(vocabSize: 10), expected: [0]),
    RuleCase(id: "empty-example: every empty example is reported", code: .emptyExample,
             examples: [ids([]), ids([1]), ids([])], collator: lm, backend: training, expected: [0, 2]),
    RuleCase(id: "left-padding-in-training", code: .leftPaddingInTraining,
             examples: [ids([1, 2])], collator: LanguageModelingCollator(padTokenID: 0, paddingSide: .left).contract,
             backend: training, expected: [nil]),
    RuleCase(id: "packing-without-boundaries: flattening into a padded-only backend", code: .packingWithoutBoundaries,
             examples: [ids([1, 2])], collator: flattening, backend: BackendContract(requiredInputs: ["input_ids", "labels"], acceptsPaddingFree: false),
             expected: [nil]),
    // HF DataCollatorWithFlattening / TRL padding_free are for decoder-only models.
    RuleCase(id: "packing-without-boundaries: flattening into an encoder-decoder", code: .packingWithoutBoundaries,
             examples: [ids([1, 2], labels: [7]), ids([3, 4, 5], labels: [8, 9])], collator: flattening,
             backend: .training(.seq2seqLM), expected: [nil]),
    RuleCase(id: "packing-without-boundaries: flattening into an encoder-decoder that claims padding-free", code: .packingWithoutBoundaries,
             examples: [ids([1, 2], labels: [7])], collator: FlatteningCollator(returnFlashAttentionKwargs: true).contract,
             backend: BackendContract(kind: .seq2seqLM, requiredInputs: ["input_ids", "labels"], acceptsPaddingFree: true), expected: [nil]),
    RuleCase(id: "labels-preshifted: labels are input_ids[1...]", code: .labelsPreshifted,
             examples: [ids([1, 2, 3, 4], labels: [2, 3, 4, -100]), ids([1, 2, 3, 4], labels: [1, 2, 3, 4])],
             collator: seq2seq, backend: training, expected: [0]),
    RuleCase(id: "template-turn-undelimited: no generation prompt, no end-of-turn marker", code: .templateTurnUndelimited,
             examples: [ids([1, 2])], collator: lm, backend: training,
             extraRules: [TemplateTurnUndelimitedRule(template: "plain.jinja", content: "Hello", trainedText: "assistant: Hello")],
             expected: [nil]),
    RuleCase(id: "template-tokens-missing: ChatML's end marker split into text pieces", code: .templateTokensMissing,
             examples: [ids([1, 2])], collator: lm, backend: training,
             extraRules: [TemplateTokensMissingRule(template: "chatml", markers: [.init(text: "<|im_end|>", pieces: ["▁<", "|", "im", "_", "end", "|", ">"])])],
             expected: [nil]),
    RuleCase(id: "exceeds-max-length: backend maximum", code: .exceedsMaxLength,
             examples: [ids([1, 2, 3, 4]), ids([1, 2, 3, 4, 5])], collator: lm, backend: BackendContract(maxLength: 4), expected: [1]),
    RuleCase(id: "exceeds-max-length: padding max_length", code: .exceedsMaxLength,
             examples: [ids([1, 2, 3, 4])], collator: PaddingCollator(padding: PaddingOptions(padTokenID: 0, strategy: .maxLength(3))).contract,
             backend: inference, expected: [0]),
]

private let quietCases: [RuleCase] = [
    RuleCase(id: "missing-labels: language-modeling makes labels", code: .missingLabels,
             examples: [ids([1, 2, 3])], collator: lm, backend: training, expected: []),
    RuleCase(id: "missing-labels: padding collator for inference", code: .missingLabels,
             examples: [ids([1, 2, 3])], collator: padding, backend: inference, expected: []),
    RuleCase(id: "missing-field: seq2seq with labels everywhere", code: .missingField,
             examples: [ids([1, 2], labels: [1, 2]), ids([3], labels: [3])], collator: seq2seq, backend: training, expected: []),
    RuleCase(id: "ragged-labels: aligned", code: .raggedLabels,
             examples: [ids([1, 2, 3], labels: [-100, 2, 3])], collator: seq2seq, backend: training, expected: []),
    RuleCase(id: "ragged-labels: seq2seq targets for an encoder-decoder", code: .raggedLabels,
             examples: [ids([1, 2, 3], labels: [7])], collator: seq2seq, backend: BackendContract(requiredInputs: ["input_ids", "labels"], shiftsLabels: false),
             expected: []),
    RuleCase(id: "labels-overwritten: labels equal input_ids", code: .labelsOverwritten,
             examples: [ids([5, 6, 7], labels: [5, 6, 7])], collator: lm, backend: training, expected: []),
    RuleCase(id: "labels-overwritten: seq2seq keeps labels", code: .labelsOverwritten,
             examples: [ids([5, 6, 7], labels: [-100, -100, 7])], collator: seq2seq, backend: training, expected: []),
    RuleCase(id: "pad-masks-eos: pad distinct from eos", code: .padMasksEOS,
             examples: [ids([5, 6, 2])], collator: lm, backend: training, expected: []),
    RuleCase(id: "pad-masks-eos: pad id only inside the masked prompt", code: .padMasksEOS,
             examples: [ids([0, 9, 10, 4])], collator: completion, backend: training, expected: []),
    RuleCase(id: "no-trainable-tokens: one label trained", code: .noTrainableTokens,
             examples: [ids([1, 2], labels: [-100, 2])], collator: seq2seq, backend: training, expected: []),
    RuleCase(id: "no-trainable-tokens: completion after the last template", code: .noTrainableTokens,
             examples: [ids([9, 10, 1, 9, 10, 4])], collator: completion, backend: training, expected: []),
    RuleCase(id: "template-not-found: template present", code: .templateNotFound,
             examples: [ids([1, 9, 10, 4]), ids([9, 10, 3])], collator: completion, backend: training, expected: []),
    RuleCase(id: "template-not-found: not a completion collator", code: .templateNotFound,
             examples: [ids([1, 2])], collator: lm, backend: training, expected: []),
    RuleCase(id: "token-out-of-range: within vocab, -100 in labels", code: .tokenOutOfRange,
             examples: [ids([0, 9], labels: [-100, 9])], collator: seq2seq, backend: BackendContract(vocabSize: 10), expected: []),
    RuleCase(id: "empty-example: one token is enough", code: .emptyExample,
             examples: [ids([1])], collator: lm, backend: training, expected: []),
    RuleCase(id: "left-padding-in-training: right padding", code: .leftPaddingInTraining,
             examples: [ids([1, 2])], collator: lm, backend: training, expected: []),
    RuleCase(id: "left-padding-in-training: left padding for generation", code: .leftPaddingInTraining,
             examples: [ids([1, 2])], collator: LanguageModelingCollator(padTokenID: 0, paddingSide: .left).contract,
             backend: inference, expected: []),
    RuleCase(id: "packing-without-boundaries: backend takes padding-free", code: .packingWithoutBoundaries,
             examples: [ids([1, 2])], collator: flattening, backend: training, expected: []),
    RuleCase(id: "packing-without-boundaries: seq2seq collator into an encoder-decoder", code: .packingWithoutBoundaries,
             examples: [ids([1, 2], labels: [7])], collator: seq2seq, backend: .training(.seq2seqLM), expected: []),
    RuleCase(id: "packing-without-boundaries: padded collator, padded-only backend", code: .packingWithoutBoundaries,
             examples: [ids([1, 2])], collator: lm, backend: BackendContract(acceptsPaddingFree: false), expected: []),
    RuleCase(id: "labels-preshifted: backend does not shift", code: .labelsPreshifted,
             examples: [ids([1, 2, 3, 4], labels: [2, 3, 4, -100])], collator: seq2seq,
             backend: BackendContract(requiredInputs: ["input_ids", "labels"], shiftsLabels: false), expected: []),
    RuleCase(id: "labels-preshifted: repeated tokens are aligned too", code: .labelsPreshifted,
             examples: [ids([3, 3, 3, 3], labels: [3, 3, 3, 3])], collator: seq2seq, backend: training, expected: []),
    // The rule is only added for a template the probe cannot delimit (CollateData builds it).
    RuleCase(id: "template-turn-undelimited: a delimitable template adds no rule", code: .templateTurnUndelimited,
             examples: [ids([1, 2])], collator: lm, backend: training, expected: []),
    RuleCase(id: "template-tokens-missing: every marker one token", code: .templateTokensMissing,
             examples: [ids([1, 2])], collator: lm, backend: training,
             extraRules: [TemplateTokensMissingRule(template: "chatml", markers: [.init(text: "<|im_end|>", pieces: ["<|im_end|>"])])],
             expected: []),
    RuleCase(id: "exceeds-max-length: truncation configured", code: .exceedsMaxLength,
             examples: [ids([1, 2, 3, 4, 5])], collator: lm, backend: BackendContract(maxLength: 4), options: .init(truncation: 4), expected: []),
    RuleCase(id: "exceeds-max-length: at the limit", code: .exceedsMaxLength,
             examples: [ids([1, 2, 3, 4])], collator: lm, backend: BackendContract(maxLength: 4), expected: []),
    // Seq2seq labels are padded to their own longest, not to max_length.
    RuleCase(id: "exceeds-max-length: seq2seq labels longer than max_length", code: .exceedsMaxLength,
             examples: [ids([1, 2, 3], labels: [4, 5, 6, 7, 8])],
             collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0, strategy: .maxLength(3))).contract,
             backend: training, expected: []),
    // HF's _pad rounds max_length up to pad_to_multiple_of: rows are 4 wide, so 4 tokens fit.
    RuleCase(id: "exceeds-max-length: max_length rounded up to the multiple", code: .exceedsMaxLength,
             examples: [ids([1, 2, 3, 4])],
             collator: PaddingCollator(padding: PaddingOptions(padTokenID: 0, strategy: .maxLength(3), padToMultipleOf: 2)).contract,
             backend: inference, expected: []),
]

@Suite("Validator rules")
struct ValidationTests {
    @Test("fires", arguments: firingCases)
    func fires(_ scenario: RuleCase) {
        let validator = Validator(rules: Validator.standardRules + scenario.extraRules, options: scenario.options)
        let diagnostics = validator.validate(scenario.examples, collator: scenario.collator, backend: scenario.backend)
        let matching = diagnostics.filter { $0.code == scenario.code }
        #expect(matching.map(\.example) == scenario.expected)
        for diagnostic in matching {
            #expect(diagnostic.severity == scenario.code.defaultSeverity)
            #expect(diagnostic.message.contains("Fix:"), "message must say how to fix: \(diagnostic.message)")
            if let example = diagnostic.example { #expect(diagnostic.message.contains("example \(example)")) }
        }
    }

    @Test("stays quiet", arguments: quietCases)
    func staysQuiet(_ scenario: RuleCase) {
        let validator = Validator(rules: Validator.standardRules + scenario.extraRules, options: scenario.options)
        let diagnostics = validator.validate(scenario.examples, collator: scenario.collator, backend: scenario.backend)
        #expect(diagnostics.filter { $0.code == scenario.code }.isEmpty, "\(diagnostics)")
    }

    @Test func everyCodeHasAFiringAndAQuietCase() {
        #expect(Set(firingCases.map(\.code)) == Set(Diagnostic.Code.allCases))
        #expect(Set(quietCases.map(\.code)) == Set(Diagnostic.Code.allCases))
    }

    @Test func codesAndSeveritiesMatchTheDesignTable() {
        #expect(Diagnostic.Code.allCases.map(\.rawValue) == [
            "missing-labels", "missing-field", "ragged-labels", "labels-overwritten", "pad-masks-eos", "no-trainable-tokens",
            "template-not-found", "token-out-of-range", "empty-example", "left-padding-in-training", "packing-without-boundaries",
            "labels-preshifted", "template-tokens-missing", "exceeds-max-length", "template-turn-undelimited",
        ])
        #expect(Diagnostic.Code.allCases.filter { $0.defaultSeverity == .warning }
            == [.padMasksEOS, .leftPaddingInTraining, .labelsPreshifted, .templateTurnUndelimited])
    }

    @Test func strictModeRaisesChosenWarnings() {
        let examples = [ids([5, 6, 2])]
        let contract = LanguageModelingCollator(padTokenID: 2, paddingSide: .left).contract
        let relaxed = Validator().validate(examples, collator: contract, backend: training)
        #expect(!relaxed.containsErrors)
        #expect(relaxed.map(\.code) == [.leftPaddingInTraining, .padMasksEOS])
        let strict = Validator(options: .init(strict: [.padMasksEOS])).validate(examples, collator: contract, backend: training)
        #expect(strict.errors.map(\.code) == [.padMasksEOS])
        #expect(strict.warnings.map(\.code) == [.leftPaddingInTraining])
        #expect(Validator(options: .strictAll).validate(examples, collator: contract, backend: training).errors.count == 2)
    }

    @Test func seq2seqOnUnlabeledDataNamesTheCauseAndFix() {
        let diagnostics = Validator().validate([ids([1, 2]), ids([3])], collator: seq2seq, backend: training)
        let missing = diagnostics.filter { $0.code == .missingLabels }
        #expect(missing.count == 1)
        let message = missing.first?.message ?? ""
        #expect(message.contains("labels would be null and the model returns only logits"))
        #expect(message.contains("use language-modeling, or add labels"))
        // One cause, one finding: no missing-field per example besides it.
        #expect(diagnostics.filter { $0.code == .missingField }.isEmpty)
    }

    @Test func diagnosticsAreOrderedDatasetLevelFirstThenByExample() {
        let diagnostics = Validator().validate([ids([]), ids([1, 2, 3, 4, 5])], collator: padding, backend: BackendContract(requiredInputs: ["input_ids", "labels"], maxLength: 4))
        #expect(diagnostics.map(\.example) == [nil, 0, 1])
        #expect(diagnostics.map(\.code) == [.missingLabels, .emptyExample, .exceedsMaxLength])
    }

    @Test func jsonFormat() throws {
        let diagnostics = [
            Diagnostic(.emptyExample, message: "a \"quoted\" message", example: 3),
            Diagnostic(.missingLabels, message: "m", example: nil),
        ]
        let text = Diagnostic.jsonText(diagnostics)
        #expect(text == #"[{"code": "empty-example", "severity": "error", "message": "a \"quoted\" message", "example": 3}, {"code": "missing-labels", "severity": "error", "message": "m", "example": null}]"#)
        #expect(try JSONParser.parse(text) == .array(diagnostics.map(\.jsonValue)))
        #expect(Diagnostic.jsonText([]) == "[]")
    }
}
