import Collate
import Foundation
import Testing

@Suite("Samplers")
struct SamplerTests {
    struct SamplerCase: Sendable, CustomTestStringConvertible {
        var id: String
        var make: @Sendable () throws -> any Sampler
        var testDescription: String { id }
    }

    static let lengths = (0..<103).map { ($0 * 37) % 101 + 1 }

    static let cases: [SamplerCase] = [
        SamplerCase(id: "sequential") { try SequentialSampler(count: 103, batchSize: 8) },
        SamplerCase(id: "shuffle") { try ShuffleSampler(count: 103, batchSize: 8, seed: 42) },
        SamplerCase(id: "shuffle drop_last") { try ShuffleSampler(count: 103, batchSize: 8, seed: 42, dropLast: true) },
        SamplerCase(id: "length-grouped") { try LengthGroupedSampler(lengths: lengths, batchSize: 4, seed: 3) },
        SamplerCase(id: "packed") { try PackedSampler(lengths: lengths, packer: Packer(capacity: 256), seed: 5) },
        SamplerCase(id: "distributed") { try DistributedSampler(count: 103, rank: 1, worldSize: 4, batchSize: 5, seed: 9) },
        SamplerCase(id: "distributed packed") {
            try DistributedSampler(sharding: PackedSampler(lengths: lengths, packer: Packer(capacity: 256), seed: 5), rank: 2, worldSize: 3)
        },
    ]

    @Test func generatorIsTheReferenceXoshiro() throws {
        // Values from an independent Python implementation of SplitMix64-seeded xoshiro256**.
        var zero = SeededGenerator(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [11_091_344_671_253_066_420, 13_793_997_310_169_335_082, 1_900_383_378_846_508_768])
        var seeded = SeededGenerator(seed: 42)
        #expect(seeded.permutation(10) == [9, 1, 4, 2, 8, 7, 6, 5, 3, 0])
        #expect(try ShuffleSampler(count: 10, batchSize: 10, seed: 42).batches(epoch: 1) == [[4, 2, 7, 3, 1, 6, 0, 9, 8, 5]])
    }

    @Test func splitMix64AlgorithmIsTheReferenceStream() {
        // Values from an independent Python implementation of SplitMix64 (state starts at the seed).
        var zero = SeededGenerator(seed: 0, algorithm: .splitMix64)
        #expect([zero.next(), zero.next(), zero.next()] == [16_294_208_416_658_607_535, 7_960_286_522_194_355_700, 487_617_019_471_545_679])
        var eleven = SeededGenerator(seed: 11, algorithm: .splitMix64)
        #expect([eleven.next(), eleven.next(), eleven.next()] == [5_833_679_380_957_638_813, 4_839_782_808_629_744_545, 11_769_803_791_402_734_189])
        var unit = SeededGenerator(seed: 0, algorithm: .splitMix64)
        #expect(unit.nextUnit() == Double(16_294_208_416_658_607_535 >> 11 as UInt64) * 0x1.0p-53)
        #expect(SeededGenerator(seed: 3, algorithm: .xoshiro256StarStar) == SeededGenerator(seed: 3))
        #expect(SeededGenerator(seed: 3, algorithm: .splitMix64) != SeededGenerator(seed: 3))
    }

