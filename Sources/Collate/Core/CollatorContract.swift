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
        /// A copy of `input_ids` in which the positions `rule` does not train are the ignore
        /// index, decided per example (a prefix-LM collator masking each example's first
        /// `prefix_length` tokens; an assistant-mask collator training where `assistant_masks`
        /// is 1); padding is the ignore index and examples' own labels are replaced. The
        /// validator and the conformance suite evaluate `rule` on each example, so a fully masked
        /// example is reported and an off-by-one mask is caught.
        case maskedInputIDs(LabelRule)
        /// Target sequences the collator makes itself from the examples, of their own length:
        /// T5 span corruption (the sentinels and the spans they hide, then EOS), BART text
        /// infilling, any denoising objective. `labels` is `[rows, T]`, padded with the ignore
        /// index on the padding side, and `T` need not equal `input_ids`' width (an
        /// encoder-decoder's decoder targets, `--model-kind seq2seq-lm`). The validator counts
        /// them as labels the model gets — examples' own `labels` are `labels-overwritten` — but
        /// cannot predict which tokens train; the conformance suite checks that every row trains
        /// a token and that no row is padded with the pad id. Pair it with
        /// ``CollatorContract/rewritesInputIDs`` when the inputs change too.
        case generatedTargets
    }

    /// What one field of an example holds, so tools that make examples for a collator (the
    /// conformance suite's samples) and check them (the validator) know its shape.
    public enum FieldKind: Sendable, Hashable, CustomStringConvertible {
        /// Token ids, one per `input_ids` position (`labels` for a causal LM, `token_type_ids`).
        case alignedTokens
        /// 0 or 1, one per `input_ids` position (`attention_mask`, `assistant_masks`).
        case alignedMask
        /// A sequence of integers of its own length (decoder `labels`, a second text's ids).
        case sequence
        /// One integer per example (a class `label`, a `prefix_length`); samples hold values
        /// between 0 and the example's `input_ids` length, so a count or an index into it fits.
        case integer
        /// One float per example (TRL's reward `margin`).
        case float
        /// One boolean per example (KTO's `label`).
        case bool

        /// `aligned tokens`, `integer`, ...: the kind as messages name it.
        public var description: String {
            switch self {
            case .alignedTokens: "a sequence of token ids as long as input_ids"
            case .alignedMask: "a 0/1 mask as long as input_ids"
            case .sequence: "a sequence of integers"
            case .integer: "one integer"
            case .float: "one number"
            case .bool: "true or false"
            }
        }

        /// Whether a value has this kind (an integer counts as a float; alignment is not checked here).
        /// - Parameter value: The example's value.
        /// - Returns: `true` when the value's shape matches; `false` for `null` too.
        public func accepts(_ value: Example.Value) -> Bool {
            switch (self, value) {
            case (.alignedTokens, .sequence), (.alignedMask, .sequence), (.sequence, .sequence),
                 (.integer, .scalar), (.float, .float), (.float, .scalar), (.bool, .bool): true
            default: false
            }
        }
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

    /// What each field the collator reads holds, where the name alone does not say it: e.g.
    /// `["prefix_length": .integer]`. A field not listed is a sequence the tools fill by its
    /// name's convention (`labels`, `attention_mask`, ...), as HF's collators read them.
    public var fieldKinds: [String: FieldKind]

    /// Whether the batch's `input_ids` are made from the examples' tokens rather than being
    /// those tokens padded: span corruption replaces each noise span by one sentinel, so rows
    /// change length. The conformance suite then checks `input_ids` by its padding only —
    /// `attention_mask` 1 over one block on the declared side, the pad id wherever it is 0, at
    /// least one token per row — rather than token for token. `false` for every built-in collator
    /// (the masked-LM collator's replaced tokens are told by ``LabelSource/maskedTokens``).
    public var rewritesInputIDs: Bool

    /// Creates a contract.
    ///
    /// ```swift
    /// CollatorContract(
    ///     name: "prefix-lm", reference: "labels = input_ids with the first prefix_length tokens masked",
    ///     requiredFields: ["input_ids", "prefix_length"], producedFields: ["input_ids", "attention_mask", "labels"],
    ///     labelSource: .maskedInputIDs(.maskingPrefix(lengthField: "prefix_length")),
    ///     layout: .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false),
    ///     fieldKinds: ["prefix_length": .integer])
    /// ```
    /// - Parameters:
    ///   - name: The spec type.
    ///   - reference: The implementation it matches, for messages.
    ///   - requiredFields: Fields every example must have.
    ///   - optionalFields: Fields read when present.
    ///   - producedFields: Fields the batch holds.
    ///   - labelSource: Where `labels` come from.
    ///   - layout: How rows are laid out.
    ///   - ignoreIndex: The label of untrained positions.
    ///   - fixedLength: The width of every row under `padding: "max_length"`.
    ///   - requiredTemplates: Token sequences every example must contain.
    ///   - maskedLabelTokenID: The id masked in labels by comparison, for layouts that do not say it.
    ///   - rowsPerExample: Batch rows per example.
    ///   - fieldKinds: What fields hold, beyond the conventional names.
    ///   - rewritesInputIDs: Whether `input_ids` are made from the examples' tokens rather than
    ///     being them padded (span corruption).
    public init(
        name: String, reference: String, requiredFields: [String], optionalFields: [String] = [],
        producedFields: [String], labelSource: LabelSource, layout: Layout,
        ignoreIndex: Int32 = Collate.ignoreIndex, fixedLength: Int? = nil, requiredTemplates: [[Int32]] = [],
        maskedLabelTokenID: Int32? = nil, rowsPerExample: Int = 1, fieldKinds: [String: FieldKind] = [:],
        rewritesInputIDs: Bool = false
    ) {
        self.fieldKinds = fieldKinds
        self.rewritesInputIDs = rewritesInputIDs
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
