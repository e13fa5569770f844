import Collate

/// A small causal language model in pure Swift: real shifted cross-entropy with ignore index
/// -100, padded and padding-free batches, gradients and an Adam step — enough to prove a
/// pipeline trains before handing it to a large model.
///
/// The model reads each position *t* of a sequence as
///
/// ```
///   h_t = E[x_t] + mean(C[x_s] for the real tokens s ≤ t of the same sequence)
///   logits_t = W h_t + b
/// ```
///
/// with token embeddings `E`, context embeddings `C` (a causal bag of words), output weights
/// `W` and bias `b`. The context stops at `attention_mask` zeros (padding) and restarts where
/// `position_ids` restart at 0 (a packed row) or at a `cu_seq_lens_q` offset, so a sequence run
/// alone and the same sequence packed with others give identical logits — the boundary probe
/// Guides/Backends.md asks of padding-free backends.
///
/// Like an HF model it returns a loss only when the batch has `labels`, and then position *t*
/// is trained to predict `labels[t + 1]` (labels are aligned with `input_ids`; the model
/// shifts). Targets equal to -100, and targets that start a new packed sequence, are skipped.
///
/// ```swift
/// var model = ReferenceLanguageModel(configuration: .init(vocabSize: 64))
/// let output = try model.forward(batch)            // loss (with labels) and logits [B, L, V]
/// _ = try model.accumulateGradients(batch, numItemsInBatch: nil)
/// model.step(learningRate: 0.05)                   // Adam
/// ```
public struct ReferenceLanguageModel: TrainableBackend, Sendable {
    /// The model's size and behaviour.
    public struct Configuration: Sendable, Hashable {
        /// The vocabulary size *V*: token ids must be in `0..<V`.
        public var vocabSize: Int
        /// The embedding width *d*.
        public var dimension: Int
        /// The seed of the weights' initialisation.
        public var seed: UInt64
        /// The longest sequence accepted, reported in the contract; `nil` for unbounded.
        public var maxLength: Int?
        /// Whether the contract requires `labels` (the model is used for training).
        public var requiresLabels: Bool
        /// Adam's β₁.
        public var beta1: Double
        /// Adam's β₂.
        public var beta2: Double
        /// Adam's ε.
        public var epsilon: Double

