/// Truncates every sequence field of an example to at most `maxLength` tokens.
///
/// All sequence fields (`input_ids`, `labels`, `attention_mask`, ...) are cut the same way, so
/// fields aligned with `input_ids` stay aligned. `keepStart` keeps the first tokens (HF
/// tokenizers' `truncation_side="right"`); `keepEnd` keeps the last ones
/// (`truncation_side="left"`), which keeps a conversation's final answer.
///
/// Spec type `truncate`; keys `max_length` (required), `side` (`"keep_start"` default or `"keep_end"`).
public struct Truncate: ExampleTransform, Hashable {
    /// Which end of a sequence survives truncation.
    public enum Side: String, Sendable, Hashable, CaseIterable {
        /// Keep the first `maxLength` tokens.
        case keepStart = "keep_start"
        /// Keep the last `maxLength` tokens.
        case keepEnd = "keep_end"
    }

    /// The longest a sequence may be afterwards.
    public var maxLength: Int
    /// Which end survives.
    public var side: Side

    /// Creates the transform.
    /// - Precondition: `maxLength > 0` (the registry checks spec values before calling this).
    public init(maxLength: Int, side: Side = .keepStart) {
        precondition(maxLength > 0, "Truncate needs a positive maxLength")
        self.maxLength = maxLength
        self.side = side
    }

    public var name: String { "truncate" }

    public var description: String { "truncate(max_length: \(maxLength), side: \(side.rawValue))" }

    /// Cuts every sequence field longer than ``maxLength``.
    /// - Complexity: O(*f* + *k*) for *f* fields and *k* tokens kept.
    public func apply(to example: inout Example, index: Int) -> ExampleTransformOutcome {
        var outcome = ExampleTransformOutcome.unchanged
        for position in example.values.indices {
            guard case .sequence(let tokens) = example.values[position], tokens.count > maxLength else { continue }
            example.values[position] = .sequence(Array(side == .keepStart ? tokens.prefix(maxLength) : tokens.suffix(maxLength)))
            outcome = .modified
        }
        return outcome
    }
}
