/// `missing-labels`: the backend requires `labels` and neither the examples nor the collator
/// provide the labels its kind needs — the seed failure, which HF reports only inside the first
/// training step as "The model did not return a loss from the inputs, only the following keys: logits".
///
/// The rule reads the backend's ``BackendContract/kind``: a causal LM (and a seq2seq, token-
/// classification or masked LM) needs token labels, so per-example class labels (`label` →
/// `labels` of shape [B]) are missing labels for it; a sequence classifier needs exactly those;
/// a preference trainer needs chosen and rejected responses.
public struct MissingLabelsRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .missingLabels }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.backend.requiresLabels else { return [] }
        let collator = context.collator
        let kind = context.backend.kind
        switch kind {
        case .preference:
            return collator.makesPreferencePairs ? [] : [.noPreferencePairs(collator)]
        case .sequenceClassification:
            if collator.labelSource == .sequenceClassLabels {
                if context.classLabelField != nil { return [] }
                return [.noClassLabels(collator, tokenLabels: context.someExampleHasTokenLabels, count: context.examples.count)]
            }
            return collator.makesTokenLabels ? [.tokenLabelsForClassifier(collator)] : [.collatorMakesNoLabels(collator, kind: kind)]
        case .causalLM, .seq2seqLM, .tokenClassification, .maskedLM:
            switch collator.labelSource {
            case .none:
                return [.collatorMakesNoLabels(collator, kind: kind)]
            case .sequenceClassLabels:
                // The examples' own token labels pass through (ragged-labels checks them).
                if context.someExampleHasTokenLabels { return [] }
                if let field = context.classLabelField { return [.classLabelsForTokenModel(collator, field: field, kind: kind)] }
                return [.collatorMakesNoTokenLabels(collator, kind: kind)]
            case .examples:
                guard context.labelsMissingEverywhere else { return [] }
                return [.datasetHasNoLabels(collator, count: context.examples.count, kind: kind)]
            case .copyOfInputIDs, .completionOfInputIDs, .examplesOrInputIDs, .maskedTokens, .responsesOfPreferencePairs, .maskedInputIDs,
                 .generatedTargets:
                return []   // generated targets of their own width: the batch check below names a causal LM's shape mismatch
            }
        }
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        guard context.backend.requiresLabels else { return [] }
        let kind = context.backend.kind
        guard let labels = batch["labels"] else {
            if kind == .preference, batch.contains("completion_mask") || batch.contains("chosen_input_ids") { return [] }
            return [.batchHasNoLabels(context.batchPhrase, keys: batch.names)]
        }
        guard let inputs = batch["input_ids"] else { return [] }
        let fits: Bool
        if kind.takesClassLabels {
            fits = labels.rank == 1 && labels.shape.first == inputs.shape.first
        } else if context.backend.alignsLabels {
            fits = labels.shape == inputs.shape
        } else {
            // An encoder-decoder's labels are decoder targets, padded to their own width.
            fits = labels.rank == inputs.rank && labels.shape.first == inputs.shape.first
        }
        return fits ? [] : [.batchLabelsWrongShape(context.batchPhrase, shape: labels.shape, inputShape: inputs.shape, kind: kind, collator: context.collator)]
    }
}

extension Diagnostic {
    fileprivate static func collatorMakesNoLabels(_ collator: CollatorContract, kind: BackendContract.ModelKind) -> Diagnostic {
        if collator.producedFields.contains("labels") {
            // The contract contradicts itself: a third-party collator that found no label source fitting what it makes.
            return Diagnostic(.missingLabels, message:
                "\(collator.phrase) lists 'labels' in its contract's producedFields but declares labelSource .none, so nothing can tell "
                + "what its labels hold and the backend (\(kind.phrase), being trained) is treated as getting none. Fix: declare where "
                + "the labels come from in the collator's contract — .generatedTargets for targets it makes itself (span corruption), "
                + ".maskedInputIDs(rule) for input_ids masked per example, .examples for the examples' own labels.")
        }
        let fix = kind.takesClassLabels
            ? "use the padding collator with a per-example class 'label' in every example"
            : "use the language-modeling collator (labels = input_ids with padding masked), completion-only to train on responses, "
                + "or seq2seq with examples that carry their own 'labels'"
        return Diagnostic(.missingLabels, message:
            "\(collator.phrase) produces no 'labels' but the backend (\(kind.phrase), being trained) requires them: every batch "
            + "reaches the model as \(collator.producedFields.joined(separator: ",")) only, so the model returns only logits and the "
            + "first training step fails (\"The model did not return a loss from the inputs\"). Fix: \(fix).")
    }

