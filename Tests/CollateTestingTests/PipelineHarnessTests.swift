import Collate
import CollateTesting
import Testing

@Suite("Pipeline harness")
struct PipelineHarnessTests {
    static let examples = Example.list(
        ["input_ids": [5, 6, 7], "labels": [-100, 6, 7]],
        ["input_ids": [8], "labels": [8]],
        ["input_ids": [9, 10], "labels": [-100, 10]])

    @Test func backendReceivesTheCollatedAndTransformedBatches() throws {
        let padToFour: Pipeline<Seq2SeqCollator>.Transform = { batch in
            var padded = batch
            for name in batch.names {
                guard let tensor = batch[name], tensor.rank == 2 else { continue }
                let fill: Int32 = name == "labels" ? ignoreIndex : 0
                let rows = tensor.rows.map { $0 + Array(repeating: fill, count: 4 - $0.count) }
                padded[name] = Tensor(shape: [tensor.shape[0], 4], scalars: rows.flatMap { $0 })
            }
            return padded
        }
        let harness = PipelineHarness(collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)), transforms: [padToFour])
        let outputs = try harness.forward(Self.examples, batchSize: 2)
        #expect(harness.batches.count == 2)
        #expect(outputs.map(\.loss) == [2, 1])  // trained targets after the shift: 6, 7 and 10
        try harness.assertNextBatch(equals: ExpectedBatch {
            Row(["input_ids": [5, 6, 7, 0], "attention_mask": [1, 1, 1, 0], "labels": [-100, 6, 7, -100]])
            Row(["input_ids": [8, 0, 0, 0], "attention_mask": [1, 0, 0, 0], "labels": [8, -100, -100, -100]])
        })
        try harness.assertNextBatch(equals: [
            "input_ids": [[9, 10, 0, 0]], "attention_mask": [[1, 1, 0, 0]], "labels": [[-100, 10, -100, -100]],
        ])
        #expect(harness.readBatch() == nil)
        #expect(throws: BatchMismatch(differences: [.init(kind: .noBatch(index: 2, received: 2), message: "no batch left to read: the backend received 2 batches, all read")])) {
            try harness.assertNextBatch(equals: ["input_ids": [[1]]])
        }
        #expect(harness.backend.calls.count == 2)
        #expect(harness.backend.forwardedBatches == harness.batches)
    }

    @Test func rejectedPipelineNeverReachesTheBackend() throws {
        // The seed failure: a padding collator makes no labels and the backend needs them.
        let harness = PipelineHarness(collator: PaddingCollator(padding: PaddingOptions(padTokenID: 0)))
        let unlabeled = Example.list(["input_ids": [5, 6, 7]], ["input_ids": [8]])
        #expect(throws: PipelineError.self) { try harness.forward(unlabeled, batchSize: 2) }
        #expect(harness.batches.isEmpty)
        let diagnostics = try harness.diagnostics(for: unlabeled, batchSize: 2)
        #expect(diagnostics.errors.map(\.code) == [.missingLabels])
        // Examples that carry token labels of different lengths: the padding collator passes them
        // through unpadded, so the batch cannot be stacked — ragged-labels, not missing-labels.
        #expect(throws: PipelineError.self) { try harness.forward(Self.examples, batchSize: 2) }
        #expect(try harness.diagnostics(for: Self.examples, batchSize: 2).errors.map(\.code) == [.raggedLabels])
    }

    @Test func assertBatchByIndexUsesTheDecoder() throws {
        let vocabulary: [Int32: String] = [5: "▁The", 6: "▁cat", 7: "▁sat", 8: "▁Hi", 0: "<pad>"]
        let harness = PipelineHarness(collator: LanguageModelingCollator(padTokenID: 0), decode: { vocabulary[$0] ?? "?" })
        try harness.forward(Example.list(["input_ids": [5, 6, 7]], ["input_ids": [8]]), batchSize: 2)
        do {
            try harness.assertBatch(0, equals: [
                "input_ids": [[5, 6, 7], [8, 0, 0]],
                "attention_mask": [[1, 1, 1], [1, 0, 0]],
                "labels": [[-100, 6, 7], [8, -100, -100]],
            ])
            Issue.record("expected a mismatch: the LM collator trains the first token")
        } catch {
            #expect(error.description == """
                batch differs from the expectation in 1 place:
                  labels row 0, position 0: expected -100, got 5 ("▁The")
                    expected  [-100] 6 7
                    got       [5] 6 7
                    context   ⟦▁The⟧ ▁cat ▁sat   (input_ids row 0)
                """)
        }
        #expect(throws: BatchMismatch.self) { try harness.assertBatch(1, equals: [:]) }
    }

    @Test func trainingRecordsMicroBatchesItemCountsAndSteps() throws {
        let harness = PipelineHarness(collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)))
        let records = try harness.train(Self.examples, batchSize: 1, configuration: .init(steps: 1, gradientAccumulation: 3, learningRate: 0.5))
        #expect(records.count == 1)
        let calls = harness.backend.calls
        #expect(calls.count == 4)
        #expect(calls.last == .step(learningRate: 0.5))
        let counts = calls.compactMap { call -> Int?? in
            if case .accumulateGradients(_, let count) = call { return count }
            return nil
        }
        // One window of three micro-batches: every call sees the window's trained-target count.
        #expect(counts == [Optional(3), Optional(3), Optional(3)])
    }

    @Test func failingBackendIsReportedWithItsBatch() {
        struct ModelCrashed: Error, CustomStringConvertible { var description: String { "out of memory" } }
        let backend = RecordingBackend { batch in
            if batch.tokenCount > 2 { throw ModelCrashed() }
            return RecordingBackend.hfLikeOutput(for: batch)
        }
        let harness = PipelineHarness(collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)), backend: backend)
        #expect(throws: PipelineError.backendFailed(batch: 0, message: "out of memory")) {
            try harness.forward(Self.examples, batchSize: 2)
        }
        #expect(harness.batches.count == 1)
        backend.reset()
        #expect(backend.calls.isEmpty)
    }
}
