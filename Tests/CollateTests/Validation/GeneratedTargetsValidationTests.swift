import Collate
import Testing

/// The validator on a contract with `.generatedTargets` (targets the collator makes itself, of
/// their own length, as T5 span corruption does) and on a contract that produces `labels` but
/// declares `.none` — both found building a third-party span-corruption collator.
@Suite("Validation of generated targets")
struct GeneratedTargetsValidationTests {
    static func contract(_ source: CollatorContract.LabelSource) -> CollatorContract {
        CollatorContract(
            name: "span-corruption", reference: "T5 span corruption", requiredFields: ["input_ids"],
            producedFields: ["input_ids", "attention_mask", "labels", "decoder_input_ids"], labelSource: source,
            layout: .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false), rewritesInputIDs: true)
    }

    /// A batch whose targets are narrower than its inputs.
    static let batch = Batch([
        "input_ids": Tensor(shape: [1, 5], scalars: [11, 12, 32099, 15, 1]),
        "attention_mask": Tensor(shape: [1, 5], scalars: [1, 1, 1, 1, 1]),
        "labels": Tensor(shape: [1, 4], scalars: [32099, 13, 14, 1]),
    ])
    static let examples = [Example(inputIDs: [11, 12, 13, 14, 15])]

    @Test func anEncoderDecoderTakesThemWithoutAFinding() {
        let backend = BackendContract(kind: .seq2seqLM, requiredInputs: ["input_ids", "labels"])
        let validator = Validator()
        #expect(validator.validate(Self.examples, collator: Self.contract(.generatedTargets), backend: backend) == [])
        #expect(validator.validate(batch: Self.batch, exampleIndices: 0..<1, collator: Self.contract(.generatedTargets), backend: backend) == [])
    }

    @Test func aCausalLMIsAskedWhetherTheModelIsAnEncoderDecoder() throws {
        let backend = BackendContract(kind: .causalLM, requiredInputs: ["input_ids", "labels"])
        let validator = Validator()
        #expect(validator.validate(Self.examples, collator: Self.contract(.generatedTargets), backend: backend) == [])
        let found = validator.validate(batch: Self.batch, exampleIndices: 0..<1, collator: Self.contract(.generatedTargets), backend: backend)
        let diagnostic = try #require(found.first)
        #expect(diagnostic.code == .missingLabels)
        #expect(diagnostic.message == "batch 0 (examples 0..<1) has 'labels' of shape [1, 4] but input_ids of shape [1, 5]: the span-corruption "
                + "collator (T5 span corruption) generates targets of their own length, which an encoder-decoder reads as decoder targets but "
                + "a causal LM cannot align with its inputs. Fix: if the model is an encoder-decoder, say so (--model-kind seq2seq-lm, "
                + "BackendContract(kind: .seq2seqLM)); otherwise use a collator whose labels are aligned with input_ids.")
    }

    @Test func examplesOwnLabelsAreOverwritten() throws {
        let backend = BackendContract(kind: .seq2seqLM, requiredInputs: ["input_ids", "labels"])
        let found = Validator().validate([Example(inputIDs: [11, 12, 13], labels: [-100, 12, 13])], collator: Self.contract(.generatedTargets), backend: backend)
        let diagnostic = try #require(found.first)
        #expect(diagnostic.code == .labelsOverwritten)
        #expect(diagnostic.message.contains("replaces them with targets it generates itself"))
    }

    @Test func labelSourceNoneWithLabelsIsNamedAsTheContractsContradiction() throws {
        let backend = BackendContract(kind: .seq2seqLM, requiredInputs: ["input_ids", "labels"])
        let found = Validator().validate(Self.examples, collator: Self.contract(.none), backend: backend)
        let diagnostic = try #require(found.first)
        #expect(diagnostic.code == .missingLabels)
        #expect(diagnostic.message.hasPrefix("the span-corruption collator (T5 span corruption) lists 'labels' in its contract's producedFields but declares labelSource .none"))
        #expect(diagnostic.message.contains(".generatedTargets for targets it makes itself"))
    }
}
