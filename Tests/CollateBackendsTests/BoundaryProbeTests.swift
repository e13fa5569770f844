import Collate
import CollateBackends
import Testing

/// The boundary probe over the reference Swift LM (logits) and the counting worker
/// (token losses), honest and leaking.
@Suite("Boundary probe")
struct BoundaryProbeTests {
    @Test func referenceModelKeepsPackedSequencesApart() throws {
        let model = ReferenceLanguageModel(vocabSize: 50, seed: 3)
        let report = try BoundaryProbe(vocabSize: 50).run(model)
        #expect(report.compared == .logits)
        #expect(report.passed)
        #expect(report.maxDifference < 1e-9)
        #expect(report.diagnostic == nil)
        #expect(report.differences.count == 4)
    }

    @Test func probeNeedsSomethingToCompare() {
        struct LossOnly: ModelBackend {
            var contract: BackendContract { BackendContract() }
            func forward(_ batch: Batch) throws -> ModelOutput { ModelOutput(loss: 1) }
        }
        #expect(throws: BoundaryProbeError.noComparableOutput(keys: ["loss"])) { try BoundaryProbe(vocabSize: 10).run(LossOnly()) }
        #expect(throws: BoundaryProbeError.invalidSequences("a probe needs at least 2 sequences, got 1")) {
            try BoundaryProbe(sequences: [[1, 2]]).run(LossOnly())
        }
    }

    /// A backend whose logits see the whole row: it ignores position_ids.
    struct LeakingModel: ModelBackend {
        var contract: BackendContract { BackendContract() }
        func forward(_ batch: Batch) throws -> ModelOutput {
            let ids = batch["input_ids"]?.scalars ?? []
            var sum: Float = 0
            let values = ids.map { id -> Float in
                sum += Float(id)
                return sum
            }
            return ModelOutput(logits: OutputTensor(shape: [1, ids.count, 1], values: values))
        }
    }

    @Test func leakingModelFailsAndIsRefusedPaddingFreeBatches() throws {
        let probed = try ProbedBackend(LeakingModel(), probe: BoundaryProbe(vocabSize: 100))
        #expect(!probed.report.passed)
        #expect(probed.report.differences[0] == 0, "the first sequence has nothing before it")
        let diagnostic = try #require(probed.report.diagnostic)
        #expect(diagnostic.code == .packingWithoutBoundaries)
        #expect(diagnostic.message.contains("differ by up to \(Int(probed.report.maxDifference))"))
        #expect(!probed.contract.acceptsPaddingFree)

        let flattened = try FlatteningCollator().collate([Example(inputIDs: [1, 2]), Example(inputIDs: [3, 4])])
        #expect(throws: BoundaryProbeError.refused(diagnostic)) { try probed.forward(flattened) }
        let padded = try LanguageModelingCollator(padTokenID: 0).collate([Example(inputIDs: [1, 2])])
        #expect(throws: Never.self) { try probed.forward(padded) }

        // The validator sees the refined contract.
        let diagnostics = Validator().validate([Example(inputIDs: [1, 2])], collator: FlatteningCollator().contract, backend: probed.contract)
        #expect(diagnostics.map(\.code).contains(.packingWithoutBoundaries))
    }
}

@Suite("Boundary probe over the worker protocol", .enabled(if: Workers.python3 != nil, Comment(rawValue: Workers.skipMessage)))
struct WorkerBoundaryProbeTests {
    @Test func honestWorkerPassesAndThenTakesPaddingFreeBatches() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand())
        defer { backend.close() }
        let report = try backend.probeBoundaries()
        #expect(report.compared == .tokenLosses)
        #expect(report.passed)
        #expect(report.maxDifference == 0)
        #expect(backend.contract.acceptsPaddingFree)
    }

    @Test func probeWithFlashAttentionKwargsUsesCuSeqLens() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand())
        defer { backend.close() }
        let probe = BoundaryProbe(vocabSize: 1000, collator: FlatteningCollator(returnPositionIDs: false, returnFlashAttentionKwargs: true))
        #expect(try backend.probeBoundaries(probe).passed)
    }

    @Test func leakingWorkerFailsWithTheMeasuredDifference() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand("--leak"))
        defer { backend.close() }
        let report = try backend.probeBoundaries()
        #expect(!report.passed)
        #expect(report.maxDifference > 0.01)
        let diagnostic = try #require(report.diagnostic)
        #expect(diagnostic.code == .packingWithoutBoundaries)
        #expect(diagnostic.message.contains("token_losses"))
        #expect(!backend.contract.acceptsPaddingFree)

        let examples = [Example(inputIDs: [4, 5, 6]), Example(inputIDs: [7, 8, 9])]
        let flattened = try FlatteningCollator().collate(examples)
        #expect(throws: BoundaryProbeError.refused(diagnostic)) { try backend.forward(flattened) }
        #expect(throws: BoundaryProbeError.refused(diagnostic)) { _ = try backend.accumulateGradients(flattened, numItemsInBatch: nil) }
        let padded = try LanguageModelingCollator(padTokenID: 0).collate(examples)
        #expect(try backend.forward(padded).loss != nil)

        let pipeline = Pipeline(collator: FlatteningCollator())
        #expect {
            _ = try pipeline.forward(examples, batchSize: 2, backend: backend)
        } throws: { error in
            (error as? PipelineError)?.diagnostics.map(\.code).contains(.packingWithoutBoundaries) ?? false
        }
    }
}
