import Foundation

/// The remaining batches of one epoch as an `AsyncSequence`: sampler → collator → batch
/// transforms, built ahead on a background task into a bounded buffer.
///
/// ```swift
/// let loader = DataLoader(
///     examples: examples, cursor: SamplerCursor(sampler), collator: FlatteningCollator.packed,
///     transforms: TransformPipeline { NumItemsInBatch() }, prefetch: 4,
///     progress: { print($0) })
/// for try await loaded in loader {
///     try await model.step(loaded.batch)
///     checkpoint.sampler = loaded.samplerState
/// }
/// ```
///
/// At most `prefetch` finished batches wait in the buffer (plus the one being built), so a
/// slow consumer bounds memory. Cancelling the consuming task, or dropping the iterator, stops
/// the producer; nothing is left suspended. Example transforms are not applied here: they run
/// once over the dataset before the sampler is built (see ``TransformPipeline/applyExampleTransforms(_:)``).
public struct DataLoader<S: Sampler, C: Collator>: AsyncSequence, Sendable where C.Output == Batch {
    public typealias Element = LoadedBatch

    /// The dataset.
    public let examples: [Example]
    /// Where the epoch starts from (a fresh cursor, or one restored from a checkpoint).
    public let cursor: SamplerCursor<S>
    /// The collator.
    public let collator: C
    /// The batch transforms to apply after collation.
    public let transforms: TransformPipeline
    /// Finished batches buffered ahead of the consumer.
    public let prefetch: Int
    /// Called on the consumer's task each time a batch is delivered.
    public let progress: (@Sendable (LoaderProgress) -> Void)?

    /// Creates a loader.
    public init(
        examples: [Example], cursor: SamplerCursor<S>, collator: C, transforms: TransformPipeline = TransformPipeline(),
        prefetch: Int = 2, progress: (@Sendable (LoaderProgress) -> Void)? = nil
    ) {
        self.examples = examples
        self.cursor = cursor
        self.collator = collator
        self.transforms = transforms
        self.prefetch = Swift.max(1, prefetch)
        self.progress = progress
    }

    /// Starts the producer and returns the consumer's iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(run: _LoaderRun(loader: self), progress: progress)
    }

    /// Delivers the batches; `nil` at the end of the epoch.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let run: _LoaderRun<S, C>
        let progress: (@Sendable (LoaderProgress) -> Void)?
        private var totals = LoaderProgress()
        private var start: ContinuousClock.Instant?

        init(run: _LoaderRun<S, C>, progress: (@Sendable (LoaderProgress) -> Void)?) {
            self.run = run
            self.progress = progress
        }

        /// The next batch.
        /// - Throws: ``LoaderError`` or a transform's error, after the batches before it;
        ///   `CancellationError` when the consuming task is cancelled.
        public mutating func next() async throws -> LoadedBatch? {
            let clock = ContinuousClock()
            if start == nil { start = clock.now }
            guard let loaded = try await run.channel.next() else { return nil }
            totals.batches += 1
            totals.examples += loaded.indices.count
            totals.tokens += loaded.tokens
            totals.paddedTokens += loaded.batch.tokenCount
            if let start {
                let elapsed = clock.now - start
                totals.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            progress?(totals)
            return loaded
        }
    }
}

/// One iteration's producer task and channel; dropping it cancels the producer.
final class _LoaderRun<S: Sampler, C: Collator>: Sendable where C.Output == Batch {
    let channel: _BoundedChannel<LoadedBatch>
    private let task: Task<Void, Never>

    init(loader: DataLoader<S, C>) {
        let channel = _BoundedChannel<LoadedBatch>(capacity: loader.prefetch)
        self.channel = channel
        task = Task.detached {
            var cursor = loader.cursor
            do {
                while let indices = cursor.next() {
                    try Task.checkCancellation()
                    var examples: [Example] = []
                    examples.reserveCapacity(indices.count)
                    var tokens = 0
                    for index in indices {
                        guard index >= 0, index < loader.examples.count else {
                            throw LoaderError.indexOutOfRange(index, count: loader.examples.count)
                        }
                        examples.append(loader.examples[index])
                        tokens += loader.examples[index].inputIDs.count
                    }
                    var batch: Batch
                    do {
                        // A seeded collator (MLM) gets the batch's position in the sampler's
                        // stream, so a loader resumed from a saved state builds the batches an
                        // uninterrupted run would have (its own call count restarts at 0).
                        if let seeded = loader.collator as? any StepSeededCollator<Batch> {
                            let position = cursor.state.epoch * cursor.batchesInEpoch + cursor.state.batchesConsumed - 1
                            batch = try seeded.collate(examples, step: UInt64(max(position, 0)))
                        } else {
                            batch = try loader.collator.collate(examples)
                        }
                        try batch.checkStructure(contract: loader.collator.contract, exampleCount: examples.count)
                    } catch let error as CollateError {
                        throw LoaderError.collation(error, example: error.exampleIndex.map { indices[$0] })
                    }
                    batch = try loader.transforms.applyBatchTransforms(batch)
                    let loaded = LoadedBatch(batch: batch, indices: indices, samplerState: cursor.state, tokens: tokens)
                    guard await channel.send(loaded) else { return }
                }
                channel.finish()
            } catch {
                channel.finish(throwing: error)
            }
        }
    }

    deinit {
        task.cancel()
        channel.close()
    }
}
