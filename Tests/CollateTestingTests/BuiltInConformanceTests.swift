import Collate
import CollateTesting
import Testing

/// One built-in collator configuration run through the conformance suite.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
    var id: String
    var collator: any Collator<Batch>
    var options = CollatorConformance.Options()

    var testDescription: String { id }

    static let all: [ConformanceCase] = [
        ConformanceCase(id: "language-modeling", collator: LanguageModelingCollator(padTokenID: 0)),
        ConformanceCase(id: "language-modeling left, multiple of 8", collator: LanguageModelingCollator(padTokenID: 2, paddingSide: .left, padToMultipleOf: 8)),
        ConformanceCase(id: "padding", collator: PaddingCollator(padding: PaddingOptions(padTokenID: 0))),
        ConformanceCase(id: "padding max_length 10, left", collator: PaddingCollator(padding: PaddingOptions(padTokenID: 1, side: .left, strategy: .maxLength(10)))),
        ConformanceCase(id: "seq2seq", collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0))),
        ConformanceCase(id: "seq2seq left, multiple of 4, label pad -1", collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0, side: .left, padToMultipleOf: 4), labelPadTokenID: -1)),
        ConformanceCase(id: "token-classification", collator: TokenClassificationCollator(padding: PaddingOptions(padTokenID: 0))),
        ConformanceCase(id: "token-classification left", collator: TokenClassificationCollator(padding: PaddingOptions(padTokenID: 3, side: .left))),
        ConformanceCase(id: "flattening", collator: FlatteningCollator()),
        ConformanceCase(id: "flattening, every output, separator 0", collator: FlatteningCollator(separatorID: 0, returnFlashAttentionKwargs: true, returnSequenceIndex: true)),
        ConformanceCase(id: "flattening without position_ids", collator: FlatteningCollator(returnPositionIDs: false)),
        ConformanceCase(id: "completion-only", collator: CompletionOnlyCollator(responseTemplate: [5, 6], padTokenID: 0)),
        ConformanceCase(id: "completion-only multi-turn", collator: CompletionOnlyCollator(responseTemplate: [5, 6], instructionTemplate: [7], padTokenID: 0)),
        ConformanceCase(id: "completion-only padding-free", collator: CompletionOnlyCollator(responseTemplate: [5], padTokenID: 0, paddingFree: true)),
        ConformanceCase(id: "completion-only left", collator: CompletionOnlyCollator(responseTemplate: [5], padTokenID: 0, paddingSide: .left)),
        // Random by design: each batch advances the generator, as HF's does (seeding is tested in MaskedLanguageModelingTests).
        ConformanceCase(id: "masked-language-modeling", collator: MaskedLanguageModelingCollator(maskTokenID: 4, padTokenID: 0, vocabSize: 100, seed: 7),
                        options: .init(checksDeterminism: false)),
        ConformanceCase(id: "preference (TRL 0.19)", collator: PreferenceCollator(padTokenID: 0)),
        ConformanceCase(id: "preference (TRL 1.x concatenated)", collator: PreferenceCollator(padTokenID: 0, layout: .trlConcatenated)),
        ConformanceCase(id: "preference (torchtune)", collator: PreferenceCollator(padTokenID: 0, layout: .torchtune)),
        ConformanceCase(id: "sft (TRL 1.16)", collator: SFTCollator(padTokenID: 0)),
        // (Padding-free with pad_to_multiple_of pads the one row, as TRL does: not the flattening layout the suite checks.)
        ConformanceCase(id: "sft padding-free", collator: SFTCollator(padTokenID: 0, paddingFree: true)),
        ConformanceCase(id: "sft with position_ids", collator: SFTCollator(padTokenID: 2, returnPositionIDs: true)),
        ConformanceCase(id: "reward (TRL 1.16)", collator: RewardCollator(padTokenID: 0, padToMultipleOf: 4)),
        // (unpaired-preference is left out: its rows are prompt + completion, with no `input_ids` in
        // the examples for the suite's layout check to compare; TRLGoldenCollatorTests cover it.)
    ]
}

@Suite("Built-in collators conform")
struct BuiltInConformanceTests {
    @Test(arguments: ConformanceCase.all)
    func conforms(_ testCase: ConformanceCase) {
        let violations = CollatorConformance.violations(of: testCase.collator, options: testCase.options)
        #expect(violations == [], "\(violations.map(\.description).joined(separator: "\n"))")
    }

    /// Every built-in spec type, built the way the CLI builds it, through the throwing convenience.
    @Test(arguments: [
        #"{"type": "language-modeling", "pad_token_id": 0}"#,
        #"{"type": "padding", "pad_token_id": 0, "padding": "max_length", "max_length": 8}"#,
        #"{"type": "seq2seq", "pad_token_id": 0, "pad_to_multiple_of": 8}"#,
        #"{"type": "token-classification", "pad_token_id": 0, "padding_side": "left"}"#,
        #"{"type": "flattening", "return_flash_attn_kwargs": true, "return_seq_idx": true}"#,
        #"{"type": "completion-only", "pad_token_id": 0, "response_template_ids": [5, 6], "padding_free": true}"#,
        #"{"type": "token-classification", "pad_token_id": 0, "padding": "max_length", "max_length": 64}"#,
        #"{"type": "sft", "pad_token_id": 0, "padding_free": true}"#,
        #"{"type": "sft", "pad_token_id": 0, "return_position_ids": true, "pad_to_multiple_of": 8}"#,
        #"{"type": "reward", "pad_token_id": 0}"#,
    ])
    func registrySpecConforms(_ spec: String) throws {
        let collator = try CollatorRegistry.shared.makeCollator(fromJSON: spec)
        try CollatorConformance.verify(collator)
    }

    @Test func completionOnlyErrorsNameTheCompletionCollator() throws {
        try CollatorConformance.verify(CompletionOnlyCollator(responseTemplate: [5], padTokenID: 0))
        #expect(throws: CollateError.missingField("input_ids", example: 1, collator: "completion-only")) {
            try CompletionOnlyCollator(responseTemplate: [5], padTokenID: 0).collate([Example(inputIDs: [5]), Example(["labels": .sequence([1])])])
        }
    }

    @Test func samplesSatisfyTheContract() {
        let contract = CompletionOnlyCollator(responseTemplate: [5, 6], instructionTemplate: [7], padTokenID: 0).contract
        let samples = CollatorConformance.samples(for: contract)
        #expect(samples.map(\.count) == [3, 1, 3, 2])
        for example in samples.joined() {
            let ids = example.inputIDs
            #expect(ids.first == 7)
            #expect(ids.contains(5) && ids.contains(6))
            #expect(!ids.contains(0))
        }
        let fixed = PaddingCollator(padding: PaddingOptions(padTokenID: 0, strategy: .maxLength(3))).contract
        #expect(CollatorConformance.samples(for: fixed).joined().allSatisfy { $0.inputIDs.count <= 3 })
    }

    @Test func determinismCheckCatchesAGeneratorThatAdvancesPerBatch() {
        let collator = MaskedLanguageModelingCollator(maskTokenID: 4, padTokenID: 0, vocabSize: 100, seed: 7)
        let violations = CollatorConformance.violations(of: collator)
        #expect(violations.contains { $0.requirement == .deterministic })
    }
}
