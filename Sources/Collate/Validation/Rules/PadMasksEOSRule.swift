/// `pad-masks-eos`: the collator masks labels by comparing ids with the pad id, and that id
/// also occurs as a real token the example would otherwise train (typically pad == eos), so
/// the model never learns to emit it.
public struct PadMasksEOSRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .padMasksEOS }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        let collator = context.collator
        guard collator.replacesExampleLabels, !context.backend.kind.takesClassLabels, let padID = collator.labelMaskingTokenID else { return [] }
        var diagnostics: [Diagnostic] = []
        for (index, example) in context.examples.enumerated() {
            guard let inputs = example.sequence("input_ids"), inputs.contains(padID),
                  let unmasked = _ProspectiveLabels.labels(of: example, contract: collator, maskingByID: false) else { continue }
            let lost = zip(inputs, unmasked).filter { $0.0 == padID && context.isTrainable($0.1) }.count
            if lost > 0 { diagnostics.append(.padMasksEOS(padID, occurrences: lost, example: index, collator: collator)) }
        }
        return diagnostics
    }
}

extension Diagnostic {
    fileprivate static func padMasksEOS(_ padID: Int32, occurrences: Int, example: Int, collator: CollatorContract) -> Diagnostic {
        Diagnostic(.padMasksEOS, message:
            "example \(example): token id \(padID) occurs \(occurrences) time\(occurrences == 1 ? "" : "s") as a real token that would be "
            + "trained, but \(collator.phrase) masks every label equal to pad_token_id \(padID) (usually pad == eos), so the model never "
            + "learns to emit it and generations do not stop. Fix: use a pad token distinct from EOS (add a '<pad>' token or reuse "
            + "unk), or a collator that masks padding by length (flattening, or seq2seq with the examples' own labels).", example: example)
    }
}
