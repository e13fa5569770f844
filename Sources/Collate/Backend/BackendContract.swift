/// What a model backend declares about itself, so the validator can check a pipeline against
/// it before the first step.
///
/// A contract is a plain value: backends declare it, the validator reads it, and neither needs
/// the other's code. The `collate validate` flags describe one (`--model-kind`, `--requires`,
/// `--vocab-size`, `--max-length`, `--no-padding-free`).
///
/// ```swift
/// let contract = BackendContract(requiredInputs: ["input_ids", "labels"], vocabSize: 32_000, maxLength: 4096)
/// let classifier = BackendContract.training(.sequenceClassification)
/// ```
public struct BackendContract: Sendable, Hashable {
    /// What kind of model the backend is: it decides what `labels` must look like.
    ///
    /// The raw values are the `collate validate --model-kind` names; the HF class each stands
    /// for is in ``huggingFaceClasses``.
    public enum ModelKind: String, Sendable, Hashable, CaseIterable {
        /// A decoder-only language model (`…ForCausalLM`): token `labels` aligned with
        /// `input_ids`, shifted by the model itself.
        case causalLM = "causal-lm"
        /// An encoder-decoder (`…ForConditionalGeneration` of T5, BART, …): `labels` are the
        /// decoder's targets, of their own length; the model shifts them right for the decoder inputs.
        case seq2seqLM = "seq2seq-lm"
        /// A classifier of whole sequences (`…ForSequenceClassification`): one class label per
        /// example, `labels` of shape [B].
        case sequenceClassification = "sequence-classification"
        /// A tagger (`…ForTokenClassification`): one class label per token, aligned with
        /// `input_ids`, not shifted.
        case tokenClassification = "token-classification"
        /// A masked language model (`…ForMaskedLM`): token `labels` aligned with `input_ids`
        /// (the masked positions' ids), not shifted.
        case maskedLM = "masked-lm"
        /// A causal LM trained on preference pairs (TRL's DPO and reward trainers, torchtune
        /// DPO): it needs chosen and rejected responses; any token `labels` are aligned and shifted.
        case preference

        /// Whether token labels must be aligned with `input_ids`, position for position.
        public var alignsLabels: Bool {
            switch self {
            case .causalLM, .tokenClassification, .maskedLM, .preference: true
            case .seq2seqLM, .sequenceClassification: false
            }
        }

        /// Whether the model shifts `labels` by one against `input_ids` itself (every HF causal LM does).
        public var shiftsLabels: Bool { self == .causalLM || self == .preference }

        /// Whether the model's labels are token ids of the vocabulary (not class ids).
        public var labelsAreTokenIDs: Bool {
            switch self {
            case .causalLM, .seq2seqLM, .maskedLM, .preference: true
            case .sequenceClassification, .tokenClassification: false
            }
        }

        /// Whether the model takes one label per example (shape [B]) rather than token labels.
        public var takesClassLabels: Bool { self == .sequenceClassification }

        /// The kind as messages name it: `a causal LM`, `an encoder-decoder (seq2seq) model`.
        public var phrase: String {
            switch self {
            case .causalLM: "a causal LM"
            case .seq2seqLM: "an encoder-decoder (seq2seq) model"
            case .sequenceClassification: "a sequence-classification model"
            case .tokenClassification: "a token-classification model"
            case .maskedLM: "a masked LM"
            case .preference: "a preference (DPO / reward) trainer"
            }
        }

        /// The HF model classes of this kind, as `config.json`'s `architectures` names them.
        public var huggingFaceClasses: String {
            switch self {
            case .causalLM: "…ForCausalLM"
            case .seq2seqLM: "…ForConditionalGeneration of encoder-decoders, …ForSeq2SeqLM"
            case .sequenceClassification: "…ForSequenceClassification"
            case .tokenClassification: "…ForTokenClassification"
            case .maskedLM: "…ForMaskedLM"
            case .preference: "a …ForCausalLM under TRL DPOTrainer / RewardTrainer"
            }
        }
    }

