/// Preference pairs for DPO-style training: each example is a prompt with a chosen and a
/// rejected completion.
///
/// Three layouts of the same pairs:
///
/// - ``PairLayout/trl`` — TRL 0.19's `DataCollatorForPreference`, byte for byte: prompts
///   left-padded (`prompt_input_ids`, `prompt_attention_mask`), chosen and rejected completions
///   each right-padded to their own longest (`chosen_input_ids`, `chosen_attention_mask`,
///   `rejected_input_ids`, `rejected_attention_mask`). The trainer concatenates them.
/// - ``PairLayout/trlConcatenated`` — the layout of TRL 1.x's rewritten collator: `input_ids`
///   of [2B, L] holding prompt + chosen for every example, then prompt + rejected, right-padded,
///   with `attention_mask` and a `completion_mask` (1 over completion tokens).
/// - ``PairLayout/torchtune`` — torchtune's `padded_collate_dpo`: the same [2B, L] rows as
///   `input_ids`, with `labels` holding the completion ids and the ignore index over the prompt
///   and padding; Collate adds `attention_mask`.
///
/// Examples name their fields as the layout's reference does: `prompt_input_ids` /
/// `chosen_input_ids` / `rejected_input_ids` for ``PairLayout/trl`` and ``PairLayout/torchtune``
/// (TRL 0.19's names), `prompt_ids` / `chosen_ids` / `rejected_ids` for
/// ``PairLayout/trlConcatenated`` (TRL 1.x's). Completions may be empty. Optional truncation: ``maxPromptLength`` keeps the
/// end of the prompt and ``maxCompletionLength`` the start of each completion (TRL 0.19's
/// `tokenize_row`); in the concatenated layouts ``maxLength`` then truncates each prompt +
/// completion row on the side ``truncationMode`` gives (TRL 1.x's collator).
///
/// Spec type `preference`; keys `pad_token_id`, `layout`, `pad_to_multiple_of`, `ignore_index`,
/// `max_prompt_length`, `max_completion_length`, `max_length`, `truncation_mode`.
public struct PreferenceCollator: Collator {
    /// How a batch of pairs is laid out.
    public enum PairLayout: String, Sendable, Hashable, CaseIterable {
        /// TRL 0.19 `DataCollatorForPreference`: prompt, chosen and rejected tensors apart.
        case trl
        /// TRL 1.x `DataCollatorForPreference`: [2B, L] prompt + completion rows with `completion_mask`.
        case trlConcatenated = "trl-concatenated"
        /// torchtune `padded_collate_dpo`: [2B, L] prompt + completion rows with prompt-masked `labels`.
        case torchtune
    }

    /// Which end of an over-long prompt + completion row is kept.
    public enum TruncationMode: String, Sendable, Hashable, CaseIterable {
        /// Keep the first `max_length` tokens (TRL 1.x's default).
        case keepStart = "keep_start"
        /// Keep the last `max_length` tokens.
        case keepEnd = "keep_end"
    }

    /// The layout of the batch.
    public var layout: PairLayout
    /// The id written into padded id positions.
    public var padTokenID: Int32
    /// The label value over prompt and padding positions (torchtune layout).
    public var ignoreIndex: Int32
    /// When set, each padded length is rounded up to a multiple of it.
    public var padToMultipleOf: Int?
    /// Keep at most this many prompt tokens (the last ones).
    public var maxPromptLength: Int?
    /// Keep at most this many tokens of each completion (the first ones).
    public var maxCompletionLength: Int?
    /// Truncate each prompt + completion row to this length (concatenated layouts only).
    public var maxLength: Int?
    /// Which end ``maxLength`` keeps.
    public var truncationMode: TruncationMode

    /// Creates the collator.
    /// - Precondition: `maxLength` is `nil` for the ``PairLayout/trl`` layout, whose prompt is
    ///   shared by both completions (the spec decoder rejects it with a message).
    public init(
        padTokenID: Int32, layout: PairLayout = .trl, padToMultipleOf: Int? = nil, ignoreIndex: Int32 = Collate.ignoreIndex,
        maxPromptLength: Int? = nil, maxCompletionLength: Int? = nil, maxLength: Int? = nil, truncationMode: TruncationMode = .keepStart
    ) {
        precondition(layout != .trl || maxLength == nil, "max_length applies to the concatenated layouts only")
        self.layout = layout
        self.padTokenID = padTokenID
        self.ignoreIndex = ignoreIndex
        self.padToMultipleOf = padToMultipleOf
        self.maxPromptLength = maxPromptLength
        self.maxCompletionLength = maxCompletionLength
        self.maxLength = maxLength
        self.truncationMode = truncationMode
    }

    /// The fields read, in the order prompt, chosen, rejected: the names of the layout's reference.
    public var fieldNames: [String] {
        layout == .trlConcatenated ? ["prompt_ids", "chosen_ids", "rejected_ids"] : ["prompt_input_ids", "chosen_input_ids", "rejected_input_ids"]
    }

