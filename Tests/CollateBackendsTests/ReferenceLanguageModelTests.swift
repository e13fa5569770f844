import Collate
import CollateBackends
import Foundation
import Testing

/// Seeded sample data: sequences that follow a fixed successor table with a little noise, so a
/// language model has something to learn.
enum SampleData {
    static func examples(count: Int, vocabSize: Int = 24, seed: UInt64 = 7) -> [Example] {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        return (0..<count).map { _ in
            var token = 1 + next() % (vocabSize - 1)
            var tokens: [Int32] = []
            for _ in 0..<(4 + next() % 8) {
                tokens.append(Int32(token))
                token = next() % 10 == 0 ? 1 + next() % (vocabSize - 1) : 1 + (token * 7) % (vocabSize - 1)
            }
            return Example(inputIDs: tokens)
        }
    }
}

@Suite("Reference language model")
struct ReferenceLanguageModelTests {
    static let examples = SampleData.examples(count: 32)

    @Test func paddingCollatorIsRejectedWithMissingLabelsBeforeStepOne() {
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: 24))
        let before = model.weights
        let pipeline = Pipeline(collator: PaddingCollator(padding: PaddingOptions(padTokenID: 0)))
        let error = #expect(throws: PipelineError.self) {
            try pipeline.train(Self.examples, batchSize: 8, backend: &model, configuration: .init(steps: 5))
        }
        #expect(error?.diagnostics.errors.map(\.code) == [.missingLabels])
        #expect(model.stepCount == 0)
        #expect(model.weights == before)
    }

    @Test func seq2seqOnUnlabeledDataIsRejected() {
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: 24))
        let pipeline = Pipeline(collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)))
        let error = #expect(throws: PipelineError.self) {
            try pipeline.train(Self.examples, batchSize: 8, backend: &model, configuration: .init(steps: 5))
        }
        let codes = Set(error?.diagnostics.errors.map(\.code) ?? [])
        // One cause, one finding: missing-labels, not also a missing-field per example.
        #expect(codes == [.missingLabels])
        #expect(model.stepCount == 0)
    }

    @Test func languageModelingLossIsFiniteAndFallsOver50Steps() throws {
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: 24))
        let pipeline = Pipeline(collator: LanguageModelingCollator(padTokenID: 0))
        let records = try pipeline.train(Self.examples, batchSize: 8, backend: &model, configuration: .init(steps: 50, learningRate: 0.05))
        #expect(records.count == 50)
        #expect(records.allSatisfy { $0.loss.isFinite && $0.numItems > 0 })
        let first = records.prefix(4).map(\.loss).reduce(0, +) / 4
        let last = records.suffix(4).map(\.loss).reduce(0, +) / 4
        #expect(last < first * 0.6, "loss went from \(first) to \(last)")
        #expect(model.stepCount == 50)
    }

    @Test func flatteningTrainsToo() throws {
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: 24))
        let records = try Pipeline(collator: FlatteningCollator())
            .train(Self.examples, batchSize: 8, backend: &model, configuration: .init(steps: 30, gradientAccumulation: 2, learningRate: 0.05))
        #expect(records.last.map { $0.loss < records[0].loss * 0.7 } == true)
    }

    @Test func noLabelsMeansNoLossAndTheTrainerSaysWhy() throws {
        let model = ReferenceLanguageModel(configuration: .init(vocabSize: 24))
        let batch = try PaddingCollator(padding: PaddingOptions(padTokenID: 0)).collate(Array(Self.examples.prefix(2)))
        let output = try model.forward(batch)
        #expect(output.loss == nil)
        #expect(output.keys == ["logits"])
        #expect(output.logits?.shape == [2, batch["input_ids"]?.shape[1] ?? 0, 24])
        var trainer = Trainer(backend: model, configuration: .init(steps: 1))
        let error = #expect(throws: TrainingError.self) { try trainer.train([batch]) }
        #expect(error.map(String.init(describing:))?.contains(
            "The model did not return a loss from the inputs, only the following keys: logits. For reference, the inputs it received are input_ids,attention_mask.") == true)
    }

    @Test func lossIsShiftedCrossEntropyWithIgnoreIndex() throws {
        let model = ReferenceLanguageModel(configuration: .init(vocabSize: 5, dimension: 3, seed: 3))
        let batch = Batch([
            "input_ids": Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]),
            "labels": Tensor(shape: [1, 4], scalars: [-100, 2, -100, 4]),
        ])
        let output = try model.forward(batch)
        let logits = try #require(output.logits).values.map(Double.init)
        func crossEntropy(position: Int, target: Int) -> Double {
            let row = logits[(position * 5)..<(position * 5 + 5)]
            let largest = row.max() ?? 0
            return largest + log(row.map { exp($0 - largest) }.reduce(0, +)) - logits[position * 5 + target]
        }
        // Position 0 predicts label 2, position 2 predicts label 4; -100 targets are skipped.
        let expected = (crossEntropy(position: 0, target: 2) + crossEntropy(position: 2, target: 4)) / 2
        #expect(abs((output.loss ?? .nan) - expected) < 1e-5)
        #expect(try model.loss(batch, numItemsInBatch: 4) == (output.loss ?? 0) / 2)
    }

    @Test func packedSequencesMatchSequencesRunAlone() throws {
        // The boundary probe: a padding-free batch gives every sequence the logits it gets alone.
        let model = ReferenceLanguageModel(configuration: .init(vocabSize: 24, seed: 5))
        let parts = Array(Self.examples.prefix(3))
        let packed = try #require(try model.forward(FlatteningCollator().collate(parts)).logits).values
        let padded = try #require(try model.forward(LanguageModelingCollator(padTokenID: 0).collate(parts)).logits)
        let width = padded.shape[1]
        var offset = 0
        for (row, example) in parts.enumerated() {
            let alone = try model.forward(LanguageModelingCollator(padTokenID: 0).collate([example])).logits?.values ?? []
            let count = example.inputIDs.count * 24
            #expect(Array(packed[(offset * 24)..<(offset * 24 + count)]) == Array(alone[0..<count]))
            #expect(Array(padded.values[(row * width * 24)..<(row * width * 24 + count)]) == Array(alone[0..<count]))
            offset += example.inputIDs.count
        }
    }

    @Test func accumulationOverMicroBatchesEqualsOneBigBatch() throws {
        let collator = LanguageModelingCollator(padTokenID: 0)
        let parts = Array(Self.examples.prefix(4))
        let whole = try collator.collate(parts)
        let halves = try [collator.collate(Array(parts[0..<2])), collator.collate(Array(parts[2..<4]))]
        var big = ReferenceLanguageModel(configuration: .init(vocabSize: 24))
        var small = big
        let bigLoss = try big.accumulateGradients(whole, numItemsInBatch: whole.numItemsInBatch()).loss ?? .nan
        let items = halves.map { $0.numItemsInBatch() }.reduce(0, +)
        #expect(items == whole.numItemsInBatch())
        var smallLoss = 0.0
        for half in halves { smallLoss += try small.accumulateGradients(half, numItemsInBatch: items).loss ?? .nan }
        #expect(abs(bigLoss - smallLoss) < 1e-12)
        #expect(zip(big.gradients, small.gradients).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func badBatchesThrowNamedErrors() {
        let model = ReferenceLanguageModel(configuration: .init(vocabSize: 4))
        #expect(throws: ReferenceModelError.tokenOutOfRange(4, position: 1, vocabSize: 4)) {
            try model.forward(Batch(["input_ids": Tensor(shape: [1, 2], scalars: [1, 4])]))
        }
        #expect(throws: ReferenceModelError.missingInputIDs(keys: ["labels"])) {
            try model.forward(Batch(["labels": Tensor(shape: [1, 1], scalars: [1])]))
        }
        #expect(throws: ReferenceModelError.labelOutOfRange(9, position: 0, vocabSize: 4)) {
            try model.forward(Batch(["input_ids": Tensor(shape: [1, 2], scalars: [1, 2]), "labels": Tensor(shape: [1, 2], scalars: [1, 9])]))
        }
    }

    @Test func contractDescribesATrainingCausalLM() {
        let contract = ReferenceLanguageModel(configuration: .init(vocabSize: 10, maxLength: 64)).contract
        #expect(contract.requiredInputs == ["input_ids", "labels"])
        #expect(contract.acceptsPaddingFree && contract.shiftsLabels)
        #expect(contract.vocabSize == 10 && contract.maxLength == 64)
    }
}