    /// What kind of model the backend is.
    public var kind: ModelKind
    /// Batch fields the backend needs, e.g. `["input_ids", "labels"]` for a model that must return a loss.
    public var requiredInputs: [String]
    /// Whether the backend takes padding-free batches (one flattened row whose sequences are
    /// separated by `position_ids` resets or `cu_seq_lens_*`) and keeps the sequences apart.
    public var acceptsPaddingFree: Bool
    /// Whether the backend shifts `labels` by one itself (every HF causal LM does), so labels
    /// must be aligned with `input_ids`. Defaults to the kind's ``ModelKind/shiftsLabels``.
    public var shiftsLabels: Bool
    /// The vocabulary size: every token id must be in `0..<vocabSize`; `nil` when unknown.
    public var vocabSize: Int?
    /// The longest sequence the backend takes (`max_position_embeddings`); `nil` when unbounded.
    public var maxLength: Int?
    /// The label value the backend's loss ignores.
    public var ignoreIndex: Int32

    /// Creates a contract. The defaults describe an HF causal LM run for inference
    /// (`requiredInputs` without `labels`); ``training(_:vocabSize:maxLength:acceptsPaddingFree:)``
    /// describes one being trained.
    /// - Parameters:
    ///   - kind: What kind of model it is (default ``ModelKind/causalLM``).
    ///   - requiredInputs: Batch fields it needs; include `labels` for training.
    ///   - acceptsPaddingFree: Whether it takes flattened / packed batches.
    ///   - shiftsLabels: Whether it shifts labels itself; `nil` takes the kind's answer.
    ///   - vocabSize: Its vocabulary size, when known.
    ///   - maxLength: Its longest sequence, when bounded.
    ///   - ignoreIndex: The label value its loss ignores.
    public init(
        kind: ModelKind = .causalLM, requiredInputs: [String] = ["input_ids"], acceptsPaddingFree: Bool = true, shiftsLabels: Bool? = nil,
        vocabSize: Int? = nil, maxLength: Int? = nil, ignoreIndex: Int32 = Collate.ignoreIndex
    ) {
        self.kind = kind
        self.requiredInputs = requiredInputs
        self.acceptsPaddingFree = acceptsPaddingFree
        self.shiftsLabels = shiftsLabels ?? kind.shiftsLabels
        self.vocabSize = vocabSize
        self.maxLength = maxLength
        self.ignoreIndex = ignoreIndex
    }

    /// A backend of `kind` being trained: it requires `input_ids` and `labels` (what
    /// `collate validate` assumes with no `--requires`, so the seed failure is caught with no flags).
    ///
    /// A ``ModelKind/preference`` trainer requires only `labels`, which for it means a training
    /// signal: chosen and rejected responses in whatever fields the preference collator makes
    /// (TRL 0.19's layout has no `input_ids` at all).
    /// - Parameters:
    ///   - kind: What kind of model it is.
    ///   - vocabSize: Its vocabulary size, when known.
    ///   - maxLength: Its longest sequence, when bounded.
    ///   - acceptsPaddingFree: Whether it takes flattened / packed batches.
    /// - Returns: The contract.
    public static func training(_ kind: ModelKind = .causalLM, vocabSize: Int? = nil, maxLength: Int? = nil, acceptsPaddingFree: Bool = true) -> BackendContract {
        BackendContract(
            kind: kind, requiredInputs: kind == .preference ? ["labels"] : ["input_ids", "labels"], acceptsPaddingFree: acceptsPaddingFree, vocabSize: vocabSize, maxLength: maxLength)
    }

    /// Whether the backend needs `labels`, i.e. the pipeline trains.
    public var requiresLabels: Bool { requiredInputs.contains("labels") }

    /// Whether `labels` must be aligned with `input_ids` for this backend: its kind aligns them
    /// and it shifts nothing else (a causal LM declared with `shiftsLabels: false` is read as an
    /// encoder-decoder, as before model kinds existed).
    public var alignsLabels: Bool { kind == .causalLM ? shiftsLabels : kind.alignsLabels }
}
