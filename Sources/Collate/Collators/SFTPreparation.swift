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
/// Conversational rows are rendered by a chat template first (CollateTokenizers' `ChatTemplate`
/// gives the ids and the assistant mask transformers gives), then enter through
/// ``conversation(inputIDs:assistantMasks:)`` or
/// ``promptCompletion(promptIDs:promptCompletionIDs:assistantMasks:)``; no EOS is appended to them.
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

    /// A conversational prompt-completion example (`prompt` and `completion` are message lists)
    /// from the two chat-template renderings `SFTTrainer` tokenizes: the prompt alone with the
    /// generation prompt (`add_generation_prompt=True`) and prompt + completion messages, the
    /// latter with its assistant mask when `assistant_only_loss` is on. No EOS is appended to
    /// conversational data: the template writes the end of turn.
    /// - Parameters:
    ///   - promptIDs: The prompt's ids, rendered with the generation prompt.
    ///   - promptCompletionIDs: The ids of the whole conversation.
    ///   - assistantMasks: `assistant_masks` of the whole conversation (`return_assistant_tokens_mask=True`),
    ///     or `nil` without `assistant_only_loss`.
    /// - Returns: An example with `input_ids`, `completion_mask` and, when given, `assistant_masks`.
    /// - Throws: ``SFTPreparationError/noAssistantTokens`` when `assistantMasks` has no 1 (TRL
    ///   raises the same), ``SFTPreparationError/maskLength(field:expected:found:)`` when its length
    ///   is not the ids'.
    /// - Complexity: O(*L*).
    public static func promptCompletion(promptIDs: [Int32], promptCompletionIDs: [Int32], assistantMasks: [Int32]?) throws(SFTPreparationError) -> Example {
        var example = promptCompletion(promptIDs: promptIDs, promptCompletionIDs: promptCompletionIDs)
        if let assistantMasks {
            try check(assistantMasks, count: promptCompletionIDs.count)
            example["assistant_masks"] = .sequence(assistantMasks)
        }
        return example
    }

    /// A conversational language-modeling example (`messages`) from its chat-template rendering,
    /// as `SFTTrainer` tokenizes it: the ids and, under `assistant_only_loss`, the assistant mask
    /// (transformers' `return_assistant_tokens_mask=True`; Collate's `ChatTemplate.tokenize`
    /// computes the same mask). No EOS is appended to conversational data.
    /// - Parameters:
    ///   - inputIDs: The rendered conversation's ids.
    ///   - assistantMasks: Its `assistant_masks`, or `nil` to train on every token.
    /// - Returns: An example with `input_ids` and, when given, `assistant_masks`.
    /// - Throws: ``SFTPreparationError/noAssistantTokens`` when `assistantMasks` has no 1 (TRL
    ///   raises the same), ``SFTPreparationError/maskLength(field:expected:found:)`` when its length
    ///   is not the ids'.
    public static func conversation(inputIDs: [Int32], assistantMasks: [Int32]?) throws(SFTPreparationError) -> Example {
        var example = Example(inputIDs: inputIDs)
        if let assistantMasks {
            try check(assistantMasks, count: inputIDs.count)
            example["assistant_masks"] = .sequence(assistantMasks)
        }
        return example
    }

    private static func check(_ mask: [Int32], count: Int) throws(SFTPreparationError) {
        guard mask.count == count else { throw .maskLength(field: "assistant_masks", expected: count, found: mask.count) }
        guard mask.contains(where: { $0 != 0 }) else { throw .noAssistantTokens }
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

/// Why ``SFTPreparation`` refused a conversational example.
public enum SFTPreparationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The assistant mask trains no token: the template wrote no assistant span (TRL 1.16 raises
    /// a `RuntimeError` for this example too).
    case noAssistantTokens
    /// A mask's length is not the number of ids.
    case maskLength(field: String, expected: Int, found: Int)

    /// What went wrong and how to fix it.
    public var description: String {
        switch self {
        case .noAssistantTokens:
            "assistant_masks: the example has no assistant token to train (no assistant message, or a template that marks none); "
                + "add an assistant turn, use a template with {% generation %} blocks, or turn assistant-only loss off"
        case .maskLength(let field, let expected, let found):
            "\(field): has \(found) values but input_ids has \(expected); compute the mask from the same tokenization as the ids"
        }
    }
}