    public var contract: CollatorContract {
        let produced: [String]
        let labels: CollatorContract.LabelSource
        let reference: String
        switch layout {
        case .trl:
            produced = ["prompt_input_ids", "prompt_attention_mask", "chosen_input_ids", "chosen_attention_mask",
                        "rejected_input_ids", "rejected_attention_mask"]
            labels = .none
            reference = "TRL 0.19 DataCollatorForPreference"
        case .trlConcatenated:
            produced = ["input_ids", "attention_mask", "completion_mask"]
            labels = .none
            reference = "TRL 1.x DataCollatorForPreference"
        case .torchtune:
            produced = ["input_ids", "attention_mask", "labels"]
            labels = .responsesOfPreferencePairs
            reference = "torchtune padded_collate_dpo"
        }
        return CollatorContract(
            name: "preference", reference: reference, requiredFields: fieldNames,
            producedFields: produced, labelSource: labels,
            layout: .padded(side: .right, padTokenID: padTokenID, masksLabelsByPadID: false), ignoreIndex: ignoreIndex,
            rowsPerExample: layout == .trl ? 1 : 2)
    }

    /// One example's pair after truncation.
    struct Pair {
        var prompt: ArraySlice<Int32>
        var chosen: ArraySlice<Int32>
        var rejected: ArraySlice<Int32>
    }

    /// Builds the batch.
    /// - Throws: ``CollateError/missingField(_:example:collator:)`` naming the example and field
    ///   when an example lacks its prompt, chosen or rejected ids; ``CollateError/emptyBatch``.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard !examples.isEmpty else { throw .emptyBatch }
        var pairs: [Pair] = []
        pairs.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            var pair = Pair(
                prompt: try field(0, of: example, index: index)[...],
                chosen: try field(1, of: example, index: index)[...],
                rejected: try field(2, of: example, index: index)[...])
            if let maxPromptLength { pair.prompt = pair.prompt.suffix(maxPromptLength) }
            if let maxCompletionLength {
                pair.chosen = pair.chosen.prefix(maxCompletionLength)
                pair.rejected = pair.rejected.prefix(maxCompletionLength)
            }
            pairs.append(pair)
        }
        switch layout {
        case .trl:
            var batch = Batch()
            for (name, rows, side) in [("prompt", pairs.map { Array($0.prompt) }, PaddingSide.left),
                                       ("chosen", pairs.map { Array($0.chosen) }, .right),
                                       ("rejected", pairs.map { Array($0.rejected) }, .right)] {
                let width = _roundUp(rows.reduce(0) { max($0, $1.count) }, toMultipleOf: padToMultipleOf)
                batch["\(name)_input_ids"] = try _paddedTensor(rows, width: width, side: side, value: padTokenID, field: "\(name)_input_ids")
                batch["\(name)_attention_mask"] = try _maskTensor(lengths: rows.map(\.count), width: width, side: side, field: "\(name)_attention_mask")
            }
            return batch
        case .trlConcatenated, .torchtune:
            return try concatenated(pairs)
        }
    }

    /// The [2B, L] layouts: prompt + chosen rows, then prompt + rejected rows.
    private func concatenated(_ pairs: [Pair]) throws(CollateError) -> Batch {
        var rows: [[Int32]] = []
        var promptLengths: [Int] = []  // prompt tokens kept at the start of each row
        rows.reserveCapacity(pairs.count * 2)
        promptLengths.reserveCapacity(pairs.count * 2)
        for completion in [\Pair.chosen, \Pair.rejected] {
            for pair in pairs {
                var row = Array(pair.prompt)
                row.append(contentsOf: pair[keyPath: completion])
                var promptLength = pair.prompt.count
                if let maxLength, row.count > maxLength {
                    switch truncationMode {
                    case .keepStart:
                        row.removeLast(row.count - maxLength)
                        promptLength = min(promptLength, maxLength)
                    case .keepEnd:
                        let dropped = row.count - maxLength
                        row.removeFirst(dropped)
                        promptLength = max(0, promptLength - dropped)
                    }
                }
                rows.append(row)
                promptLengths.append(promptLength)
            }
        }
        let width = _roundUp(rows.reduce(0) { max($0, $1.count) }, toMultipleOf: padToMultipleOf)
        var batch = Batch()
        batch["input_ids"] = try _paddedTensor(rows, width: width, side: .right, value: padTokenID, field: "input_ids")
        batch["attention_mask"] = try _maskTensor(lengths: rows.map(\.count), width: width, side: .right)
        if layout == .trlConcatenated {
            let completionMask = zip(rows, promptLengths).map { row, prompt in
                [Int32](repeating: 0, count: prompt) + [Int32](repeating: 1, count: row.count - prompt)
            }
            batch["completion_mask"] = try _paddedTensor(completionMask, width: width, side: .right, value: 0, field: "completion_mask")
        } else {
            let labels = zip(rows, promptLengths).map { row, prompt in
                [Int32](repeating: ignoreIndex, count: prompt) + row[prompt...]
            }
            batch["labels"] = try _paddedTensor(labels, width: width, side: .right, value: ignoreIndex, field: "labels")
        }
        return batch
    }

    /// Field `part` (0 prompt, 1 chosen, 2 rejected) of an example.
    private func field(_ part: Int, of example: Example, index: Int) throws(CollateError) -> [Int32] {
        try example.requireSequence(fieldNames[part], example: index, collator: "preference")
    }
}
