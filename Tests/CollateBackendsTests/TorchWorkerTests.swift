import Collate
import CollateBackends
import CollateTestSupport
import Foundation
import Testing

/// collate_worker.py with a real transformers model (random init, fp32, CPU or GPU): padded
/// and flattened batches give the same loss, the probe passes with use_cache=False, the worker
/// trains. Skipped when torch and transformers cannot be imported.
@Suite("Torch worker", .enabled(if: Workers.torchPython != nil, Comment(rawValue: Workers.torchSkipMessage)), .serialized)
struct TorchWorkerTests {
    static let config = #"{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "#
        + #""num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000, "max_position_embeddings": 256}"#

    static func start(useCache: Bool, attention: String = "sdpa") throws -> ExternalBackend {
        try ExternalBackend(configuration: .init(
            command: [Workers.torchPython ?? "python3", Workers.torch, "--config", config, "--device", "cpu",
                      "--attn", attention, "--use-cache", useCache ? "true" : "false"],
            startupTimeout: .seconds(300), requestTimeout: .seconds(120), requiredInputs: ["input_ids", "labels"]))
    }

    static let examples: [Example] = [[11, 52, 973, 4, 88, 301, 7], [640, 2, 19], [5, 5, 900, 31, 77, 12, 13, 14, 15, 16, 17], [400, 401]]
        .map { Example(inputIDs: $0) }

    @Test func paddedAndFlattenedLossesAgreeProbePassesAndTheWorkerTrains() throws {
        let backend = try Self.start(useCache: false)
        defer { backend.close() }
        #expect(backend.worker.vocabSize == 1000)
        #expect(backend.worker.maxLength == 256)

        let padded = try LanguageModelingCollator(padTokenID: 0).collate(Self.examples)
        let flattened = try FlatteningCollator().collate(Self.examples)
        let paddedReply = try backend.run(padded)
        let flattenedReply = try backend.run(flattened)
        let paddedLoss = try #require(paddedReply.loss), flattenedLoss = try #require(flattenedReply.loss)
        #expect(abs(paddedLoss - flattenedLoss) < 1e-4, "padded \(paddedLoss) vs flattened \(flattenedLoss)")
        #expect(paddedReply.numItems == padded.numItemsInBatch())
        #expect(flattenedReply.numItems == flattened.numItemsInBatch())
        #expect(paddedReply.outputs.first?.shape == [4, 11, 1000])

        let report = try backend.probeBoundaries()
        #expect(report.passed, "\(report.jsonText)")
        #expect(backend.contract.acceptsPaddingFree)

        var trainer = Trainer(backend: backend, configuration: .init(steps: 5, learningRate: 1e-2))
        let records = try trainer.train([flattened])
        #expect(records.last.map { $0.loss < records[0].loss } == true, "\(records.map(\.loss))")
        #expect(backend.stepCount == 5)
    }

    /// Guides/Backends.md: a flattened batch with use_cache=True leaks across sequences (transformers
    /// builds no packed-sequence mask when a cache object exists). Recorded, not assumed: the
    /// test states what the installed version does.
    @Test func useCacheTrueIsCaughtByTheProbe() throws {
        let backend = try Self.start(useCache: true)
        defer { backend.close() }
        let report = try backend.probeBoundaries()
        let version: String = if case .string(let text)? = backend.worker.raw["transformers"] { text } else { "?" }
        #expect(!report.passed, "transformers \(version) with use_cache=True kept packed sequences apart: \(report.jsonText)")
        #expect(report.diagnostic?.code == .packingWithoutBoundaries)
    }
    /// `--attn varlen` (per-sequence attention without flash-attn; torch's varlen kernel on CUDA,
    /// one causal SDPA per sequence elsewhere): padding-free batches keep their sequences apart
    /// whether they carry position_ids or only cu_seq_lens, give the padded batch's loss, and a
    /// padded batch is refused by name instead of being attended to without a mask.
    @Test func varlenAttentionKeepsPackedSequencesApartAndRefusesPaddedBatches() throws {
        let backend = try Self.start(useCache: false, attention: "varlen")
        defer { backend.close() }
        let positions = try backend.probeBoundaries()
        #expect(positions.passed, "\(positions.jsonText)")
        let cuSeqLens = FlatteningCollator(returnPositionIDs: false, returnFlashAttentionKwargs: true)
        let bounds = try backend.probeBoundaries(BoundaryProbe(vocabSize: 1000, collator: cuSeqLens))
        #expect(bounds.passed, "\(bounds.jsonText)")
        #expect(backend.worker.raw["varlen_kernel"] != nil)

        let sdpa = try Self.start(useCache: false)
        defer { sdpa.close() }
        let paddedLoss = try #require(try sdpa.run(LanguageModelingCollator(padTokenID: 0).collate(Self.examples)).loss)
        for collator in [FlatteningCollator(), cuSeqLens] {
            let loss = try #require(try backend.run(collator.collate(Self.examples)).loss)
            #expect(abs(loss - paddedLoss) < 1e-4, "varlen \(loss) vs sdpa padded \(paddedLoss)")
        }
        do {
            _ = try backend.run(LanguageModelingCollator(padTokenID: 0).collate(Self.examples))
            Issue.record("a padded batch was accepted by --attn varlen")
        } catch {
            #expect("\(error)".contains("--attn varlen takes padding-free batches"), "\(error)")
        }
    }

    /// Tests/Python/worker_varlen_tests.py: `--attn varlen` against sdpa (transformers' packed
    /// position_ids mask) and against each sequence alone, in one Python process: several packed
    /// sequences per row with position_ids or cu_seq_lens_q, one-token and empty sequences,
    /// gradient accumulation, and the batches it refuses (padding, cu_seq_lens_q that do not cover
    /// the rows or cross a row end, cu/position_ids disagreement, a max_length below the longest
    /// sequence, position_ids that jump, a short sliding window, attention dropout). Before: rows
    /// of a [2, T] batch with position_ids were each one sequence (a silent leak).
    @Test(.timeLimit(.minutes(10)))
    func varlenEdgeCasesMatchSdpaOrAreRefused() throws {
        let python = try #require(Workers.torchPython)
        let script = Workers.repositoryRoot.appendingPathComponent("Tests/Python/worker_varlen_tests.py").path
        let result = try CollateProcess.run(executable: URL(fileURLWithPath: python), [script], timeout: .seconds(540),
                                            environment: ["OMP_NUM_THREADS": "1"])
        #expect(!result.timedOut)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr.suffix(4000))")
        #expect(result.stdout.contains("11 tests passed"), "\(result.stdout)")
    }
}