        /// Creates a configuration.
        public init(vocabSize: Int, dimension: Int = 16, seed: UInt64 = 0, maxLength: Int? = nil, requiresLabels: Bool = true,
                    beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
            self.vocabSize = vocabSize
            self.dimension = dimension
            self.seed = seed
            self.maxLength = maxLength
            self.requiresLabels = requiresLabels
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// All weights in one array: `E` (V×d), `C` (V×d), `W` (V×d), `b` (V), row-major.
    public var weights: [Double]
    /// The gradients accumulated since the last ``step(learningRate:)``, laid out as ``weights``.
    public private(set) var gradients: [Double]
    /// Adam's first and second moments, and the number of steps taken.
    var firstMoment: [Double]
    var secondMoment: [Double]
    /// Optimizer steps taken.
    public private(set) var stepCount: Int = 0

    /// The largest vocabulary the reference model accepts: 2^20 ids, above every released LLM
    /// tokenizer (Gemma's 262,144 included). Its weights, gradients and Adam moments take
    /// about 1,600 bytes per id at the default width, so a vocabulary inferred from one stray
    /// huge token id would otherwise exhaust memory instead of failing with a message.
    public static let maximumVocabSize = 1 << 20

    /// The largest embedding width the reference model accepts.
    public static let maximumDimension = 1 << 12

    /// Creates a model with small random weights drawn from `configuration.seed`.
    /// - Precondition: `vocabSize` is in `1...maximumVocabSize` and `dimension` in
    ///   `1...maximumDimension`; check values that come from user data first (``ReferenceModelError/vocabularyTooLarge(_:)``).
    public init(configuration: Configuration) {
        precondition(configuration.vocabSize >= 1 && configuration.dimension >= 1, "vocabSize and dimension must be at least 1")
        precondition(configuration.vocabSize <= Self.maximumVocabSize && configuration.dimension <= Self.maximumDimension,
                     "vocabSize must be at most \(Self.maximumVocabSize) and dimension at most \(Self.maximumDimension)")
        self.configuration = configuration
        let count = 3 * configuration.vocabSize * configuration.dimension + configuration.vocabSize
        var generator = SeededGenerator(seed: configuration.seed, algorithm: .splitMix64)
        let scale = 1.0 / Double(configuration.dimension).squareRoot()
        weights = (0..<count).map { _ in (generator.nextUnit() * 2 - 1) * scale }
        for index in (count - configuration.vocabSize)..<count { weights[index] = 0 }
        gradients = [Double](repeating: 0, count: count)
        firstMoment = gradients
        secondMoment = gradients
    }

    /// Creates a model of vocabulary size `vocabSize` with default settings.
    public init(vocabSize: Int, seed: UInt64 = 0) {
        self.init(configuration: Configuration(vocabSize: vocabSize, seed: seed))
    }

    /// Requires `input_ids` (and `labels` when training), accepts padding-free batches, shifts
    /// labels itself, with the configured vocabulary size and maximum length.
    public var contract: BackendContract {
        BackendContract(
            requiredInputs: configuration.requiresLabels ? ["input_ids", "labels"] : ["input_ids"],
            acceptsPaddingFree: true, shiftsLabels: true, vocabSize: configuration.vocabSize, maxLength: configuration.maxLength)
    }

    /// Runs the model: logits `[B, L, V]` always, the mean cross-entropy over trained targets when
    /// the batch has `labels` (NaN when none is trained, as PyTorch's mean over nothing).
    /// - Throws: ``ReferenceModelError`` for a batch without `input_ids`, ids outside the
    ///   vocabulary, or tensors whose shape differs from `input_ids`.
    /// - Complexity: O(*B* × *L* × *V* × *d*).
    public func forward(_ batch: Batch) throws -> ModelOutput {
        let result = try pass(batch, numItemsInBatch: nil, wantsLogits: true, gradients: nil)
        return ModelOutput(loss: result.loss, logits: result.logits)
    }

    /// The loss of `batch` (its summed token loss divided by `numItemsInBatch`, or by its own
    /// count when `nil`), or `nil` when the batch has no `labels`.
    /// - Throws: ``ReferenceModelError``.
    public func loss(_ batch: Batch, numItemsInBatch: Int? = nil) throws -> Double? {
        try pass(batch, numItemsInBatch: numItemsInBatch, wantsLogits: false, gradients: nil).loss
    }

    /// Runs the model and adds the gradient of `loss(batch, numItemsInBatch:)` to ``gradients``.
    /// Without `labels` it returns logits and no loss, and accumulates nothing.
    /// - Throws: ``ReferenceModelError``.
    /// - Complexity: O(*B* × *L* × *V* × *d*).
    public mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        guard batch.contains("labels") else { return try forward(batch) }
        var accumulated = gradients
        let result = try accumulated.withUnsafeMutableBufferPointer { buffer throws(ReferenceModelError) in
            try pass(batch, numItemsInBatch: numItemsInBatch, wantsLogits: false, gradients: buffer)
        }
        gradients = accumulated
        return ModelOutput(loss: result.loss)
    }

    /// One Adam step with the accumulated gradients, then clears them.
    /// - Complexity: O(*V* × *d*).
    public mutating func step(learningRate: Double) {
        stepCount += 1
        let beta1 = configuration.beta1, beta2 = configuration.beta2
        let correction1 = 1 - pow(beta1, stepCount), correction2 = 1 - pow(beta2, stepCount)
        for index in weights.indices {
            let gradient = gradients[index]
            firstMoment[index] = beta1 * firstMoment[index] + (1 - beta1) * gradient
            secondMoment[index] = beta2 * secondMoment[index] + (1 - beta2) * gradient * gradient
            let update = (firstMoment[index] / correction1) / ((secondMoment[index] / correction2).squareRoot() + configuration.epsilon)
            weights[index] -= learningRate * update
            gradients[index] = 0
        }
    }

    /// Clears the accumulated gradients without stepping.
    public mutating func zeroGradients() {
        for index in gradients.indices { gradients[index] = 0 }
    }

    private func pow(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= base }
        return result
    }
}
