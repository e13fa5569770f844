/// `missing-labels`: the backend requires `labels` and neither the examples nor the collator
/// provide them — the seed failure, which HF reports only inside the first training step as
/// "The model did not return a loss from the inputs, only the following keys: logits".
public struct MissingLabelsRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .missingLabels }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.backend.requiresLabels else { return [] }
        let collator = context.collator
        switch collator.labelSource {
        case .none:
            return [.collatorMakesNoLabels(collator)]
        case .sequenceClassLabels:
            return [.collatorMakesNoTokenLabels(collator)]
        case .examples:
            guard !context.examples.isEmpty, !context.examples.contains(where: { $0.has("labels") }) else { return [] }
            return [.datasetHasNoLabels(collator, count: context.examples.count)]
        case .copyOfInputIDs, .completionOfInputIDs, .examplesOrInputIDs, .maskedTokens, .responsesOfPreferencePairs:
            return []
        }
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        guard context.backend.requiresLabels else { return [] }
        guard let labels = batch["labels"] else {
            return [.batchHasNoLabels(context.batchPhrase, keys: batch.names)]
        }
        guard let inputs = batch["input_ids"] else { return [] }
        // A causal LM (shifting) needs labels aligned with input_ids; an encoder-decoder's
        // labels are decoder targets, padded to their own width (ragged-labels knows this).
        let aligned = context.backend.shiftsLabels
            ? labels.shape == inputs.shape
            : labels.rank == inputs.rank && labels.shape.first == inputs.shape.first
        if !aligned {
            return [.batchLabelsNotTokenLabels(context.batchPhrase, shape: labels.shape, inputShape: inputs.shape)]
        }
        return []
    }
}

extension Diagnostic {
    fileprivate static func collatorMakesNoLabels(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(collator.phrase) produces no 'labels' but the backend requires them: every batch reaches the model as "
            + "\(collator.producedFields.joined(separator: ",")) only, so the model returns only logits and the first "
            + "training step fails (\"The model did not return a loss from the inputs\"). "
            + "Fix: use the language-modeling collator (labels = input_ids with padding masked), completion-only to train on responses, "
            + "or seq2seq with examples that carry their own 'labels'.")
    }

    fileprivate static func collatorMakesNoTokenLabels(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(collator.phrase) pads input_ids and attention_mask but makes no token labels (it only passes per-example class "
            + "'label'/'label_ids' through, as shape [B]), while the backend requires token 'labels': a causal LM gets no labels, "
            + "returns only logits, and the first step fails with \"The model did not return a loss from the inputs, only the following "
            + "keys: logits\". Fix: use language-modeling (labels = input_ids, padding masked), or completion-only / seq2seq with labels.")
    }

    fileprivate static func datasetHasNoLabels(_ collator: CollatorContract, count: Int) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(collator.phrase) takes labels from the examples (DataCollatorForSeq2Seq-style), but none of the \(count) examples has "
            + "'labels': labels would be null and the model returns only logits, so the first step fails with \"The model did not "
            + "return a loss\". Fix: use language-modeling, or add labels to every example (a copy of input_ids with -100 on prompt tokens).")
    }

    fileprivate static func batchHasNoLabels(_ batch: String, keys: [String]) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(batch) has no 'labels' (it holds \(keys.joined(separator: ","))) although the backend requires them: the model would "
            + "return only logits and training stops at this batch. The collator's contract promised labels, or a batch transform removed "
            + "them. Fix: check the collator (or transform) that built this batch, or use the language-modeling collator.")
    }

    fileprivate static func batchLabelsNotTokenLabels(_ batch: String, shape: [Int], inputShape: [Int]) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(batch) has 'labels' of shape \(shape) but input_ids of shape \(inputShape): these are not token labels (class labels?), "
            + "so a causal LM cannot compute its shifted cross-entropy. Fix: give token labels aligned with input_ids (language-modeling "
            + "collator, or examples' own 'labels' with seq2seq).")
    }
}
