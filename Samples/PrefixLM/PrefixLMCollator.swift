import Collate

/// A prefix-LM collator: `labels` are `input_ids` with each example's first `prefix_length`
/// tokens masked (-100), padded on the tokenizer's side with the pad id (`input_ids`), 0
/// (`attention_mask`) and -100 (`labels`).
///
/// Its contract says everything the validator and `CollatorConformance` need: `prefix_length` is
/// one integer per example, and which positions train is ``rule``, evaluated per example.
public struct PrefixLMCollator: Collator {
    /// The spec type and the namespace of this package's diagnostic codes.
    public static let name = "prefix-lm"
    /// Which positions train: everything after the first `prefix_length` tokens.
    public static let rule = LabelRule.maskingPrefix(lengthField: "prefix_length")

    /// Pad id, side, `padding`/`max_length` and `pad_to_multiple_of`, read from the spec.
    public var padding: PaddingOptions

    /// Creates the collator.
    /// - Parameter padding: Pad id, side and length settings.
    public init(padding: PaddingOptions) { self.padding = padding }

    /// What it needs and produces: `prefix_length` one integer per example, labels masked by ``rule``.
    public var contract: CollatorContract {
        CollatorContract(
            name: Self.name, reference: "labels = input_ids with the first prefix_length tokens masked",
            requiredFields: ["input_ids", "prefix_length"], producedFields: ["input_ids", "attention_mask", "labels"],
            labelSource: .maskedInputIDs(Self.rule),
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: false),
            fixedLength: padding.fixedLength,
            fieldKinds: ["prefix_length": .integer])
    }

    /// Pads `input_ids`, masks each example's prefix in `labels`.
    /// - Throws: ``CollateError`` naming the example and field that is missing or of the wrong kind.
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard !examples.isEmpty else { throw .emptyBatch }
        var rows: [[Int32]] = [], labels: [[Int32]] = []
        for (index, example) in examples.enumerated() {
            let ids = try example.requireSequence("input_ids", example: index, collator: Self.name)
            let prefix = try example.requireScalar("prefix_length", example: index, collator: Self.name)
            guard prefix >= 0 else { throw .wrongFieldKind("prefix_length", example: index, expected: "an integer of at least 0") }
            rows.append(ids)
            labels.append(ids.indices.map { $0 < Int(prefix) ? ignoreIndex : ids[$0] })
        }
        let lengths = rows.map(\.count)
        let width = try padding.width(forLengths: lengths)
        return Batch([
            "input_ids": try padding.pad(rows, toWidth: width),
            "attention_mask": try padding.attentionMask(lengths: lengths, width: width),
            "labels": try padding.padLabels(labels, toWidth: width),
        ])
    }
}

extension PrefixLMCollator {
    /// Registers the `prefix-lm` spec type in `registry`.
    /// - Throws: ``RegistrationError`` when `prefix-lm` is already registered there.
    public static func register(in registry: CollatorRegistry = .shared) throws {
        try registry.register(name, keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of"]) { spec in
            PrefixLMCollator(padding: try spec.paddingOptions(withStrategy: true))
        }
    }
}

extension Diagnostic.Code {
    /// `prefix-lm/prefix-too-long`: an example's `prefix_length` is longer than the example.
    public static let prefixTooLong = Diagnostic.Code(namespace: PrefixLMCollator.name, name: "prefix-too-long")
}

/// `prefix-lm/prefix-too-long`: a `prefix_length` beyond the example's tokens usually means the
/// prefix was counted in another tokenization (characters, or another tokenizer's tokens).
public struct PrefixTooLongRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    /// `prefix-lm/prefix-too-long`.
    public var code: Diagnostic.Code { .prefixTooLong }

    /// One error per example whose `prefix_length` exceeds its tokens.
    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.collator.name == PrefixLMCollator.name else { return [] }
        return context.examples.enumerated().compactMap { index, example in
            guard let prefix = example.scalar("prefix_length"), Int(prefix) > example.inputIDs.count else { return nil }
            return Diagnostic(.prefixTooLong, message:
                "example \(index) has prefix_length \(prefix) but only \(example.inputIDs.count) tokens: the prefix was probably counted in "
                + "another tokenization, and the whole example is masked. Fix: count prefix_length in this tokenizer's tokens.", example: index)
        }
    }
}
