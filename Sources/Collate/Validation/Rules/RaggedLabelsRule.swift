/// `ragged-labels`: an example's `labels` length differs from its `input_ids` length where
/// the collator or the backend needs them aligned token for token.
///
/// Alignment is needed when the collator concatenates sequences (flattening), pads labels to
/// the inputs' width (token-classification), passes token labels through unpadded (the padding
/// collator: HF's `tokenizer.pad` leaves `labels` as they are), or the backend's kind aligns
/// labels with its inputs (``BackendContract/ModelKind/alignsLabels``: a causal LM shifts
/// them by one itself, a tagger and a masked LM label each input token) and it trains. A seq2seq
/// collator feeding an encoder-decoder (`seq2seq-lm`) may have targets of any length.
///
/// Under the padding collator, token labels that differ in length between examples are
/// reported too: that collator does not pad them, so the batch cannot be stacked.
public struct RaggedLabelsRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .raggedLabels }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        let collator = context.collator
        let unpadded = context.collatorPassesTokenLabelsUnpadded
        guard collator.usesExampleLabels || unpadded else { return [] }
        let reason: Reason
        if collator.layout == .paddingFree || collator.labelSource == .examplesOrInputIDs {
            reason = .concatenated
        } else if collator.name == "token-classification" {
            reason = .tagged
        } else if unpadded {
            reason = .unpadded
        } else if context.backend.requiresLabels && context.backend.alignsLabels {
            reason = .model(context.backend.kind)
        } else {
            return []
        }
        var diagnostics: [Diagnostic] = context.examples.enumerated().compactMap { index, example in
            guard let labels = example.labels, let inputs = example.sequence("input_ids"), labels.count != inputs.count else { return nil }
            return .raggedLabels(example: index, labels: labels.count, inputs: inputs.count, collator: collator, reason: reason)
        }
        if unpadded, diagnostics.isEmpty {
            let lengths = context.examples.enumerated().compactMap { index, example in example.labels.map { (index, $0.count) } }
            if let first = lengths.first, let other = lengths.first(where: { $0.1 != first.1 }) {
                diagnostics.append(.unpaddedLabelsDiffer(first: first, other: other, collator: collator))
            }
        }
        return diagnostics
    }

    /// Why labels must be aligned, for the message.
    enum Reason {
        case concatenated, tagged, unpadded
        case model(BackendContract.ModelKind)
    }
}

extension Diagnostic {
    fileprivate static func raggedLabels(example: Int, labels: Int, inputs: Int, collator: CollatorContract, reason: RaggedLabelsRule.Reason) -> Diagnostic {
        let why = switch reason {
        case .concatenated:
            "\(collator.phrase) concatenates input_ids and labels side by side, so every label after the mismatch lands on the wrong token"
        case .tagged:
            "\(collator.phrase) pads labels to the width of input_ids and pairs label t with token t, so the tags slide off their tokens or the batch cannot be built"
        case .unpadded:
            "\(collator.phrase) passes token labels through as they are (HF's tokenizer.pad pads only input_ids and the masks), so "
                + "they no longer line up with the padded input_ids and the batch cannot be stacked"
        case .model(let kind):
            "\(collator.phrase) pads labels on their own, and the backend, \(kind.phrase), pairs label t with token t"
                + (kind.shiftsLabels ? " (it shifts them itself)" : "")
                + ", so every target after the mismatch trains the wrong token, or the batch cannot be built"
        }
        let also: String
        if case .model = reason { also = "; if the model is an encoder-decoder whose labels are decoder targets, pass --model-kind seq2seq-lm" } else { also = "" }
        return Diagnostic(.raggedLabels, message:
            "example \(example): 'labels' has \(labels) tokens but 'input_ids' has \(inputs); \(why). Fix: make labels exactly as "
            + "long as input_ids, with -100 where nothing is trained (do not shift or trim them; truncate input_ids and labels "
            + "together)\(also).", example: example)
    }

    fileprivate static func unpaddedLabelsDiffer(first: (Int, Int), other: (Int, Int), collator: CollatorContract) -> Diagnostic {
        Diagnostic(.raggedLabels, message:
            "example \(other.0): 'labels' has \(other.1) tokens while example \(first.0)'s has \(first.1), and \(collator.phrase) "
            + "does not pad labels (HF's tokenizer.pad pads only input_ids and the masks): a batch holding both cannot be stacked "
            + "(\"Unable to create tensor ... features (`labels`) have excessive nesting\"). Fix: use the seq2seq or token-classification "
            + "collator, which pad labels with -100, or language-modeling to make labels from input_ids.", example: other.0)
    }
}
