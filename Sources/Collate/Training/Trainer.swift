/// A training loop over prepared batches: gradient accumulation with the loss normalised by
/// HF's `num_items_in_batch`, and HF's error when a backend returns no loss.
///
/// Each optimizer step takes ``Configuration/gradientAccumulation`` micro-batches (cycling over
/// the batches). Their trained-target count after the shift, packing boundaries excluded, is
/// summed over the window first; each micro-batch's loss is its summed token loss divided by
/// that total, so the step's loss is the window's token mean whatever the micro-batch sizes —
/// what transformers ≥ 4.46 does.
///
/// ```swift
/// var trainer = Trainer(backend: ReferenceLanguageModel(configuration: .init(vocabSize: 64)),
///                       configuration: .init(steps: 50, gradientAccumulation: 2, learningRate: 0.05))
/// let records = try trainer.train(batches) { print($0.jsonText) }
/// ```
public struct Trainer<Backend: TrainableBackend> {
    /// The loop's settings.
    public struct Configuration: Sendable, Hashable {
        /// Optimizer steps to take.
        public var steps: Int
        /// Micro-batches per optimizer step.
        public var gradientAccumulation: Int
        /// The learning rate passed to the backend's optimizer.
        public var learningRate: Double
        /// Whether ``Trainer/train(_:onStep:)`` returns every step's record. `false` for long
        /// runs: records then go only to `onStep` and the returned array is empty, so memory
        /// stays constant whatever ``steps`` is.
        public var keepsRecords: Bool

        /// Creates a configuration.
        public init(steps: Int, gradientAccumulation: Int = 1, learningRate: Double = 1e-2, keepsRecords: Bool = true) {
            self.steps = steps
            self.gradientAccumulation = gradientAccumulation
            self.learningRate = learningRate
            self.keepsRecords = keepsRecords
        }
    }

    /// What one optimizer step did.
    public struct StepRecord: Sendable, Hashable {
        /// 1-based step number.
        public var step: Int
        /// The window's loss (the sum of the normalised micro-batch losses).
        public var loss: Double
        /// Real (non-padding) input tokens in the window.
        public var tokens: Int
        /// Trained targets in the window (HF's `num_items_in_batch`).
        public var numItems: Int

        /// The record as one JSON line: `{"step": 1, "loss": 4.1, "tokens": 96, "num_items": 88}`.
        public var jsonText: String {
            "{\"step\": \(step), \"loss\": \(loss), \"tokens\": \(tokens), \"num_items\": \(numItems)}"
        }
    }

    /// The model being trained.
    public var backend: Backend
    /// The settings.
    public var configuration: Configuration

    /// Creates a trainer.
    public init(backend: Backend, configuration: Configuration) {
        self.backend = backend
        self.configuration = configuration
    }

