/// Which positions of one example train: the per-example masking rule of a collator whose labels
/// are `input_ids` with some positions set to the ignore index
/// (``CollatorContract/LabelSource/maskedInputIDs(_:)``).
///
/// The validator evaluates the rule on every example before a batch is built (a fully masked
/// example is `no-trainable-tokens`), and the conformance suite compares every label the
/// collator makes with it (an off-by-one mask is a violation naming the position). A collator
/// can use the same rule to make its labels, so declaration and behaviour cannot drift apart:
///
/// ```swift
/// let rule = LabelRule.maskingPrefix(lengthField: "prefix_length")
/// let example = Example(["input_ids": .sequence([5, 6, 7, 8]), "prefix_length": .scalar(2)])
/// rule.labels(for: example)      // [-100, -100, 7, 8]
/// ```
///
/// Two rules are equal when their descriptions are: give a custom rule a description that names
/// what it does.
public struct LabelRule: Sendable, Hashable, CustomStringConvertible {
    /// What the rule does, for messages: `the first prefix_length tokens are masked`.
    public let description: String
    /// The fields the rule reads besides `input_ids`.
    public let fields: [String]
    private let body: @Sendable (Example) -> [Bool]?

    /// A rule computed by a function.
    /// - Parameters:
    ///   - description: What the rule does, for messages (also its identity).
    ///   - fields: The fields it reads besides `input_ids`.
    ///   - trainable: For one example, whether each `input_ids` position trains; `nil` when the
    ///     example lacks what the rule reads (the collator rejects it). An array of another length
    ///     than `input_ids` is treated as `nil`.
    public init(_ description: String, fields: [String] = [], trainable: @escaping @Sendable (Example) -> [Bool]?) {
        self.description = description
        self.fields = fields
        self.body = trainable
    }

    /// Masks each example's first `example[lengthField]` tokens (a prefix-LM prompt); a length
    /// beyond the example masks all of it, a negative one is rejected (`nil`).
    /// - Parameter lengthField: The integer field holding the prefix length.
    /// - Returns: The rule.
    public static func maskingPrefix(lengthField: String) -> LabelRule {
        LabelRule("the first \(lengthField) tokens are masked", fields: [lengthField]) { example in
            guard let ids = example.sequence("input_ids"), let length = example.scalar(lengthField), length >= 0 else { return nil }
            return ids.indices.map { $0 >= Int(length) }
        }
    }

    /// Trains the positions where `maskField` is 1 (HF's `assistant_masks`, TRL's `completion_mask`).
    /// - Parameter maskField: The 0/1 field aligned with `input_ids`.
    /// - Returns: The rule.
    public static func training(where maskField: String) -> LabelRule {
        LabelRule("only positions where \(maskField) is 1 train", fields: [maskField]) { example in
            guard let mask = example.sequence(maskField) else { return nil }
            return mask.map { $0 == 1 }
        }
    }

    /// Whether each `input_ids` position of `example` trains, or `nil` when the rule cannot say
    /// (a field it reads is missing or malformed).
    /// - Parameter example: One example.
    /// - Returns: One flag per `input_ids` position, `true` where it trains.
    /// - Complexity: O(*L*) for the built-in rules.
    public func trainable(in example: Example) -> [Bool]? {
        guard let mask = body(example), mask.count == example.inputIDs.count else { return nil }
        return mask
    }

    /// The unpadded `labels` row the rule makes for `example`: its `input_ids` with untrained
    /// positions set to `ignoreIndex`; `nil` when the rule cannot say.
    /// - Parameters:
    ///   - example: One example.
    ///   - ignoreIndex: The label of untrained positions.
    /// - Returns: The labels, as long as `input_ids`.
    /// - Complexity: O(*L*).
    public func labels(for example: Example, ignoreIndex: Int32 = Collate.ignoreIndex) -> [Int32]? {
        guard let mask = trainable(in: example) else { return nil }
        return zip(example.inputIDs, mask).map { $1 ? $0 : ignoreIndex }
    }

    /// Rules are equal when their descriptions are.
    public static func == (lhs: LabelRule, rhs: LabelRule) -> Bool { lhs.description == rhs.description }

    /// Hashes the description.
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
