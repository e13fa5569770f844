/// The dataset preparation TRL 1.16's `SFTTrainer` does between tokenizing and collating:
/// the completion mask of prompt-completion data, `labels` from the masks, `max_length`
/// truncation and the dropping of examples left without a trained token.
///
/// Tokenizing is the tokenizer's job (CollateTokenizers); this value does what TRL does with
/// the ids, byte for byte, so examples prepared here and collated by ``SFTCollator`` are the
/// batches `SFTTrainer` trains on:
///
/// ```swift
/// let text = SFTPreparation.appendingEOS(prompt + completion, eosToken: "</s>")
/// var example = SFTPreparation.promptCompletion(promptIDs: tokenizer.encode(prompt),
///                                               promptCompletionIDs: tokenizer.encode(text))
/// let prepared = SFTPreparation(maxLength: 1024).prepare([example])   // input_ids, labels
/// ```
///
/// `Guides/Collators.md` lists where Collate's own dataset reader differs from this on purpose.
public struct SFTPreparation: Sendable, Hashable {
    /// Which end of a long sequence `max_length` keeps (`SFTConfig.truncation_mode`).
    public enum TruncationMode: String, Sendable, Hashable, CaseIterable {
        /// Keep the first `max_length` tokens (TRL's default).
        case keepStart = "keep_start"
        /// Keep the last `max_length` tokens.
        case keepEnd = "keep_end"
    }

    /// Tokens kept per example (`SFTConfig.max_length`, 1024 by default); `nil` keeps all.
    public var maxLength: Int?
    /// Which end truncation keeps.
    public var truncationMode: TruncationMode
    /// Whether `completion_mask` masks the prompt (`SFTConfig.completion_only_loss`); `nil`
    /// means TRL's default: yes when the examples have a `completion_mask` (prompt-completion data).
    public var completionOnlyLoss: Bool?
    /// Whether the examples will be packed (TRL then skips truncation: packing cuts rows itself).
    public var packing: Bool

    /// Creates the preparation with `SFTConfig`'s defaults.
    public init(maxLength: Int? = 1024, truncationMode: TruncationMode = .keepStart, completionOnlyLoss: Bool? = nil, packing: Bool = false) {
        self.maxLength = maxLength
        self.truncationMode = truncationMode
        self.completionOnlyLoss = completionOnlyLoss
        self.packing = packing
    }

    /// The text with the EOS token appended unless it already ends with it, as `SFTTrainer`
    /// does to language-modeling `text` and to `completion` before tokenizing.
    public static func appendingEOS(_ text: String, eosToken: String) -> String {
        text.hasSuffix(eosToken) ? text : text + eosToken
    }

    /// A prompt-completion example from the two tokenizations `SFTTrainer` makes: the prompt
    /// alone and prompt + completion (with EOS). The completion starts where the two diverge
    /// (TRL's `common_prefix_length`), which is not always after the prompt when tokens merge
    /// across the boundary.
    /// - Returns: An example with `input_ids` (prompt + completion) and `completion_mask`.
    /// - Complexity: O(*L*).
    public static func promptCompletion(promptIDs: [Int32], promptCompletionIDs: [Int32]) -> Example {
        var prefix = 0
        while prefix < promptIDs.count, prefix < promptCompletionIDs.count, promptIDs[prefix] == promptCompletionIDs[prefix] { prefix += 1 }
        let mask = [Int32](repeating: 0, count: prefix) + [Int32](repeating: 1, count: promptCompletionIDs.count - prefix)
        return Example(["input_ids": .sequence(promptCompletionIDs), "completion_mask": .sequence(mask)])
    }

    /// The example with `labels` built as `SFTTrainer` builds them when the data has none: a
    /// token is trained (its id) when every applicable mask is 1 at its position, else -100.
    /// `assistant_masks` always applies, `completion_mask` only under completion-only loss; the
    /// mask fields are removed. An example that already has `labels` is returned unchanged.
    ///
    /// - Parameter completionOnly: Whether `completion_mask` applies (TRL's resolved
    ///   `completion_only_loss`).
    /// - Complexity: O(*L*).
    public static func labeled(_ example: Example, completionOnly: Bool) -> Example {
        guard example["labels"] == nil else { return example }
        var result = example
        var masks: [[Int32]] = []
        for field in ["completion_mask", "assistant_masks"] {
            guard let mask = example.sequence(field) else { continue }
            if field == "assistant_masks" || completionOnly { masks.append(mask) }
            if field == "assistant_masks" || completionOnly { result[field] = nil }
        }
        let ids = example.inputIDs
        // Python's zip(..., strict=False): as long as the shortest of the ids and masks.
        let count = masks.reduce(ids.count) { min($0, $1.count) }
        var labels = [Int32](repeating: ignoreIndex, count: count)
        for position in 0 ..< count where masks.allSatisfy({ $0[position] != 0 }) { labels[position] = ids[position] }
        result["labels"] = .sequence(labels)
        return result
    }

    /// Every step after tokenizing: labels from the masks (when the examples have none), then,
    /// unless packing, truncation of `input_ids` and `labels` to ``maxLength`` and the removal
    /// of examples whose labels are all -100.
    /// - Returns: The prepared examples, in order, fully masked ones left out.
    /// - Complexity: O(*n* × *L*).
    public func prepare(_ examples: [Example]) -> [Example] {
        let completionOnly = completionOnlyLoss ?? examples.contains { $0["completion_mask"] != nil }
        var prepared: [Example] = []
        prepared.reserveCapacity(examples.count)
        for example in examples {
            var result = Self.labeled(example, completionOnly: completionOnly)
            if let maxLength, !packing {
                for field in ["input_ids", "labels"] {
                    guard let values = result.sequence(field), values.count > maxLength else { continue }
                    result[field] = .sequence(truncationMode == .keepStart ? Array(values.prefix(maxLength)) : Array(values.suffix(maxLength)))
                }
                guard result.sequence("labels")?.contains(where: { $0 != ignoreIndex }) ?? true else { continue }
            }
            prepared.append(result)
        }
        return prepared
    }
}
