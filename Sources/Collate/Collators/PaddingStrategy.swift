/// How a padding collator chooses the length of a batch, as HF's `padding` argument.
public enum PaddingStrategy: Sendable, Hashable {
    /// Pad to the longest sequence in the batch (`padding=True` / `"longest"`).
    case longest
    /// Pad every sequence to exactly this length (`padding="max_length"`); longer ones are an error.
    case maxLength(Int)
    /// Do not pad (`padding=False` / `"do_not_pad"`); every sequence must already have the same length.
    case doNotPad
}

/// The padding options every HF padding collator shares (`tokenizer.pad`'s arguments).
public struct PaddingOptions: Sendable, Hashable {
    /// The id written into padded `input_ids` positions.
    public var padTokenID: Int32
    /// Which side padding goes on (the tokenizer's `padding_side`).
    public var side: PaddingSide
    /// How the batch length is chosen.
    public var strategy: PaddingStrategy
    /// When set, the batch length is rounded up to a multiple of it (tensor-core friendly).
    public var padToMultipleOf: Int?

    /// Creates padding options; the defaults are HF's.
    public init(padTokenID: Int32, side: PaddingSide = .right, strategy: PaddingStrategy = .longest, padToMultipleOf: Int? = nil) {
        self.padTokenID = padTokenID
        self.side = side
        self.strategy = strategy
        self.padToMultipleOf = padToMultipleOf
    }

    /// The fixed length rows are padded to, when the strategy fixes one: `max_length` rounded
    /// up to `padToMultipleOf`, as HF's `_pad` rounds it.
    public var fixedLength: Int? {
        if case .maxLength(let length) = strategy { return _roundUp(length, toMultipleOf: padToMultipleOf) }
        return nil
    }
}
