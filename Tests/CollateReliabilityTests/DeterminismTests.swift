import Collate
import Foundation
import Testing

/// Identical seeds give byte-identical batch streams: across runs, across prefetch depths,
/// across simulated ranks, and across a resume from a saved sampler state.
@Suite("Determinism of seeded batch streams")
struct DeterminismTests {
    /// 203 examples of 1...40 tokens from a fixed generator (an odd count, so ranks get padded).
    static let examples: [Example] = {
        var generator = SeededGenerator(seed: 2024)
        return (0..<203).map { _ in
            let length = Int(generator.next(below: 40)) + 1
            return Example(inputIDs: (0..<length).map { _ in Int32(generator.next(below: 1000)) + 5 })
        }
    }()

    static func mlm(seed: Int) throws -> MaskedLanguageModelingCollator {
        try #require(try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 1005, "mlm_probability": 0.3, "special_token_ids": [0, 1, 2], "seed": \#(seed)}"#) as? MaskedLanguageModelingCollator)
    }

    /// Every batch of a loader, as JSON text, in order.
    static func stream<S: Sampler>(_ cursor: SamplerCursor<S>, collator: some Collator<Batch>, prefetch: Int) async throws -> [String] {
        var texts: [String] = []
        for try await loaded in DataLoader(examples: examples, cursor: cursor, collator: collator, prefetch: prefetch) {
            texts.append(loaded.indices.description + " " + loaded.batch.jsonText)
        }
        return texts
    }

    static func mlmStream<S: Sampler>(_ cursor: SamplerCursor<S>, seed: Int, prefetch: Int) async throws -> [String] {
        try await stream(cursor, collator: try mlm(seed: seed), prefetch: prefetch)
    }

    @Test func sameSeedsGiveByteIdenticalStreamsAcrossRunsAndPrefetchDepths() async throws {
        let sampler = try ShuffleSampler(count: Self.examples.count, batchSize: 8, seed: 3)
        let first = try await Self.mlmStream(SamplerCursor(sampler), seed: 7, prefetch: 1)
        let second = try await Self.mlmStream(SamplerCursor(sampler), seed: 7, prefetch: 4)
        #expect(first.count == 26)
        #expect(first == second)
        // The seeds matter: another collator seed changes the masks, another sampler seed the order.
        let otherMasks = try await Self.mlmStream(SamplerCursor(sampler), seed: 8, prefetch: 1)
        #expect(otherMasks != first)
        let otherOrder = try await Self.mlmStream(SamplerCursor(try ShuffleSampler(count: Self.examples.count, batchSize: 8, seed: 4)), seed: 7, prefetch: 1)
        #expect(otherOrder != first)
    }

    @Test(arguments: [1, 2, 4, 8])
    func simulatedRanksAreReproducibleAndCoverTheDataset(worldSize: Int) async throws {
        var seen: [Int] = []
        for rank in 0..<worldSize {
            let sampler = try DistributedSampler(count: Self.examples.count, rank: rank, worldSize: worldSize, batchSize: 4, shuffle: true, seed: 11)
            let once = try await Self.mlmStream(SamplerCursor(sampler), seed: 5, prefetch: 2)
            let again = try await Self.mlmStream(SamplerCursor(sampler), seed: 5, prefetch: 3)
            #expect(once == again, "rank \(rank) of \(worldSize)")
            seen += sampler.batches(epoch: 0).flatMap { $0 }
        }
        // Every example appears; padding repeats at most worldSize - 1 of them (as torch's DistributedSampler).
        #expect(Set(seen) == Set(0..<Self.examples.count))
        #expect(seen.count == DistributedSampler.samplesPerRank(count: Self.examples.count, worldSize: worldSize, dropLast: false) * worldSize)
        #expect(seen.count - Self.examples.count < worldSize)
    }

    @Test func aResumedSamplerContinuesTheSameStream() async throws {
        let sampler = try ShuffleSampler(count: Self.examples.count, batchSize: 8, seed: 3)
        let collator = LanguageModelingCollator(padTokenID: 0)
        let whole = try await Self.stream(SamplerCursor(sampler), collator: collator, prefetch: 2)
        var cursor = SamplerCursor(sampler)
        for _ in 0..<10 { _ = cursor.next() }
        let resumed = try await Self.stream(SamplerCursor(sampler, restoring: cursor.state), collator: collator, prefetch: 2)
        #expect(resumed == Array(whole.dropFirst(10)))
    }

    @Test func aResumedLoaderRebuildsTheSameMaskedBatches() async throws {
        // A fresh MLM collator per run, as after a restart: the resumed stream must still be the
        // uninterrupted one's tail (the collator's own call count would restart at 0).
        let sampler = try ShuffleSampler(count: Self.examples.count, batchSize: 8, seed: 3)
        for epoch in [0, 2] {
            let whole = try await Self.mlmStream(SamplerCursor(sampler, epoch: epoch), seed: 7, prefetch: 2)
            var cursor = SamplerCursor(sampler, epoch: epoch)
            for _ in 0..<10 { _ = cursor.next() }
            let resumed = try await Self.mlmStream(try SamplerCursor(sampler, restoring: cursor.state), seed: 7, prefetch: 2)
            let expected = Array(whole.dropFirst(10))
            #expect(resumed.count == expected.count)
            // Counted rather than compared whole, so a failure names how many batches differ.
            #expect(zip(resumed, expected).filter { $0 != $1 }.count == 0, "epoch \(epoch): resumed batches differ from the uninterrupted run's")
        }
    }

    @Test func theBatchCommandIsByteIdenticalAcrossProcesses() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = directory.appendingPathComponent("mlm.json")
        try #"{"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 1005, "seed": 9}"#.write(to: spec, atomically: true, encoding: .utf8)
        let input = directory.appendingPathComponent("examples.jsonl")
        try Self.examples.map { "{\"input_ids\": \($0.inputIDs)}" }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let arguments = ["batch", "--spec", spec.path, "--input", input.path, "--batch-size", "16"]
        let first = try CollateProcess.run(arguments)
        let second = try CollateProcess.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.split(separator: "\n").count == 13)
        #expect(first.stdout == second.stdout)
    }
}
