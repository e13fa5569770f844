import Collate
import Synchronization
import Testing

@Suite("DataLoader")
struct DataLoaderTests {
    static let examples = (0..<23).map { Example(inputIDs: Array(repeating: Int32($0 + 1), count: $0 % 5 + 1)) }

    /// Counts how many batches the producer built.
    struct CountingCollator: Collator {
        let inner = LanguageModelingCollator(padTokenID: 0)
        let calls = Counter()
        var contract: CollatorContract { inner.contract }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            calls.increment()
            if examples.contains(where: { $0.inputIDs.first == 99 }) { throw CollateError.emptyExample(example: examples.firstIndex { $0.inputIDs.first == 99 } ?? 0) }
            return try inner.collate(examples)
        }
    }

    final class Counter: Sendable {
        private let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    @Test func deliversTheEpochInOrderWithTransformsAndStates() async throws {
        let sampler = try ShuffleSampler(count: Self.examples.count, batchSize: 4, seed: 7)
        let loader = DataLoader(
            examples: Self.examples, cursor: SamplerCursor(sampler), collator: LanguageModelingCollator(padTokenID: 0),
            transforms: TransformPipeline { PadToMultiple(multiple: 8); NumItemsInBatch() }, prefetch: 2)
        var seen: [[Int]] = []
        for try await loaded in loader {
            seen.append(loaded.indices)
            #expect(loaded.batch["input_ids"]?.shape == [loaded.indices.count, 8])
            #expect(loaded.batch["num_items_in_batch"] == Tensor(scalar: Int32(loaded.batch.numItemsInBatch())))
            #expect(loaded.samplerState.batchesConsumed == seen.count)
        }
        #expect(seen == sampler.batches(epoch: 0))
    }

    @Test func resumesFromABatchsSamplerState() async throws {
        let sampler = try ShuffleSampler(count: Self.examples.count, batchSize: 3, seed: 1)
        var saved: SamplerState?
        var first: [[Int]] = []
        for try await loaded in DataLoader(examples: Self.examples, cursor: SamplerCursor(sampler), collator: FlatteningCollator.packed) {
            first.append(loaded.indices)
            if first.count == 3 {
                saved = loaded.samplerState
                break
            }
        }
        let state = try #require(saved)
        var rest: [[Int]] = []
        let resumed = DataLoader(examples: Self.examples, cursor: try SamplerCursor(sampler, restoring: state), collator: FlatteningCollator.packed)
        for try await loaded in resumed { rest.append(loaded.indices) }
        #expect(first + rest == sampler.batches(epoch: 0))
    }

    @Test func reportsProgressWithPaddingWaste() async throws {
        let reports = Mutex<[LoaderProgress]>([])
        let loader = DataLoader(
            examples: Self.examples, cursor: SamplerCursor(try SequentialSampler(count: Self.examples.count, batchSize: 5)),
            collator: LanguageModelingCollator(padTokenID: 0), progress: { progress in reports.withLock { $0.append(progress) } })
        for try await _ in loader {}
        let last = try #require(reports.withLock { $0.last })
        #expect(reports.withLock { $0.count } == 5)
        #expect(last.examples == 23)
        #expect(last.tokens == Self.examples.reduce(0) { $0 + $1.inputIDs.count })
        #expect(last.paddedTokens == 4 * 5 * 5 + 3 * 3)   // batches of 5 pad to 5 tokens; the last (lengths 1, 2, 3) to 3
        #expect(last.paddingWaste > 0.3 && last.paddingWaste < 0.5)
    }

    @Test func breakingEarlyStopsTheProducer() async throws {
        let collator = CountingCollator()
        let loader = DataLoader(examples: Self.examples, cursor: SamplerCursor(try SequentialSampler(count: 23, batchSize: 1)), collator: collator, prefetch: 2)
        var taken = 0
        for try await _ in loader {
            taken += 1
            if taken == 2 { break }
        }
        for _ in 0..<50 { await Task.yield() }
        // 2 taken + at most 2 buffered + 1 being handed over; far fewer than the 23 batches.
        #expect(collator.calls.count <= 5)
    }

    @Test func cancellingTheConsumerEndsIteration() async throws {
        let loader = DataLoader(examples: Self.examples, cursor: SamplerCursor(try SequentialSampler(count: 23, batchSize: 1)), collator: FlatteningCollator(), prefetch: 1)
        let task = Task {
            var count = 0
            do {
                for try await _ in loader {
                    count += 1
                    if count == 1 { withUnsafeCurrentTask { $0?.cancel() } }
                }
            } catch is CancellationError {
                return -count
            }
            return count
        }
        let result = try await task.value
        #expect(result < 0 || result == 23, "either cancelled or finished; never hangs")
    }

    @Test func collationErrorsNameTheDatasetExample() async throws {
        var examples = Self.examples
        examples[13] = Example(inputIDs: [99])
        let loader = DataLoader(examples: examples, cursor: SamplerCursor(try SequentialSampler(count: 23, batchSize: 4)), collator: CountingCollator())
        var delivered = 0
        await #expect(throws: LoaderError.collation(.emptyExample(example: 1), example: 13)) {
            for try await _ in loader { delivered += 1 }
        }
        #expect(delivered == 3, "batches before the bad one still arrive")
    }
}
