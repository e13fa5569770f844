// The package's own collator type, so that its specs need its own tool: `prefix-lm`, labels are
// input_ids with each example's first `prefix_length` tokens masked (as Samples/PrefixLM).
import Collate

/// A prefix-LM collator: `labels` are `input_ids` with the first `prefix_length` tokens masked.
public struct PrefixLMCollator: Collator {
    /// The spec type.
    public static let name = "prefix-lm"
    /// Pad id, side and lengths, read from the spec.
    public var padding: PaddingOptions

    /// What it needs and produces.
    public var contract: CollatorContract {
        CollatorContract(
            name: Self.name, reference: "labels = input_ids with the first prefix_length tokens masked",
            requiredFields: ["input_ids", "prefix_length"], producedFields: ["input_ids", "attention_mask", "labels"],
            labelSource: .maskedInputIDs(.maskingPrefix(lengthField: "prefix_length")),
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: false),
            fixedLength: padding.fixedLength,
            fieldKinds: ["prefix_length": .integer])
    }

    /// Pads `input_ids` and masks each example's prefix in `labels`.
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard !examples.isEmpty else { throw .emptyBatch }
        var rows: [[Int32]] = [], labels: [[Int32]] = []
        for (index, example) in examples.enumerated() {
            let ids = try example.requireSequence("input_ids", example: index, collator: Self.name)
            let prefix = try example.requireScalar("prefix_length", example: index, collator: Self.name)
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

    /// Registers `prefix-lm` in `registry`.
    public static func register(in registry: CollatorRegistry) throws {
        try registry.register(name, keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of"]) { spec in
            PrefixLMCollator(padding: try spec.paddingOptions(withStrategy: true))
        }
    }
}
