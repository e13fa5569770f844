import Collate
import Testing

/// The validator reads the backend's model kind: the verdicts an outside check found wrong when
/// every backend was taken for a causal LM, the seed failure caught with no flags, and one
/// scenario per kind.
@Suite("Validating against each model kind")
struct ModelKindValidationTests {
    static let padding = PaddingCollator(padding: PaddingOptions(padTokenID: 0)).contract
    static let seq2seq = Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)).contract
    static let lm = LanguageModelingCollator(padTokenID: 0).contract
    static let tagger = TokenClassificationCollator(padding: PaddingOptions(padTokenID: 0)).contract

    static func ids(_ tokens: [Int32], labels: [Int32]? = nil) -> Example { Example(inputIDs: tokens, labels: labels) }
    static func classified(_ tokens: [Int32], label: Int32, field: String = "label") -> Example {
        Example(["input_ids": .sequence(tokens), field: .scalar(label)])
    }

    static func diagnostics(_ examples: [Example], _ collator: CollatorContract, _ kind: BackendContract.ModelKind) -> [Diagnostic] {
        Validator().validate(examples, collator: collator, backend: .training(kind))
    }

    // MARK: - The three misjudged verdicts

    /// An encoder-decoder's labels are decoder targets of their own length: not ragged.
    @Test func seq2seqTargetsOfAnotherLengthAreNotRagged() {
        let examples = [Self.ids([1, 2, 3, 4], labels: [7, 8]), Self.ids([5, 6], labels: [9, 10, 11])]
        #expect(Self.diagnostics(examples, Self.seq2seq, .seq2seqLM).isEmpty)
        // The same data for a causal LM is ragged, and the message names the way out.
        let causal = Self.diagnostics(examples, Self.seq2seq, .causalLM)
        #expect(causal.map(\.code) == [.raggedLabels, .raggedLabels])
        #expect(causal.first?.message.contains("--model-kind seq2seq-lm") == true)
    }

    /// A per-example class `label` is right for a sequence classifier and wrong for a causal LM,
    /// and the message says which.
    @Test(arguments: ["label", "label_ids", "labels"])
    func classLabelsAreRightForAClassifierAndWrongForACausalLM(field: String) throws {
        let examples = [Self.classified([1, 2, 3], label: 1, field: field), Self.classified([4, 5], label: 0, field: field)]
        #expect(Self.diagnostics(examples, Self.padding, .sequenceClassification).isEmpty)
        let causal = Self.diagnostics(examples, Self.padding, .causalLM)
        #expect(causal.map(\.code) == [.missingLabels])
        let message = try #require(causal.first?.message)
        #expect(message.contains("per-example class labels ('\(field)'"))
        #expect(message.contains("right for a sequence-classification model"))
        #expect(message.contains("needs token labels, one per input token"))
        #expect(message.contains("--model-kind sequence-classification"))
    }

    /// Ragged token labels under the padding collator: the examples carry labels, so the finding
    /// is ragged-labels, never missing-labels.
    @Test func raggedTokenLabelsUnderThePaddingCollatorAreRaggedLabels() {
        let examples = [Self.ids([1, 2, 3], labels: [1, 2]), Self.ids([4, 5, 6], labels: [4, 5, 6])]
        let diagnostics = Self.diagnostics(examples, Self.padding, .causalLM)
        #expect(diagnostics.map(\.code) == [.raggedLabels])
        #expect(diagnostics.first?.example == 0)
        #expect(diagnostics.first?.message.contains("passes token labels through as they are") == true)
        // Aligned but of different lengths between examples: the padding collator cannot stack them.
        let unstackable = Self.diagnostics([Self.ids([1, 2, 3], labels: [1, 2, 3]), Self.ids([4, 5], labels: [4, 5])], Self.padding, .causalLM)
        #expect(unstackable.map(\.code) == [.raggedLabels])
        #expect(unstackable.first?.example == 1)
        // Aligned and of one length: HF stacks them as they are, nothing to report.
        #expect(Self.diagnostics([Self.ids([1, 2, 3], labels: [1, 2, 3]), Self.ids([4, 5, 6], labels: [-100, 5, 6])], Self.padding, .causalLM).isEmpty)
    }

    // MARK: - The seed failure with no flags

    /// `collate validate` with no backend flag describes ``BackendContract/training(_:vocabSize:maxLength:acceptsPaddingFree:)``:
    /// a padding or seq2seq collator on unlabeled causal-LM data is the seed failure.
    @Test(arguments: ["padding", "seq2seq"])
    func theSeedFailureIsCaughtByTheDefaultContract(collator name: String) {
        let collator = name == "padding" ? Self.padding : Self.seq2seq
        let examples = (0..<50).map { Self.ids([1, 2, Int32(3 + $0)]) }
        let diagnostics = Validator().validate(examples, collator: collator, backend: .training())
        #expect(diagnostics.map(\.code) == [.missingLabels], "one finding, not one missing-field per example as well")
        #expect(diagnostics.first?.example == nil)
        #expect(diagnostics.first?.message.contains("did not return a loss") == true)
    }

    @Test func missingFieldStillNamesTheExamplesWhenOnlySomeLackLabels() {
        let examples = [Self.ids([1, 2], labels: [1, 2]), Self.ids([3])]
        let diagnostics = Validator().validate(examples, collator: Self.seq2seq, backend: .training())
        #expect(diagnostics.map(\.code) == [.missingField])
        #expect(diagnostics.map(\.example) == [1])
    }

    @Test func trainingContractsRequireLabels() {
        for kind in BackendContract.ModelKind.allCases {
            #expect(BackendContract.training(kind).requiresLabels)
            #expect(BackendContract.training(kind).kind == kind)
        }
        #expect(!BackendContract().requiresLabels)
        #expect(BackendContract.training(.causalLM).shiftsLabels)
        #expect(!BackendContract.training(.seq2seqLM).shiftsLabels)
    }

    // MARK: - Every kind

    struct KindCase: Sendable, CustomTestStringConvertible {
        var id: String
        var kind: BackendContract.ModelKind
        var examples: [Example]
        var collator: CollatorContract
        var expected: [Diagnostic.Code]
        var testDescription: String { id }
    }

    static let pairs = [Example([
        "prompt_input_ids": .sequence([1, 2]), "chosen_input_ids": .sequence([3, 4]), "rejected_input_ids": .sequence([5]),
    ])]

    static let kindCases: [KindCase] = [
        KindCase(id: "causal-lm: language-modeling makes aligned labels", kind: .causalLM,
                 examples: [ids([1, 2, 3])], collator: lm, expected: []),
        KindCase(id: "causal-lm: preshifted labels warn", kind: .causalLM,
                 examples: [ids([1, 2, 3, 4], labels: [2, 3, 4, -100])], collator: seq2seq, expected: [.labelsPreshifted]),
        KindCase(id: "seq2seq-lm: decoder targets of any length", kind: .seq2seqLM,
                 examples: [ids([1, 2, 3], labels: [4])], collator: seq2seq, expected: []),
        KindCase(id: "seq2seq-lm: shifted-looking targets are not preshifted (the model does not shift against input_ids)", kind: .seq2seqLM,
                 examples: [ids([1, 2, 3, 4], labels: [2, 3, 4, -100])], collator: seq2seq, expected: []),
        KindCase(id: "seq2seq-lm: padding collator on unlabeled data", kind: .seq2seqLM,
                 examples: [ids([1, 2, 3])], collator: padding, expected: [.missingLabels]),
        KindCase(id: "sequence-classification: class labels through the padding collator", kind: .sequenceClassification,
                 examples: [classified([1, 2], label: 3)], collator: padding, expected: []),
        KindCase(id: "sequence-classification: no class label", kind: .sequenceClassification,
                 examples: [ids([1, 2])], collator: padding, expected: [.missingLabels]),
        KindCase(id: "sequence-classification: token labels from language-modeling", kind: .sequenceClassification,
                 examples: [ids([1, 2])], collator: lm, expected: [.missingLabels]),
        KindCase(id: "sequence-classification: a class id past the vocabulary is not out of range", kind: .sequenceClassification,
                 examples: [classified([1, 2], label: 90_000)], collator: padding, expected: []),
        KindCase(id: "token-classification: aligned tags", kind: .tokenClassification,
                 examples: [ids([1, 2, 3], labels: [0, 4, -100])], collator: tagger, expected: []),
        KindCase(id: "token-classification: ragged tags", kind: .tokenClassification,
                 examples: [ids([1, 2, 3], labels: [0, 4])], collator: tagger, expected: [.raggedLabels]),
        KindCase(id: "token-classification: tags equal to input shifted are not preshifted", kind: .tokenClassification,
                 examples: [ids([1, 2, 3, 4], labels: [2, 3, 4, -100])], collator: tagger, expected: []),
        KindCase(id: "masked-lm: the MLM collator makes labels", kind: .maskedLM,
                 examples: [ids([2, 5, 3])], collator: MaskedLanguageModelingCollator(maskTokenID: 4, padTokenID: 0, vocabSize: 30).contract,
                 expected: []),
        KindCase(id: "masked-lm: padding collator makes none", kind: .maskedLM,
                 examples: [ids([2, 5, 3])], collator: padding, expected: [.missingLabels]),
        KindCase(id: "preference: TRL 0.19 pairs", kind: .preference,
                 examples: pairs, collator: PreferenceCollator(padTokenID: 0).contract, expected: []),
        KindCase(id: "preference: torchtune pairs", kind: .preference,
                 examples: pairs, collator: PreferenceCollator(padTokenID: 0, layout: .torchtune).contract, expected: []),
        KindCase(id: "preference: a language-modeling collator makes no pairs", kind: .preference,
                 examples: [ids([1, 2])], collator: lm, expected: [.missingLabels]),
    ]

    @Test(arguments: kindCases)
    func everyKind(_ scenario: KindCase) {
        let diagnostics = Self.diagnostics(scenario.examples, scenario.collator, scenario.kind)
        #expect(diagnostics.map(\.code) == scenario.expected, "\(diagnostics)")
        for diagnostic in diagnostics { #expect(diagnostic.message.contains("Fix:")) }
    }

    @Test func everyKindHasAScenario() {
        #expect(Set(Self.kindCases.map(\.kind)) == Set(BackendContract.ModelKind.allCases))
        #expect(BackendContract.ModelKind.allCases.map(\.rawValue) == [
            "causal-lm", "seq2seq-lm", "sequence-classification", "token-classification", "masked-lm", "preference",
        ])
    }

    // MARK: - Batch shapes per kind

    @Test func batchLabelShapesAreCheckedPerKind() throws {
        let classBatch = try PaddingCollator(padding: PaddingOptions(padTokenID: 0)).collate([Self.classified([1, 2], label: 1), Self.classified([3], label: 0)])
        func codes(_ batch: Batch, _ kind: BackendContract.ModelKind) -> [Diagnostic.Code] {
            Validator().validate(batch: batch, collator: Self.padding, backend: .training(kind)).map(\.code)
        }
        #expect(codes(classBatch, .sequenceClassification).isEmpty)
        #expect(codes(classBatch, .causalLM) == [.missingLabels])
        let tokenBatch = try LanguageModelingCollator(padTokenID: 0).collate([Self.ids([1, 2]), Self.ids([3])])
        #expect(codes(tokenBatch, .causalLM).isEmpty)
        #expect(codes(tokenBatch, .sequenceClassification) == [.missingLabels])
    }
}
