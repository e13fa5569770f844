import Collate
import CollateTesting
import Testing

/// Behaviour beyond the golden cases: bad batches, edge cases, documented quirks.
@Suite("Collator behaviour")
struct CollatorBehaviourTests {
    static let padding = PaddingOptions(padTokenID: 0)

    @Test func languageModelingMasksPaddingByIDIncludingRealPadTokens() throws {
        // pad == eos == 2: HF's quirk masks the real EOS too (the validator warns pad-masks-eos).
        let batch = try LanguageModelingCollator(padTokenID: 2).collate(Example.list(["input_ids": [5, 6, 2]], ["input_ids": [7]]))
        try assertBatch(batch, equals: ExpectedBatch {
            Row(["input_ids": [5, 6, 2], "attention_mask": [1, 1, 1], "labels": [5, 6, -100]])
            Row(["input_ids": [7, 2, 2], "attention_mask": [1, 0, 0], "labels": [7, -100, -100]])
        })
    }

    @Test func languageModelingReplacesExampleLabels() throws {
        let batch = try LanguageModelingCollator(padTokenID: 0).collate([Example(inputIDs: [5, 6], labels: [-100, 6])])
        #expect(batch["labels"]?.rows == [[5, 6]])
        // transformers 4.57 assigns batch["labels"] over the padded examples' own: the key keeps
        // its place (input_ids, labels, attention_mask).
        #expect(batch.names == ["input_ids", "labels", "attention_mask"])
    }

    /// transformers' `torch_call` pops `special_tokens_mask` before the mlm branch, so the causal
    /// collator (and TRL's completion-only one built on it) never returns it; checked against
    /// transformers 4.57: keys input_ids, attention_mask, labels.
    @Test func languageModelingDropsSpecialTokensMask() throws {
        let examples = Example.list(["input_ids": [5, 6], "special_tokens_mask": [1, 0]], ["input_ids": [7], "special_tokens_mask": [1]])
        let batch = try LanguageModelingCollator(padTokenID: 2).collate(examples)
        #expect(batch.names == ["input_ids", "attention_mask", "labels"])
        #expect(batch["labels"]?.rows == [[5, 6], [7, -100]])
        let completion = try CompletionOnlyCollator(responseTemplate: [5], padTokenID: 2).collate(examples)
        #expect(!completion.contains("special_tokens_mask"))
    }

    @Test func leftPaddingAndMultiple() throws {
        let collator = LanguageModelingCollator(padTokenID: 0, paddingSide: .left, padToMultipleOf: 4)
        let batch = try collator.collate([Example(inputIDs: [1, 2, 3, 4, 5])])
        #expect(batch["input_ids"]?.rows == [[0, 0, 0, 1, 2, 3, 4, 5]])
        #expect(batch["attention_mask"]?.rows == [[0, 0, 0, 1, 1, 1, 1, 1]])
    }

