/// What a model backend declares about itself, so the validator can check a pipeline against
/// it before the first step.
///
/// A contract is a plain value: backends declare it, the validator reads it, and neither needs
/// the other's code. The `collate validate` flags describe one (`--requires labels`,
/// `--vocab-size`, `--max-length`, `--no-padding-free`).
///
/// ```swift
/// let contract = BackendContract(requiredInputs: ["input_ids", "labels"], vocabSize: 32_000, maxLength: 4096)
/// ```
public struct BackendContract: Sendable, Hashable {
    /// Batch fields the backend needs, e.g. `["input_ids", "labels"]` for a model that must return a loss.
    public var requiredInputs: [String]
    /// Whether the backend takes padding-free batches (one flattened row whose sequences are
    /// separated by `position_ids` resets or `cu_seq_lens_*`) and keeps the sequences apart.
    public var acceptsPaddingFree: Bool
    /// Whether the backend shifts `labels` by one itself (every HF causal LM does), so labels
    /// must be aligned with `input_ids`.
    public var shiftsLabels: Bool
    /// The vocabulary size: every token id must be in `0..<vocabSize`; `nil` when unknown.
    public var vocabSize: Int?
    /// The longest sequence the backend takes (`max_position_embeddings`); `nil` when unbounded.
    public var maxLength: Int?
    /// The label value the backend's loss ignores.
    public var ignoreIndex: Int32

    /// Creates a contract. The defaults describe an HF causal LM used for training.
    public init(
        requiredInputs: [String] = ["input_ids"], acceptsPaddingFree: Bool = true, shiftsLabels: Bool = true,
        vocabSize: Int? = nil, maxLength: Int? = nil, ignoreIndex: Int32 = Collate.ignoreIndex
    ) {
        self.requiredInputs = requiredInputs
        self.acceptsPaddingFree = acceptsPaddingFree
        self.shiftsLabels = shiftsLabels
        self.vocabSize = vocabSize
        self.maxLength = maxLength
        self.ignoreIndex = ignoreIndex
    }

    /// Whether the backend needs `labels`, i.e. the pipeline trains.
    public var requiresLabels: Bool { requiredInputs.contains("labels") }
}
