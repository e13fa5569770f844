import Collate
import Testing

/// How the validator reads the MLM and preference contracts (`LabelSource.maskedTokens`,
/// `.responsesOfPreferencePairs`).
@Suite("Validating MLM and preference pipelines")
struct MaskedLMAndPreferenceValidationTests {
    static let training = BackendContract(requiredInputs: ["input_ids", "labels"])

    static func codes(_ examples: [Example], _ collator: some Collator) -> [Diagnostic.Code] {
        Validator().validate(examples, collator: collator.contract, backend: training).map(\.code)
    }

    @Test func mlmMakesLabelsButReplacesTheExamples() {
        let mlm = MaskedLanguageModelingCollator(maskTokenID: 4, padTokenID: 0, vocabSize: 30)
        #expect(Self.codes([Example(inputIDs: [2, 5, 3])], mlm).isEmpty)
        #expect(Self.codes([Example(inputIDs: [2, 5, 3], labels: [-100, 5, -100])], mlm) == [.labelsOverwritten])
    }

    @Test func torchtunePairsWithNothingToTrainAreFlagged() {
        let pairs = [
            Example(["prompt_input_ids": .sequence([1, 2]), "chosen_input_ids": .sequence([3]), "rejected_input_ids": .sequence([4])]),
            Example(["prompt_input_ids": .sequence([1]), "chosen_input_ids": .sequence([]), "rejected_input_ids": .sequence([])]),
        ]
        let diagnostics = Validator().validate(pairs, collator: PreferenceCollator(padTokenID: 0, layout: .torchtune).contract, backend: Self.training)
        #expect(diagnostics.map(\.code) == [.noTrainableTokens])
        #expect(diagnostics.first?.example == 1)
    }

    @Test func trlLayoutsMakeNoLabelsForAPlainLanguageModelBackend() {
        let pair = Example(["prompt_input_ids": .sequence([1]), "chosen_input_ids": .sequence([3]), "rejected_input_ids": .sequence([4])])
        let codes = Self.codes([pair], PreferenceCollator(padTokenID: 0))
        #expect(codes.contains(.missingLabels))
    }
}
