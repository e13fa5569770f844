/// `labels-overwritten`: examples carry their own `labels` (e.g. masked prompts) and the
/// collator would replace them with labels made from `input_ids`.
public struct LabelsOverwrittenRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .labelsOverwritten }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.collator.replacesExampleLabels else { return [] }
        return context.examples.enumerated().compactMap { index, example in
            guard let labels = example.labels, labels != example.inputIDs else { return nil }
            let masked = labels.filter { !context.isTrainable($0) }.count
            return .labelsOverwritten(example: index, masked: masked, total: labels.count, collator: context.collator)
        }
    }
}

extension Diagnostic {
    fileprivate static func labelsOverwritten(example: Int, masked: Int, total: Int, collator: CollatorContract) -> Diagnostic {
        let made = switch collator.labelSource {
        case .completionOfInputIDs: "labels made from input_ids by searching a response template"
        case .maskedTokens: "the ids of randomly masked tokens (-100 elsewhere)"
        case .maskedInputIDs(let rule): "a copy of input_ids masked by its own rule (\(rule))"
        case .generatedTargets: "targets it generates itself"
        default: "a copy of input_ids"
        }
        return Diagnostic(.labelsOverwritten, message:
            "example \(example) carries its own 'labels' (\(masked) of \(total) positions masked) but \(collator.phrase) replaces them with "
            + "\(made): the masking in the data is silently lost and the model trains on tokens it should not (e.g. prompts). "
            + "Fix: use a collator that keeps the examples' labels (seq2seq pads them with -100; flattening for padding-free), "
            + "or drop 'labels' from the data if training on every token is intended.", example: example)
    }
}