    fileprivate static func collatorMakesNoTokenLabels(_ collator: CollatorContract, kind: BackendContract.ModelKind) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(collator.phrase) pads input_ids and attention_mask but makes no token labels, and the examples carry none (no "
            + "'labels', no class 'label'), while the backend (\(kind.phrase), being trained) requires token 'labels': the model "
            + "returns only logits and the first step fails with \"The model did not return a loss from the inputs, only the "
            + "following keys: logits\". Fix: " + (kind == .tokenClassification
                ? tokenLabelsFix(kind) : "use language-modeling (labels = input_ids, padding masked), or completion-only / seq2seq with labels")
            + "; or pass --requires none if this backend only runs inference.")
    }

    fileprivate static func classLabelsForTokenModel(_ collator: CollatorContract, field: String, kind: BackendContract.ModelKind) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "the examples carry per-example class labels ('\(field)', one integer each), which \(collator.phrase) passes on as "
            + "'labels' of shape [B]: that is right for a sequence-classification model, but the backend is \(kind.phrase), which "
            + "needs token labels, one per input token ([B, L]); it cannot compute its loss from class labels, so training fails "
            + "at the first step (or, for a causal LM, \"The model did not return a loss\"). Fix: if the model classifies whole "
            + "sequences, say so (--model-kind sequence-classification); to train \(kind.phrase), use the language-modeling "
            + "collator (labels = input_ids) or give token labels with seq2seq.")
    }

    fileprivate static func noClassLabels(_ collator: CollatorContract, tokenLabels: Bool, count: Int) -> Diagnostic {
        let found = tokenLabels
            ? "the examples carry token 'labels' (one per token) instead, which a classifier cannot use"
            : "none of the \(count) examples has one"
        return Diagnostic(.missingLabels, message:
            "the backend is a sequence-classification model being trained, which needs one class label per example ('label' or "
            + "'label_ids', passed on by \(collator.phrase) as 'labels' of shape [B]), but \(found): the model returns no loss. "
            + "Fix: add an integer 'label' to every example, or describe the model you train (--model-kind causal-lm for token labels).")
    }

    fileprivate static func tokenLabelsForClassifier(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(collator.phrase) makes token labels (one per position, shape [B, L]) but the backend is a sequence-classification "
            + "model, which needs one class label per example (shape [B]): its loss fails on the first step (shape mismatch). "
            + "Fix: use the padding collator with an integer 'label' in every example, or describe the model you train "
            + "(--model-kind causal-lm).")
    }

    fileprivate static func noPreferencePairs(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "the backend is a preference trainer (DPO / reward), which needs chosen and rejected responses for every prompt, but "
            + "\(collator.phrase) makes no pairs (it produces \(collator.producedFields.joined(separator: ","))): the trainer "
            + "finds no chosen/rejected inputs and fails before its first step. Fix: use the preference collator on examples with "
            + "prompt / chosen / rejected ids (or the reward collator), or describe the model you train (--model-kind causal-lm).")
    }

    fileprivate static func datasetHasNoLabels(_ collator: CollatorContract, count: Int, kind: BackendContract.ModelKind) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(collator.phrase) takes labels from the examples (DataCollatorForSeq2Seq-style), but none of the \(count) examples has "
            + "'labels': labels would be null and the model returns only logits, so the first step fails with \"The model did not "
            + "return a loss\". Fix: \(tokenLabelsFix(kind)).")
    }

    /// How to give a model of `kind` the token labels it lacks.
    fileprivate static func tokenLabelsFix(_ kind: BackendContract.ModelKind) -> String {
        switch kind {
        case .tokenClassification:
            "add 'labels' to every example, one tag id per token (-100 where no tag is trained), and use the token-classification collator"
        case .seq2seqLM:
            "add 'labels' (the decoder's target ids) to every example"
        default:
            "use language-modeling, or add labels to every example (a copy of input_ids with -100 on prompt tokens)"
        }
    }

    fileprivate static func batchHasNoLabels(_ batch: String, keys: [String]) -> Diagnostic {
        Diagnostic(.missingLabels, message:
            "\(batch) has no 'labels' (it holds \(keys.joined(separator: ","))) although the backend requires them: the model would "
            + "return only logits and training stops at this batch. The collator's contract promised labels, or a batch transform removed "
            + "them. Fix: check the collator (or transform) that built this batch, or use the language-modeling collator.")
    }

    fileprivate static func batchLabelsWrongShape(
        _ batch: String, shape: [Int], inputShape: [Int], kind: BackendContract.ModelKind, collator: CollatorContract
    ) -> Diagnostic {
        let (what, fix) = collator.labelSource == .generatedTargets && !kind.takesClassLabels
            ? ("\(collator.phrase) generates targets of their own length, which an encoder-decoder reads as decoder targets but "
                + "\(kind.phrase) cannot align with its inputs",
               "if the model is an encoder-decoder, say so (--model-kind seq2seq-lm, BackendContract(kind: .seq2seqLM)); otherwise use a collator whose labels are aligned with input_ids")
            : kind.takesClassLabels
            ? ("these are not one class label per example, which a sequence-classification model needs (shape [B])",
               "give every example an integer 'label' and use the padding collator")
            : ("these are not token labels aligned with input_ids (class labels?), so \(kind.phrase) cannot compute its cross-entropy",
               "give token labels aligned with input_ids (language-modeling collator, or examples' own 'labels' with seq2seq)")
        return Diagnostic(.missingLabels, message:
            "\(batch) has 'labels' of shape \(shape) but input_ids of shape \(inputShape): \(what). Fix: \(fix).")
    }
}