    /// A null extra field cannot be batched; the error says so instead of claiming the
    /// collator requires the field.
    @Test func aNullExtraFieldIsNamedAsNull() {
        #expect {
            try PaddingCollator(padding: Self.padding).collate([Example(["input_ids": .sequence([1]), "meta": .null])])
        } throws: { error in
            guard case .wrongFieldKind("meta", example: 0, let expected)? = error as? CollateError else { return false }
            return expected.contains("it is null")
        }
    }

    @Test func emptyBatchIsAnError() {
        #expect(throws: CollateError.emptyBatch) { try LanguageModelingCollator(padTokenID: 0).collate([]) }
        #expect(throws: CollateError.emptyBatch) { try FlatteningCollator().collate([]) }
    }

    @Test func missingInputIDsNamesTheExample() {
        let examples = [Example(inputIDs: [1]), Example(["labels": .sequence([1])])]
        #expect(throws: CollateError.missingField("input_ids", example: 1, collator: "padding")) {
            try PaddingCollator(padding: Self.padding).collate(examples)
        }
    }

    @Test func maxLengthPaddingRejectsLongerSequences() {
        let collator = PaddingCollator(padding: PaddingOptions(padTokenID: 0, strategy: .maxLength(3)))
        #expect(throws: CollateError.exceedsMaxLength("input_ids", example: 1, length: 4, maxLength: 3)) {
            try collator.collate([Example(inputIDs: [1]), Example(inputIDs: [1, 2, 3, 4])])
        }
    }

    @Test func doNotPadNeedsEqualLengths() throws {
        let collator = PaddingCollator(padding: PaddingOptions(padTokenID: 0, strategy: .doNotPad))
        #expect(try collator.collate([Example(inputIDs: [1, 2]), Example(inputIDs: [3, 4])])["input_ids"]?.shape == [2, 2])
        #expect(throws: CollateError.cannotStack("input_ids", example: 1, length: 1, firstLength: 2)) {
            try collator.collate([Example(inputIDs: [1, 2]), Example(inputIDs: [3])])
        }
    }

    @Test func seq2seqWithoutLabelsGivesNoLabels() throws {
        // HF returns labels=None here; the model then returns only logits (the seed failure).
        let batch = try Seq2SeqCollator(padding: Self.padding).collate([Example(inputIDs: [1, 2]), Example(inputIDs: [3])])
        #expect(!batch.contains("labels"))
    }

    @Test func seq2seqPadsLabelsToTheirOwnLength() throws {
        let batch = try Seq2SeqCollator(padding: Self.padding).collate(Example.list(
            ["input_ids": [1], "labels": [7, 8, 9]],
            ["input_ids": [2, 3], "labels": [6]]))
        // Labels are as wide as the longest label row (3), not as the inputs (2).
        try assertBatch(batch, equals: [
            "input_ids": [[1, 0], [2, 3]],
            "attention_mask": [[1, 0], [1, 1]],
            "labels": [[7, 8, 9], [6, -100, -100]],
        ])
    }

    @Test func seq2seqWithSomeLabelsMissingNamesTheExample() {
        let examples = [Example(inputIDs: [1], labels: [1]), Example(["input_ids": .sequence([2]), "labels": .null])]
        #expect(throws: CollateError.missingField("labels", example: 1, collator: "seq2seq")) {
            try Seq2SeqCollator(padding: Self.padding).collate(examples)
        }
    }

    @Test func tokenClassificationRejectsLabelsLongerThanInputs() {
        #expect(throws: CollateError.lengthMismatch("labels", example: 0, length: 3, expected: "input_ids", expectedLength: 2)) {
            try TokenClassificationCollator(padding: Self.padding).collate([Example(inputIDs: [1, 2], labels: [1, 2, 3])])
        }
    }

    @Test func paddingRenamesClassLabelAndRejectsUnpaddableFields() throws {
        let batch = try PaddingCollator(padding: Self.padding).collate([
            Example(["input_ids": .sequence([1, 2]), "label": .scalar(4)]), Example(["input_ids": .sequence([3]), "label": .scalar(1)]),
        ])
        #expect(batch.names == ["input_ids", "attention_mask", "labels"])
        #expect(batch["labels"]?.shape == [2])
        #expect(batch["labels"]?.scalars == [4, 1])
        #expect(throws: CollateError.cannotStack("labels", example: 1, length: 1, firstLength: 2)) {
            try PaddingCollator(padding: Self.padding).collate([Example(inputIDs: [1, 2], labels: [1, 2]), Example(inputIDs: [3], labels: [3])])
        }
    }

    @Test func flatteningMarksBoundaries() throws {
        let collator = FlatteningCollator(returnFlashAttentionKwargs: true, returnSequenceIndex: true)
        let batch = try collator.collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8, 9])])
        #expect(batch["input_ids"]?.rows == [[5, 6, 7, 8, 9]])
        #expect(batch["labels"]?.rows == [[-100, 6, 7, -100, 9]])
        #expect(batch["position_ids"]?.rows == [[0, 1, 2, 0, 1]])
        #expect(batch["seq_idx"]?.rows == [[0, 0, 0, 1, 1]])
        #expect(batch["seq_idx"]?.dtype == .int32)
        #expect(batch["cu_seq_lens_q"]?.scalars == [0, 3, 5])
        #expect(batch["max_length_q"]?.shape == [])
        #expect(batch["max_length_q"]?.scalars == [3])
        #expect(batch.jsonText.contains(#""max_length_k": 3"#))
    }

    @Test func flatteningRejectsEmptyAndMisalignedExamples() {
        #expect(throws: CollateError.emptyExample(example: 1)) {
            try FlatteningCollator().collate([Example(inputIDs: [1]), Example(inputIDs: [])])
        }
        #expect(throws: CollateError.lengthMismatch("labels", example: 0, length: 1, expected: "input_ids", expectedLength: 2)) {
            try FlatteningCollator().collate([Example(inputIDs: [1, 2], labels: [2])])
        }
    }

    @Test func completionOnlyMasksUpToTheLastResponseTemplate() throws {
        let collator = CompletionOnlyCollator(responseTemplate: [90, 91], padTokenID: 0)
        let batch = try collator.collate(Example.list(["input_ids": [1, 90, 91, 5, 90, 91, 6, 7]], ["input_ids": [1, 2, 3]]))
        try assertBatch(batch, equals: ["labels": [
            [-100, -100, -100, -100, -100, -100, 6, 7],
            // No template: TRL masks the whole row (and only warns).
            [-100, -100, -100, -100, -100, -100, -100, -100],
        ]], options: .init(allowsExtraTensors: true))
    }

    @Test func completionOnlyWithAnEmptyTemplateTrainsNothingAndIsReported() throws {
        let collator = CompletionOnlyCollator(responseTemplate: [], padTokenID: 0)
        let examples = [Example(inputIDs: [5, 6, 7])]
        #expect(try collator.collate(examples)["labels"]?.rows == [[-100, -100, -100]])
        let diagnostics = Validator().validate(examples, collator: collator.contract, backend: BackendContract(requiredInputs: ["input_ids", "labels"]))
        #expect(diagnostics.contains { $0.code == .templateNotFound })
    }

    @Test func completionOnlyMultiTurnMasksHumanTurns() throws {
        let collator = CompletionOnlyCollator(responseTemplate: [90], instructionTemplate: [80], padTokenID: 0)
        let batch = try collator.collate([Example(inputIDs: [80, 1, 90, 2, 3, 80, 4, 90, 5, 80, 6])])
        #expect(batch["labels"]?.rows == [[-100, -100, -100, 2, 3, -100, -100, -100, 5, -100, -100]])
    }

    @Test func completionOnlyPaddingFreeDropsPaddingAndMasksBoundaries() throws {
        let collator = CompletionOnlyCollator(responseTemplate: [90], padTokenID: 0, paddingFree: true)
        let batch = try collator.collate([Example(inputIDs: [90, 5, 6]), Example(inputIDs: [90, 7])])
        #expect(batch["input_ids"]?.rows == [[90, 5, 6, 90, 7]])
        #expect(batch["labels"]?.rows == [[-100, 5, 6, -100, 7]])
        #expect(batch["position_ids"]?.rows == [[0, 1, 2, 0, 1]])
        #expect(batch["cu_seq_lens_q"]?.rows == [[0, 3, 5]])
        #expect(batch["max_length_k"]?.scalars == [3])
        #expect(!batch.contains("attention_mask"))
    }
}