    @Test func boundaryProbeSequencesArePinned() {
        // The probe's sequences (seed 7) from an independent Python implementation of its MMIX LCG:
        // exported probe frames and reports depend on them.
        #expect(BoundaryProbe(vocabSize: 50).sequences == [
            [36, 2, 3, 1, 34, 44, 45, 39, 36], [41, 11, 18, 30, 10, 4, 5, 11, 9, 26, 36, 49, 18, 46],
            [42, 42, 6, 25, 23, 37], [38, 15, 18, 47, 33, 13, 16, 18, 6, 17, 17],
        ])
    }

    @Test(arguments: cases)
    func deterministicAcrossInstances(_ c: SamplerCase) throws {
        let a = try c.make(), b = try c.make()
        #expect(a.batches(epoch: 0) == b.batches(epoch: 0))
        #expect(a.batches(epoch: 3) == b.batches(epoch: 3))
        #expect(a.description == b.description)
    }

    @Test(arguments: cases)
    func resumesMidEpochWithExactlyTheRemainingBatches(_ c: SamplerCase) throws {
        try Self.checkResume(try c.make(), fresh: try c.make())
    }

    static func checkResume<S: Sampler>(_ sampler: S, fresh: any Sampler) throws {
        for epoch in [0, 2] {
            let all = sampler.batches(epoch: epoch)
            var cursor = SamplerCursor(sampler, epoch: epoch)
            for _ in 0..<(all.count / 2) { _ = cursor.next() }
            let saved = try JSONDecoder().decode(SamplerState.self, from: JSONEncoder().encode(cursor.state))
            var restored = try SamplerCursor(try #require(fresh as? S), restoring: saved)
            var rest: [[Int]] = []
            while let batch = restored.next() { rest.append(batch) }
            #expect(rest == Array(all.dropFirst(all.count / 2)))
            #expect(restored.remainingBatches == 0)
        }
    }

    @Test func restoringIntoAnotherSamplerIsRefused() throws {
        var cursor = SamplerCursor(try ShuffleSampler(count: 10, batchSize: 2, seed: 1))
        _ = cursor.next()
        let other = try ShuffleSampler(count: 10, batchSize: 2, seed: 2)
        #expect(throws: SamplerError.stateMismatch(saved: cursor.state.sampler, current: other.description)) {
            try SamplerCursor(other, restoring: cursor.state)
        }
        var state = cursor.state
        state.batchesConsumed = 6
        #expect(throws: SamplerError.positionOutOfRange(batchesConsumed: 6, epoch: 0, batchesInEpoch: 5)) {
            try SamplerCursor(try ShuffleSampler(count: 10, batchSize: 2, seed: 1), restoring: state)
        }
    }

    @Test func shuffleChangesWithEpochAndSeedButCoversEverything() throws {
        let sampler = try ShuffleSampler(count: 50, batchSize: 7, seed: 1)
        #expect(sampler.batches(epoch: 0) != sampler.batches(epoch: 1))
        #expect(sampler.batches(epoch: 0) != (try ShuffleSampler(count: 50, batchSize: 7, seed: 2)).batches(epoch: 0))
        #expect(sampler.batches(epoch: 0).flatMap { $0 }.sorted() == Array(0..<50))
        #expect(sampler.batches(epoch: 0).last?.count == 1)
        #expect((try ShuffleSampler(count: 50, batchSize: 7, seed: 1, dropLast: true)).batches(epoch: 0).count == 7)
    }

    struct TorchCase: Sendable, CustomTestStringConvertible {
        var count: Int
        var worldSize: Int
        var dropLast: Bool
        var shares: [[Int]]
        var testDescription: String { "n=\(count) W=\(worldSize) drop_last=\(dropLast)" }
    }

    // torch.utils.data.DistributedSampler(range(n), num_replicas=W, rank=r, shuffle=False, drop_last=...)
    static let torchCases = [
        TorchCase(count: 10, worldSize: 4, dropLast: false, shares: [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]),
        TorchCase(count: 10, worldSize: 4, dropLast: true, shares: [[0, 4], [1, 5], [2, 6], [3, 7]]),
        TorchCase(count: 2, worldSize: 5, dropLast: false, shares: [[0], [1], [0], [1], [0]]),
        TorchCase(count: 3, worldSize: 4, dropLast: true, shares: [[], [], [], []]),
        TorchCase(count: 8, worldSize: 4, dropLast: false, shares: [[0, 4], [1, 5], [2, 6], [3, 7]]),
    ]

    @Test(arguments: torchCases)
    func distributedMatchesTorchPaddingAndDropLast(_ c: TorchCase) throws {
        for rank in 0..<c.worldSize {
            let sampler = try DistributedSampler(count: c.count, rank: rank, worldSize: c.worldSize, batchSize: 100, shuffle: false, dropLast: c.dropLast)
            #expect(sampler.batches(epoch: 0).flatMap { $0 } == c.shares[rank])
        }
    }

    @Test func distributedRanksAreDisjointAndCoverTheDataset() throws {
        for (count, world) in [(100, 4), (103, 4), (7, 3)] {
            let shares = try (0..<world).map { rank in
                try DistributedSampler(count: count, rank: rank, worldSize: world, batchSize: 3, seed: 11).batches(epoch: 4)
            }
            #expect(Set(shares.map(\.count)).count == 1, "every rank runs the same number of steps")
            let all = shares.flatMap { $0.flatMap { $0 } }
            #expect(Set(all) == Set(0..<count))
            #expect(all.count == (count + world - 1) / world * world, "only the wrap-around padding repeats")
            let dropped = try (0..<world).flatMap { rank in
                try DistributedSampler(count: count, rank: rank, worldSize: world, batchSize: 3, seed: 11, dropLast: true).batches(epoch: 4).flatMap { $0 }
            }
            #expect(Set(dropped).count == dropped.count, "drop_last shares are disjoint")
            #expect(dropped.count == count / world * world)
        }
        #expect(throws: SamplerError.invalidParameter(name: "rank", value: 4, reason: "must be in 0..<4 (the world size)")) {
            try DistributedSampler(count: 10, rank: 4, worldSize: 4, batchSize: 1)
        }
    }

    @Test func distributedPackedBinsGoWholeToOneRank() throws {
        let packed = try PackedSampler(lengths: Self.lengths, packer: Packer(capacity: 256), seed: 5)
        let bins = packed.batches(epoch: 1)
        let shares = try (0..<3).map { try DistributedSampler(sharding: packed, rank: $0, worldSize: 3).batches(epoch: 1) }
        #expect(Set(shares.map(\.count)).count == 1)
        #expect(Set(shares.flatMap { $0 }).isSuperset(of: Set(bins)))
        #expect(shares[0].first == bins[0] && shares[1].first == bins[1])
    }

    @Test func lengthGroupedSortsMegabatchesAndLeadsWithTheLongest() throws {
        let sampler = try LengthGroupedSampler(lengths: Self.lengths, batchSize: 4, megabatchMultiplier: 5, seed: 3)
        let batches = sampler.batches(epoch: 0)
        let flat = batches.flatMap { $0 }
        #expect(flat.sorted() == Array(Self.lengths.indices))
        #expect(Self.lengths[flat[0]] == Self.lengths.max())
        for start in stride(from: 0, to: flat.count, by: 20) {
            let megabatch = flat[start..<min(start + 20, flat.count)].dropFirst().map { Self.lengths[$0] }
            #expect(megabatch == megabatch.sorted(by: >))
        }
        #expect(batches[0].count == 4)
    }

    @Test func packedSamplerShufflesBinsPerEpoch() throws {
        let plan = try Packer(capacity: 256).pack(lengths: Self.lengths)
        let ordered = PackedSampler(plan: plan)
        #expect(ordered.batches(epoch: 0) == plan.bins)
        let shuffled = PackedSampler(plan: plan, seed: 1)
        #expect(Set(shuffled.batches(epoch: 0)) == Set(plan.bins))
        #expect(shuffled.batches(epoch: 0) != shuffled.batches(epoch: 1))
    }

    @Test func cursorMovesToTheNextEpoch() throws {
        var cursor = SamplerCursor(try ShuffleSampler(count: 4, batchSize: 2, seed: 0))
        #expect(cursor.next() != nil && cursor.next() != nil && cursor.next() == nil)
        cursor.startNextEpoch()
        #expect(cursor.state == SamplerState(epoch: 1, batchesConsumed: 0, sampler: cursor.sampler.description))
        #expect(cursor.remainingBatches == 2)
    }
}
