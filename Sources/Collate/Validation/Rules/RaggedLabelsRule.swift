/// `ragged-labels`: an example's `labels` length differs from its `input_ids` length where
/// the collator or the backend needs them aligned token for token.
///
/// Alignment is needed when the collator concatenates sequences (flattening), labels tokens
/// (token-classification), or the backend is a causal LM that trains (it shifts `labels` by
/// one against `input_ids`). A seq2seq collator feeding an encoder-decoder backend (one that
/// does not shift) may have targets of any length.
public struct RaggedLabelsRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .raggedLabels }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        let collator = context.collator
        guard collator.usesExampleLabels else { return [] }
        let needsAlignment = collator.labelSource == .examplesOrInputIDs || collator.layout == .paddingFree
            || collator.name == "token-classification" || (context.backend.shiftsLabels && context.backend.requiresLabels)
        guard needsAlignment else { return [] }
        return context.examples.enumerated().compactMap { index, example in
            guard let labels = example.labels, let inputs = example.sequence("input_ids"), labels.count != inputs.count else { return nil }
            return .raggedLabels(example: index, labels: labels.count, inputs: inputs.count, collator: collator)
        }
    }
}

extension Diagnostic {
    fileprivate static func raggedLabels(example: Int, labels: Int, inputs: Int, collator: CollatorContract) -> Diagnostic {
        Diagnostic(.raggedLabels, message:
            "example \(example): 'labels' has \(labels) tokens but 'input_ids' has \(inputs); \(collator.phrase) and a causal LM pair "
            + "label t with token t (the model shifts them itself), so every target after the mismatch trains the wrong token, or the "
            + "batch cannot be built. Fix: make labels exactly as long as input_ids, with -100 where nothing is trained (do not shift "
            + "or trim them; truncate input_ids and labels together).", example: example)
    }
}
