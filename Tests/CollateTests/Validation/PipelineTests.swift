import Collate
import Testing

/// A collator that must never run: it proves the schema phase rejects before any batch is built.
private struct UnreachableCollator: Collator {
    var contract: CollatorContract
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        throw .collatorFailed(collator: "unreachable", example: nil, reason: "the schema phase should have rejected the examples first")
    }
}

/// A collator whose contract promises labels it never makes (a buggy third-party collator).
private struct LyingCollator: Collator {
    var contract: CollatorContract { LanguageModelingCollator(padTokenID: 0).contract }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        var batch = try LanguageModelingCollator(padTokenID: 0).collate(examples)
        batch["labels"] = nil
        return batch
    }
}

/// A backend that behaves like an HF model given no labels: logits only, never a loss.
private struct LogitsOnlyBackend: TrainableBackend {
    var contract = BackendContract(requiredInputs: ["input_ids"])
    func forward(_ batch: Batch) throws -> ModelOutput {
        ModelOutput(logits: OutputTensor(shape: [1], values: [0]))
    }
    mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput { try forward(batch) }
    mutating func step(learningRate: Double) {}
}

/// Records the `numItemsInBatch` each micro-batch is normalised by, and returns sum/num as loss.
private struct RecordingBackend: TrainableBackend {
    var contract = BackendContract(requiredInputs: ["input_ids", "labels"])
    var normalisers: [Int?] = []
    var steps = 0
    func forward(_ batch: Batch) throws -> ModelOutput { ModelOutput(loss: 1) }
    mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        normalisers.append(numItemsInBatch)
        return ModelOutput(loss: Double(batch.numItemsInBatch()) / Double(numItemsInBatch ?? 1))
    }
    mutating func step(learningRate: Double) { steps += 1 }
}

@Suite("Pipeline and trainer")
struct PipelineTests {
    static let training = BackendContract(requiredInputs: ["input_ids", "labels"])

    @Test func schemaErrorsRejectBeforeAnyBatchIsBuilt() {
        let pipeline = Pipeline(collator: UnreachableCollator(contract: PaddingCollator(padding: PaddingOptions(padTokenID: 0)).contract))
        do {
            _ = try pipeline.prepare([Example(inputIDs: [1, 2]), Example(inputIDs: [])], batchSize: 2, for: Self.training)
            Issue.record("the pipeline started")
        } catch {
            guard case .rejected(let failure) = error else {
                Issue.record("expected rejection, got \(error)")
                return
            }
            #expect(failure.errorCodes == [.missingLabels, .emptyExample])
            #expect(failure.description.contains("the pipeline did not start"))
        }
    }

