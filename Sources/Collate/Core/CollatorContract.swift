/// Which side padding goes on.
public enum PaddingSide: String, Sendable, Hashable, CaseIterable {
    /// Pad after the tokens (HF default; what training wants).
    case right
    /// Pad before the tokens (what batched generation wants).
    case left
}

/// What a collator declares about itself, so the validator can reason about a pipeline
/// without running it.
///
/// Contracts are plain values low in the core: collators declare them, the validator reads
/// them, and neither needs the other's code.
public struct CollatorContract: Sendable, Hashable {
    /// Where a collator's `labels` come from.
    public enum LabelSource: Sendable, Hashable {
        /// The collator never produces token labels.
        case none
        /// `labels` is a copy of the padded `input_ids`; labels the examples carry are replaced
        /// (HF `DataCollatorForLanguageModeling(mlm=False)`).
        case copyOfInputIDs
        /// A copy of `input_ids` with everything but the completion set to the ignore index
        /// (TRL `DataCollatorForCompletionOnlyLM`); examples' own labels are replaced.
        case completionOfInputIDs
        /// The examples' own `labels`, padded; the examples must have them
        /// (`DataCollatorForSeq2Seq`, `DataCollatorForTokenClassification`).
        case examples
        /// The examples' own `labels` when present, otherwise a copy of `input_ids`
        /// (`DataCollatorWithFlattening`).
        case examplesOrInputIDs
        /// Per-example scalar class labels (`label` / `label_ids`) passed through as `labels` of
        /// shape [B] (`DataCollatorWithPadding`); never token labels.
        case sequenceClassLabels
        /// The original id at the positions the collator chose to mask (and maybe replaced in
        /// `input_ids`), the ignore index everywhere else; examples' own labels are replaced
        /// (`DataCollatorForLanguageModeling(mlm=True)`). How many tokens train is random.
        case maskedTokens
        /// Preference pairs concatenated as prompt + response rows, chosen rows then rejected rows,
        /// with the prompt positions set to the ignore index (torchtune `padded_collate_dpo`);
        /// the labels come from the example's `chosen_*` / `rejected_*` fields, not from `labels`.
        case responsesOfPreferencePairs
    }

    /// How the produced batch lays sequences out.
    public enum Layout: Sendable, Hashable {
        /// One row per example, padded to a common length on `side`. `masksLabelsByPadID` is
        /// the pad id when label positions are masked by comparing ids with it (HF's LM collator)
        /// rather than by length.
        case padded(side: PaddingSide, padTokenID: Int32, masksLabelsByPadID: Bool)
        /// All examples concatenated into one row, with boundaries in `position_ids`
        /// (and `cu_seq_lens_*` / `seq_idx` when produced).
        case paddingFree
    }

    /// The spec type, e.g. `"seq2seq"`.
    public var name: String
    /// The reference implementation it matches, e.g. `"transformers DataCollatorForSeq2Seq"`.
    public var reference: String
    /// Fields every example must have (non-null).
    public var requiredFields: [String]
    /// Fields read when present.
    public var optionalFields: [String]
    /// Fields the batch will hold (the label-dependent ones listed too).
    public var producedFields: [String]
    /// Where `labels` come from.
    public var labelSource: LabelSource
    /// How sequences are laid out.
    public var layout: Layout
    /// The value label positions that are not trained hold.
    public var ignoreIndex: Int32
    /// The fixed length every row is padded to, when padding is `"max_length"`.
    public var fixedLength: Int?
    /// Token sequences that must occur in every example (a completion collator's response template).
    public var requiredTemplates: [[Int32]]
    /// Batch rows each example becomes: 1 for most collators, 2 for preference pairs laid out
    /// as chosen rows followed by rejected rows.
    public var rowsPerExample: Int
    /// The token id whose occurrences in `input_ids` become the ignore index in `labels`, for
    /// layouts that do not say it themselves (a padding-free TRL completion collator pads, masks
    /// by pad id, then flattens). For ``Layout/padded(side:padTokenID:masksLabelsByPadID:)`` the
    /// layout decides; see ``labelMaskingTokenID``.
    public var maskedLabelTokenID: Int32?

    /// Creates a contract.
    public init(
        name: String, reference: String, requiredFields: [String], optionalFields: [String] = [],
        producedFields: [String], labelSource: LabelSource, layout: Layout,
        ignoreIndex: Int32 = Collate.ignoreIndex, fixedLength: Int? = nil, requiredTemplates: [[Int32]] = [],
        maskedLabelTokenID: Int32? = nil, rowsPerExample: Int = 1
    ) {
        self.name = name
        self.reference = reference
        self.requiredFields = requiredFields
        self.optionalFields = optionalFields
        self.producedFields = producedFields
        self.labelSource = labelSource
        self.layout = layout
        self.ignoreIndex = ignoreIndex
        self.fixedLength = fixedLength
        self.requiredTemplates = requiredTemplates
        self.rowsPerExample = rowsPerExample
        self.maskedLabelTokenID = maskedLabelTokenID
    }

    /// The token id the collator masks in `labels` by comparing ids (HF's language-modeling
    /// collator and TRL's completion collator mask `pad_token_id`), or `nil` when it masks by length.
    public var labelMaskingTokenID: Int32? {
        if case .padded(_, let padTokenID, true) = layout { return padTokenID }
        return maskedLabelTokenID
    }
}
