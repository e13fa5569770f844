/// Trains only on completions found by searching for template token ids: TRL 0.19's
/// `DataCollatorForCompletionOnlyLM`, byte for byte.
///
/// Labels start as the language-modeling collator's (a copy of `input_ids`, pad ids → -100).
/// Without an instruction template, everything up to the end of the **last** occurrence of the
/// response template is masked. With one, each human turn (instruction template up to the next
/// response template) is masked. A row where a template is not found is masked entirely —
/// TRL only warns, and the example silently trains nothing; Collate's validator reports
/// `template-not-found`. Template search runs over `labels`, as TRL's does.
///
/// Exact masking from chat formats (CollateTokenizers) avoids the search; this collator exists
/// for parity with TRL pipelines.
///
/// Spec type `completion-only`; keys `pad_token_id`, `padding_side`, `response_template_ids`,
/// `instruction_template_ids`, `ignore_index`, `padding_free`, `pad_to_multiple_of`.
public struct CompletionOnlyCollator: Collator {
    /// Token ids that precede every completion (e.g. `"### Response:\n"` tokenized in context).
    public var responseTemplate: [Int32]
    /// Token ids that open every human turn, for multi-turn masking; `nil` masks up to the last response.
    public var instructionTemplate: [Int32]?
    /// Padding options (pad to longest).
    public var padding: PaddingOptions
    /// The value masked label positions get.
    public var ignoreIndex: Int32
    /// Whether to return one flattened row with `position_ids` and `cu_seq_lens_*` instead of padding.
    public var paddingFree: Bool

    /// Creates the collator.
    ///
    /// An empty `responseTemplate` matches nowhere, so every row is masked and the validator
    /// reports `template-not-found` (the spec decoder rejects an empty one outright).
    public init(responseTemplate: [Int32], instructionTemplate: [Int32]? = nil, padTokenID: Int32,
                paddingSide: PaddingSide = .right, padToMultipleOf: Int? = nil,
                ignoreIndex: Int32 = Collate.ignoreIndex, paddingFree: Bool = false) {
        self.responseTemplate = responseTemplate
        self.instructionTemplate = instructionTemplate
        self.padding = PaddingOptions(padTokenID: padTokenID, side: paddingSide, strategy: .longest, padToMultipleOf: padToMultipleOf)
        self.ignoreIndex = ignoreIndex
        self.paddingFree = paddingFree
    }

    public var contract: CollatorContract {
        CollatorContract(
            name: "completion-only", reference: "TRL 0.19 DataCollatorForCompletionOnlyLM",
            requiredFields: ["input_ids"], optionalFields: ["attention_mask"],
            producedFields: paddingFree
                ? ["input_ids", "labels", "position_ids", "cu_seq_lens_q", "cu_seq_lens_k", "max_length_k", "max_length_q"]
                : ["input_ids", "attention_mask", "labels"],
            labelSource: .completionOfInputIDs,
            layout: paddingFree ? .paddingFree : .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: true),
            ignoreIndex: ignoreIndex,
            requiredTemplates: [responseTemplate] + (instructionTemplate.map { [$0] } ?? []),
            maskedLabelTokenID: paddingFree ? padding.padTokenID : nil)
    }

    /// Builds the batch.
    /// - Complexity: O(*B* × *L* × *T*) in the worst case for template length *T*; O(*B* × *L*) typically.
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        let base = LanguageModelingCollator(padTokenID: padding.padTokenID, paddingSide: padding.side, padToMultipleOf: padding.padToMultipleOf)
        var batch = try base.collate(examples, reportingAs: contract.name)
        guard var labels = batch["labels"] else { throw .emptyBatch }
        let width = labels.shape[1]
        let templates = contract.requiredTemplates
        labels.withUnsafeMutableScalars { scalars in
            for row in 0..<examples.count {
                var rowBuffer = UnsafeMutableBufferPointer(rebasing: scalars[row * width ..< (row + 1) * width])
                _TemplateSearch.maskCompletion(&rowBuffer, templates: templates, ignoreIndex: ignoreIndex)
            }
        }
        batch["labels"] = labels
        return paddingFree ? flatten(batch) : batch
    }

    /// TRL's padding-free layout: padding removed, one row, positions restarting per sequence,
    /// the first label of each sequence masked, and `cu_seq_lens_*` / `max_length_*`.
    func flatten(_ batch: Batch) -> Batch {
        guard let inputs = batch["input_ids"], let labels = batch["labels"], let mask = batch["attention_mask"] else { return batch }
        var flatInputs: [Int32] = []
        var flatLabels: [Int32] = []
        var positions: [Int32] = []
        flatInputs.reserveCapacity(mask.scalars.count)
        flatLabels.reserveCapacity(mask.scalars.count)
        positions.reserveCapacity(mask.scalars.count)
        var boundaries: [Int32] = []
        let width = inputs.shape[1]
        for row in 0..<inputs.shape[0] {
            var position: Int32 = 0
            for column in 0..<width where mask.scalars[row * width + column] != 0 {
                let index = row * width + column
                if position == 0 { boundaries.append(Int32(flatInputs.count)) }
                flatInputs.append(inputs.scalars[index])
                flatLabels.append(position == 0 ? ignoreIndex : labels.scalars[index])
                positions.append(position)
                position += 1
            }
        }
        boundaries.append(Int32(flatInputs.count))
        let longest = (positions.max() ?? -1) + 1
        let total = flatInputs.count
        var flat = Batch()
        flat["input_ids"] = Tensor(shape: [1, total], scalars: flatInputs)
        flat["labels"] = Tensor(shape: [1, total], scalars: flatLabels)
        flat["position_ids"] = Tensor(shape: [1, total], scalars: positions)
        let cumulative = Tensor(shape: [1, boundaries.count], scalars: boundaries, dtype: .int32)
        flat["cu_seq_lens_q"] = cumulative
        flat["cu_seq_lens_k"] = cumulative
        flat["max_length_k"] = Tensor(shape: [1], scalars: [longest])
        flat["max_length_q"] = Tensor(shape: [1], scalars: [longest])
        return flat
    }
}
