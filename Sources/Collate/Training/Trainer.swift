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

        /// Creates a configuration.
        public init(steps: Int, gradientAccumulation: Int = 1, learningRate: Double = 1e-2) {
            self.steps = steps
            self.gradientAccumulation = gradientAccumulation
            self.learningRate = learningRate
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
    /// - Returns: One record per step.
    /// - Throws: ``TrainingError``: `.noLoss` with HF's message when the backend returns no loss,
    ///   `.noTrainableTokens` when a window trains nothing, `.nonFiniteLoss`, `.backendFailed`.
    /// - Complexity: O(*steps* × *accumulation*) backend calls.
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
        var records: [StepRecord] = []
        records.reserveCapacity(configuration.steps)
        var cursor = 0
        for step in 1...configuration.steps {
            var window: [Batch] = []
            for _ in 0..<configuration.gradientAccumulation {
                window.append(batches[cursor % batches.count])
                cursor += 1
            }
            let numItems = window.reduce(0) { $0 + $1.numItemsInBatch(ignoreIndex: contract.ignoreIndex, shifted: contract.shiftsLabels) }
            // Checked before the backend runs, which would divide by zero; a window without
            // labels goes on so the backend's missing loss is reported as HF reports it.
            if numItems == 0, window.allSatisfy({ $0.names.contains("labels") }) { throw .noTrainableTokens(step: step) }
            var loss = 0.0
            for batch in window {
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
            let record = StepRecord(step: step, loss: loss, tokens: window.reduce(0) { $0 + $1.realTokenCount }, numItems: numItems)
            records.append(record)
            onStep(record)
        }
        return records
    }
}
