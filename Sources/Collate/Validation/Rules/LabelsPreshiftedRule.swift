/// `labels-preshifted`: an example's `labels` equal its `input_ids` shifted left by one while
/// the backend shifts labels too, so the model learns to predict the token two ahead.
public struct LabelsPreshiftedRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .labelsPreshifted }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.backend.shiftsLabels, context.collator.usesExampleLabels else { return [] }
        return context.examples.enumerated().compactMap { index, example in
            guard let labels = example.labels, let inputs = example.sequence("input_ids"),
                  Self.isPreshifted(labels: labels, inputs: inputs, isTrainable: context.isTrainable) else { return nil }
            return .labelsPreshifted(example: index)
        }
    }

    /// Whether `labels[i] == inputs[i + 1]` on every trained position (at least two of them),
    /// while labels are not simply aligned with `inputs`.
    static func isPreshifted(labels: [Int32], inputs: [Int32], isTrainable: (Int32) -> Bool) -> Bool {
        guard inputs.count >= 3, labels.count == inputs.count || labels.count == inputs.count - 1 else { return false }
        var compared = 0
        var alignedEverywhere = true
        for (position, label) in labels.enumerated() where isTrainable(label) {
            guard position + 1 < inputs.count, label == inputs[position + 1] else { return false }
            if label != inputs[position] { alignedEverywhere = false }
            compared += 1
        }
        return compared >= 2 && !alignedEverywhere
    }
}

extension Diagnostic {
    fileprivate static func labelsPreshifted(example: Int) -> Diagnostic {
        Diagnostic(.labelsPreshifted, message:
            "example \(example): 'labels' equal input_ids shifted left by one, but the backend shifts labels itself (HF causal LMs "
            + "do), so every position would be trained to predict the token two ahead and the loss stays high. Fix: give labels "
            + "aligned with input_ids (labels[i] is the label of input_ids[i]), or use a backend that does not shift.", example: example)
    }
}
