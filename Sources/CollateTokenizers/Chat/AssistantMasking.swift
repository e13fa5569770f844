/// Assistant-only masking: which tokens of a rendered conversation are trained.
///
/// The default (all assistant turns, end-of-turn marker included) is exactly HF's
/// `return_assistant_tokens_mask=True` over `{% generation %}` spans; see
/// ``Encoding/assistantMask(for:scalarCount:)`` for the character-to-token rule. The options
/// are the choices other trainers expose: train only the last assistant turn (TRL's
/// `DataCollatorForCompletionOnlyLM` without an instruction template, Axolotl's
/// `roles_to_train` + `train_on_eos: last`), and leave the end-of-turn token (EOS,
/// `<|im_end|>`, `<|eot_id|>`) untrained.
public struct AssistantMasking: Sendable, Hashable {
    /// Which assistant turns are trained.
    public enum Turns: String, Sendable, Hashable, CaseIterable {
        /// Every assistant turn (HF, TRL `assistant_only_loss`, torchtune).
        case all
        /// Only the final assistant turn; earlier turns are context.
        case last
    }

    /// Which assistant turns are trained; default ``Turns/all``.
    public var turns: Turns
    /// Whether the end-of-turn marker closing an assistant turn is trained; default `true`.
    /// Without it a model never learns to stop.
    public var includeEndOfTurn: Bool
    /// Label of untrained tokens; default -100.
    public var ignoreIndex: Int32

    /// Creates masking options; the defaults reproduce HF's assistant mask.
    /// - Parameters:
    ///   - turns: Which assistant turns are trained.
    ///   - includeEndOfTurn: Whether the end-of-turn marker is trained.
    ///   - ignoreIndex: Label of untrained tokens.
    public init(turns: Turns = .all, includeEndOfTurn: Bool = true, ignoreIndex: Int32 = -100) {
        self.turns = turns
        self.includeEndOfTurn = includeEndOfTurn
        self.ignoreIndex = ignoreIndex
    }

    /// The character spans these options train, in scalar offsets of the rendered text.
    ///
    /// Without the end-of-turn marker each span is the content alone; an empty content span is
    /// dropped (that turn trains nothing) rather than given HF's empty-span behaviour.
    /// - Parameter rendered: A rendered conversation.
    public func trainedSpans(in rendered: RenderedChat) -> [Range<Int>] {
        var generations = rendered.generations
        if turns == .last, let last = generations.last { generations = [last] }
        if includeEndOfTurn { return generations.map(\.range) }
        return generations.map(\.contentRange).filter { !$0.isEmpty }
    }

    /// Labels and assistant mask for a rendered conversation and its encoding.
    ///
    /// - Parameters:
    ///   - rendered: The conversation as rendered by a ``ChatFormat``.
    ///   - encoding: `rendered.text` encoded with `addSpecialTokens: false`.
    /// - Returns: `input_ids`, `labels` (ids where trained, ``ignoreIndex`` elsewhere) and
    ///   `assistant_masks`.
    /// - Complexity: O(*n* + *t*) in text length and token count.
    public func apply(to rendered: RenderedChat, encoding: Encoding) -> MaskedConversation {
        let mask = encoding.assistantMask(for: trainedSpans(in: rendered), scalarCount: rendered.scalarCount)
        return MaskedConversation(inputIDs: encoding.ids, assistantMasks: mask, ignoreIndex: ignoreIndex)
    }
}
