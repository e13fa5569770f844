/// `no-trainable-tokens`: an example (or a whole batch) has no label other than the ignore index.
///
/// Before any batch exists the rule computes, from the collator's contract, the labels the
/// collator would produce for each example (for a completion collator, TRL's template masking;
/// for ``CollatorContract/LabelSource/maskedInputIDs(_:)``, the collator's own ``LabelRule``).
/// On a produced batch it counts the labels themselves.
public struct NoTrainableTokensRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .noTrainableTokens }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        // A sequence classifier trains on its class labels, not on token labels.
        guard !context.backend.kind.takesClassLabels else { return [] }
        var diagnostics: [Diagnostic] = []
        for (index, labels) in context.prospectiveLabels.enumerated() {
            guard let labels, !labels.isEmpty, !labels.contains(where: context.isTrainable) else { continue }
            diagnostics.append(.noTrainableTokens(example: index, count: labels.count, collator: context.collator))
        }
        return diagnostics
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        guard !context.backend.kind.takesClassLabels, let labels = batch["labels"], labels.rank >= 1, let inputs = batch["input_ids"], labels.shape == inputs.shape else { return [] }
        let ignored: Set<Int32> = [context.backend.ignoreIndex, context.collator.ignoreIndex]
        let trainable = labels.scalars.contains { !ignored.contains($0) }
        return trainable ? [] : [.batchHasNoTrainableTokens(context.batchPhrase, count: labels.scalars.count, collator: context.collator)]
    }
}

extension Diagnostic {
    fileprivate static func noTrainableTokens(example: Int, count: Int, collator: CollatorContract) -> Diagnostic {
        let cause: String
        let fix: String
        switch collator.labelSource {
        case .completionOfInputIDs:
            cause = "all \(count) labels are -100 after masking by \(collator.phrase) (the response template is missing, or nothing follows it)"
            fix = "make sure every example has a completion after the response template (see template-not-found), or drop the example"
        case .maskedInputIDs(let rule):
            let read = rule.fields.isEmpty ? "" : " (it reads \(rule.fields.map { "'\($0)'" }.joined(separator: ", ")))"
            cause = "all \(count) labels are -100 under the masking rule of \(collator.phrase): \(rule)\(read)"
            fix = "check the example's \(rule.fields.isEmpty ? "fields" : rule.fields.map { "'\($0)'" }.joined(separator: ", ")) against its \(count) tokens (a mask that covers the whole example trains nothing), or drop the example"
        case .copyOfInputIDs:
            cause = "every token equals the pad id \(collator.labelMaskingTokenID.map(String.init) ?? "?"), which \(collator.phrase) masks to -100"
            fix = "drop the example, or use a pad token distinct from real tokens"
        default:
            cause = "all \(count) of its labels are the ignore index"
            fix = "unmask the tokens to train (e.g. the completion) or drop the example"
        }
        return Diagnostic(.noTrainableTokens, message:
            "example \(example) has no trainable token: \(cause). It adds nothing to the loss, and a batch made only of such rows "
            + "gives loss NaN (0/0) or silently trains nothing. Fix: \(fix).", example: example)
    }

    fileprivate static func batchHasNoTrainableTokens(_ batch: String, count: Int, collator: CollatorContract) -> Diagnostic {
        let hint = switch collator.labelSource {
        case .completionOfInputIDs: " (a completion template that never matches masks every row)"
        case .maskedInputIDs(let rule): " (\(collator.phrase) masks by its rule: \(rule))"
        default: ""
        }
        return Diagnostic(.noTrainableTokens, message:
            "\(batch) has no trainable token: all \(count) labels are the ignore index, so its loss is NaN (0/0) or zero with no "
            + "gradient, and HF trains nothing at this step without a warning. Fix: check the collator's masking and the examples' "
            + "labels\(hint).")
    }
}