    /// Trains for ``Configuration/steps`` optimizer steps over `batches`, cycling through them.
    /// - Parameters:
    ///   - batches: Validated batches (see ``Pipeline``).
    ///   - onStep: Called after every step, e.g. to print a JSON line.
    /// - Returns: One record per step, or none when ``Configuration/keepsRecords`` is `false`.
    /// - Throws: ``TrainingError``: `.noLoss` with HF's message when the backend returns no loss,
    ///   `.noTrainableTokens` when a window trains nothing, `.nonFiniteLoss`, `.backendFailed`.
    /// - Complexity: O(*steps* × *accumulation*) backend calls; memory O(*batches*), plus one
    ///   record per step when ``Configuration/keepsRecords`` is `true`.
    public mutating func train(_ batches: [Batch], onStep: (StepRecord) -> Void = { _ in }) throws(TrainingError) -> [StepRecord] {
        guard configuration.steps >= 1 else { throw .invalidConfiguration("steps", value: String(configuration.steps)) }
        guard configuration.gradientAccumulation >= 1 else {
            throw .invalidConfiguration("gradientAccumulation", value: String(configuration.gradientAccumulation))
        }
        guard configuration.learningRate > 0, configuration.learningRate.isFinite else {
            throw .invalidConfiguration("learningRate", value: String(configuration.learningRate))
        }
        guard !batches.isEmpty else { throw .noBatches }
        let contract = backend.contract
        // Per-batch counts and their prefix sums: a window's totals are O(1) whatever the
        // accumulation, and no window array is built (an accumulation of 10^9 would hold
        // 10^9 batch references).
        var itemPrefix = [0], tokenPrefix = [0]
        itemPrefix.reserveCapacity(batches.count + 1)
        tokenPrefix.reserveCapacity(batches.count + 1)
        for batch in batches {
            itemPrefix.append(itemPrefix[itemPrefix.count - 1] &+ batch.numItemsInBatch(ignoreIndex: contract.ignoreIndex, shifted: contract.shiftsLabels))
            tokenPrefix.append(tokenPrefix[tokenPrefix.count - 1] &+ batch.realTokenCount)
        }
        let allHaveLabels = batches.allSatisfy { $0.names.contains("labels") }
        /// The sum over the `count` batches from `start` (cycling) of a per-batch count.
        /// `nil` when the sum overflows `Int` (an absurd accumulation).
        func windowSum(_ prefix: [Int], from start: Int, count: Int) -> Int? {
            let cycles = count / batches.count, rest = count % batches.count
            let end = start + rest
            let partial = end <= batches.count
                ? prefix[end] - prefix[start]
                : (prefix[batches.count] - prefix[start]) + prefix[end - batches.count]
            let (whole, overflow) = prefix[batches.count].multipliedReportingOverflow(by: cycles)
            let (sum, overflowAgain) = whole.addingReportingOverflow(partial)
            return overflow || overflowAgain ? nil : sum
        }
        // Records are kept only when asked for, and never reserved up front: `steps` is a
        // user's number (10^12 would reserve 32 TB).
        var records: [StepRecord] = []
        var cursor = 0
        for step in 1...configuration.steps {
            let accumulation = configuration.gradientAccumulation
            // The window's counts must fit in Int (they are passed on as num_items_in_batch).
            guard let numItems = windowSum(itemPrefix, from: cursor, count: accumulation),
                  let windowTokens = windowSum(tokenPrefix, from: cursor, count: accumulation)
            else { throw .invalidConfiguration("gradientAccumulation", value: String(accumulation)) }
            let windowStart = cursor
            // Checked before the backend runs, which would divide by zero; a window without
            // labels goes on so the backend's missing loss is reported as HF reports it.
            // (Every batch of a window has labels exactly when every batch does, or the window
            // covers only labelled batches.)
            if numItems == 0, allHaveLabels || Self.windowHasOnlyLabelled(batches, from: windowStart, count: accumulation) {
                throw .noTrainableTokens(step: step)
            }
            var loss = 0.0
            for _ in 0..<accumulation {
                let batch = batches[cursor]
                cursor = cursor + 1 == batches.count ? 0 : cursor + 1
                let output: ModelOutput
                do {
                    output = try backend.accumulateGradients(batch, numItemsInBatch: numItems)
                } catch {
                    throw .backendFailed(step: step, message: String(describing: error))
                }
                guard let microLoss = output.loss else {
                    throw .noLoss(step: step, outputKeys: output.keys, inputKeys: batch.names)
                }
                loss += microLoss
            }
            guard numItems > 0 else { throw .noTrainableTokens(step: step) }
            guard loss.isFinite else { throw .nonFiniteLoss(loss, step: step) }
            do {
                try backend.step(learningRate: configuration.learningRate)
            } catch {
                throw .backendFailed(step: step, message: String(describing: error))
            }
            let record = StepRecord(step: step, loss: loss, tokens: windowTokens, numItems: numItems)
            if configuration.keepsRecords { records.append(record) }
            onStep(record)
        }
        return records
    }

    /// Whether every batch of the window of `count` batches from `start` (cycling) has `labels`.
    private static func windowHasOnlyLabelled(_ batches: [Batch], from start: Int, count: Int) -> Bool {
        if count >= batches.count { return batches.allSatisfy { $0.names.contains("labels") } }
        return (0..<count).allSatisfy { batches[(start + $0) % batches.count].names.contains("labels") }
    }
}