    @Test func batchRulesCatchWhatAContractDidNotDeclare() {
        #expect(throws: PipelineError.self) {
            try Pipeline(collator: LyingCollator()).prepare([Example(inputIDs: [1, 2])], batchSize: 1, for: Self.training)
        }
        let error = #expect(throws: PipelineError.self) {
            try Pipeline(collator: LyingCollator()).prepare([Example(inputIDs: [1, 2]), Example(inputIDs: [3])], batchSize: 1, for: Self.training)
        }
        #expect(error?.diagnostics.map(\.code) == [.missingLabels, .missingLabels])
        #expect(error?.diagnostics.first?.message.contains("batch 0 (examples 0..<1)") == true)
    }

    /// Left padding numbered by HF's rule ([1, 1, 0, 1, 2]) is not a packed row; a restart after
    /// a real token is.
    @Test func packedRowCheckReadsTheAttentionMask() {
        let contract = LanguageModelingCollator(padTokenID: 0, paddingSide: .left).contract
        let backend = BackendContract(requiredInputs: ["input_ids", "labels"], acceptsPaddingFree: false)
        func codes(positions: [Int32], mask: [Int32]) -> [Diagnostic.Code] {
            let batch = Batch([
                "input_ids": Tensor(shape: [1, 5], scalars: [0, 0, 5, 6, 7]),
                "attention_mask": Tensor(shape: [1, 5], scalars: mask),
                "labels": Tensor(shape: [1, 5], scalars: [-100, -100, 5, 6, 7]),
                "position_ids": Tensor(shape: [1, 5], scalars: positions),
            ])
            return Validator().validate(batch: batch, index: 0, exampleIndices: 0..<1, collator: contract, backend: backend).map(\.code)
        }
        #expect(!codes(positions: [1, 1, 0, 1, 2], mask: [0, 0, 1, 1, 1]).contains(.packingWithoutBoundaries))
        #expect(codes(positions: [0, 1, 0, 1, 2], mask: [1, 1, 1, 1, 1]).contains(.packingWithoutBoundaries))
    }

    /// Seq2seq labels are padded to their own width: not "not token labels" for an
    /// encoder-decoder (non-shifting) backend, but misaligned for a causal one.
    @Test func labelWidthMattersOnlyForAShiftingBackend() throws {
        let collator = Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0))
        let batch = try collator.collate([Example(inputIDs: [1, 2, 3, 4], labels: [5, 6])])
        func codes(shifts: Bool) -> [Diagnostic.Code] {
            let backend = BackendContract(requiredInputs: ["input_ids", "labels"], shiftsLabels: shifts)
            return Validator().validate(batch: batch, collator: collator.contract, backend: backend).map(\.code)
        }
        #expect(!codes(shifts: false).contains(.missingLabels))
        #expect(codes(shifts: true).contains(.missingLabels))
    }

    /// A third-party collator's own failure (`CollateError.collatorFailed`, the one error type
    /// `collate` throws) is reported as the collator's, naming it, not as a transform's.
    @Test func aCollatorsOwnErrorIsNamedAsTheCollators() {
        let pipeline = Pipeline(collator: UnreachableCollator(contract: LanguageModelingCollator(padTokenID: 0).contract))
        let reason = "the schema phase should have rejected the examples first"
        #expect(throws: PipelineError.collationFailed(.collatorFailed(collator: "unreachable", example: nil, reason: reason), batch: 0)) {
            try pipeline.prepare([Example(inputIDs: [1, 2])], batchSize: 1, for: Self.training)
        }
        #expect(CollateError.collatorFailed(collator: "unreachable", example: nil, reason: reason).description == "the unreachable collator: \(reason)")
        #expect(CollateError.collatorFailed(collator: "c", example: 1, reason: "r").offsettingExample(by: 4) == .collatorFailed(collator: "c", example: 5, reason: "r"))
        #expect(CollateError.collatorFailed(collator: "c", example: 5, reason: "r").description == "example 5: the c collator: r")
    }

    @Test func transformsRunBeforeBatchValidation() {
        let dropLabels: Pipeline<LanguageModelingCollator>.Transform = { batch in
            var copy = batch
            copy["labels"] = nil
            return copy
        }
        let pipeline = Pipeline(collator: LanguageModelingCollator(padTokenID: 0), transforms: [dropLabels])
        let error = #expect(throws: PipelineError.self) { try pipeline.prepare([Example(inputIDs: [1, 2])], batchSize: 1, for: Self.training) }
        #expect(error?.diagnostics.map(\.code) == [.missingLabels])
    }

    @Test func warningsDoNotStopThePipeline() throws {
        let prepared = try Pipeline(collator: LanguageModelingCollator(padTokenID: 2))
            .prepare([Example(inputIDs: [5, 6, 2]), Example(inputIDs: [7])], batchSize: 1, for: Self.training)
        #expect(prepared.batches.count == 2)
        #expect(prepared.exampleRanges == [0..<1, 1..<2])
        #expect(prepared.warnings.map(\.code) == [.padMasksEOS])
    }

    @Test func numItemsInBatchCountsTargetsAfterTheShift() throws {
        let padded = try LanguageModelingCollator(padTokenID: 0).collate([Example(inputIDs: [1, 2, 3, 4]), Example(inputIDs: [5, 6])])
        // Row 0 predicts 2, 3, 4; row 1 predicts 6; padding is -100.
        #expect(padded.numItemsInBatch() == 4)
        #expect(padded.trainingTargets() == [2, 3, 4, -100, 6, -100, -100, -100])
        #expect(padded.numItemsInBatch(shifted: false) == 6)
        #expect(padded.realTokenCount == 6)
    }

    @Test func numItemsInBatchExcludesPackingBoundaries() {
        // Two sequences packed without a -100 separator: 3 -> 4 crosses the boundary and is not trained.
        let packed = Batch([
            "input_ids": Tensor(shape: [1, 5], scalars: [1, 2, 3, 4, 5]),
            "labels": Tensor(shape: [1, 5], scalars: [1, 2, 3, 4, 5]),
            "position_ids": Tensor(shape: [1, 5], scalars: [0, 1, 2, 0, 1]),
        ])
        #expect(packed.trainingTargets() == [2, 3, -100, 5, -100])
        #expect(packed.numItemsInBatch() == 3)
        var byOffsets = packed
        byOffsets["position_ids"] = nil
        byOffsets["cu_seq_lens_q"] = Tensor(shape: [3], scalars: [0, 3, 5], dtype: .int32)
        #expect(byOffsets.numItemsInBatch() == 3)
        // Left padding (pads numbered 1 by HF) is not a boundary.
        let left = Batch([
            "input_ids": Tensor(shape: [1, 4], scalars: [0, 0, 7, 8]),
            "attention_mask": Tensor(shape: [1, 4], scalars: [0, 0, 1, 1]),
            "labels": Tensor(shape: [1, 4], scalars: [-100, -100, 7, 8]),
            "position_ids": Tensor(shape: [1, 4], scalars: [1, 1, 0, 1]),
        ])
        #expect(left.numItemsInBatch() == 2)
    }

    @Test func gradientAccumulationNormalisesByTheWindowCount() throws {
        let collator = LanguageModelingCollator(padTokenID: 0)
        let batches = try [[Example(inputIDs: [1, 2, 3, 4])], [Example(inputIDs: [5, 6])], [Example(inputIDs: [7, 8, 9])]].map(collator.collate)
        var trainer = Trainer(backend: RecordingBackend(), configuration: .init(steps: 2, gradientAccumulation: 2, learningRate: 0.1))
        let records = try trainer.train(batches)
        // Window 1: 3 + 1 targets; window 2 (cycling): 2 + 3.
        #expect(trainer.backend.normalisers == [4, 4, 5, 5])
        #expect(records.map(\.numItems) == [4, 5])
        #expect(records.map(\.loss) == [1, 1])
        #expect(records.map(\.tokens) == [6, 7])
        #expect(trainer.backend.steps == 2)
        #expect(records[0].jsonText == #"{"step": 1, "loss": 1.0, "tokens": 6, "num_items": 4}"#)
    }

    @Test func aBackendWithoutLossFailsWithHFsMessage() throws {
        let batch = try PaddingCollator(padding: PaddingOptions(padTokenID: 0)).collate([Example(inputIDs: [1, 2])])
        var trainer = Trainer(backend: LogitsOnlyBackend(), configuration: .init(steps: 1))
        let error = #expect(throws: TrainingError.noLoss(step: 1, outputKeys: ["logits"], inputKeys: ["input_ids", "attention_mask"])) {
            try trainer.train([batch])
        }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.hasPrefix("The model did not return a loss from the inputs, only the following keys: logits. For reference, the inputs it received are input_ids,attention_mask."))
        #expect(text.contains("Cause"))
        #expect(text.contains("Fix:"))
    }

    @Test func trainingRefusesAWindowWithNothingToTrain() throws {
        let batch = Batch([
            "input_ids": Tensor(shape: [1, 2], scalars: [1, 2]),
            "labels": Tensor(shape: [1, 2], scalars: [-100, -100]),
        ])
        var trainer = Trainer(backend: RecordingBackend(), configuration: .init(steps: 1))
        #expect(throws: TrainingError.noTrainableTokens(step: 1)) { try trainer.train([batch]) }
        // Only the first label is trained, and a causal LM shifts it away: nothing to train, and
        // the backend is never asked to divide by a count of zero.
        let shiftedAway = Batch([
            "input_ids": Tensor(shape: [1, 3], scalars: [5, 6, 7]),
            "labels": Tensor(shape: [1, 3], scalars: [5, -100, -100]),
        ])
        #expect(throws: TrainingError.noTrainableTokens(step: 1)) { try trainer.train([shiftedAway]) }
        #expect(trainer.backend.normalisers.isEmpty)
        #expect(trainer.backend.steps == 0)
        #expect(throws: TrainingError.noBatches) { try trainer.train([]) }
        var bad = Trainer(backend: RecordingBackend(), configuration: .init(steps: 0))
        #expect(throws: TrainingError.invalidConfiguration("steps", value: "0")) { try bad.train([batch]) }
    }
}
