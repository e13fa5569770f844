/// The `labels` row a collator would produce for one example, computed from its contract
/// without building a batch (unpadded: padding positions are the ignore index anyway).
enum _ProspectiveLabels {
    /// The labels the collator would make for `example`, or `nil` when it makes no token labels for it.
    /// - Parameter maskingByID: Whether to apply the contract's masking by token id (pad id);
    ///   `false` shows what would be trained without it.
    /// - Complexity: O(*L*), or O(*L* × *T*) worst case for a completion template of length *T*.
    static func labels(of example: Example, contract: CollatorContract, maskingByID: Bool = true) -> [Int32]? {
        switch contract.labelSource {
        case .none, .sequenceClassLabels:
            return nil
        case .examples:
            return example.labels
        case .examplesOrInputIDs:
            guard var labels = example.labels ?? example.sequence("input_ids") else { return nil }
            // DataCollatorWithFlattening writes separator_id (-100) over each sequence's first label.
            if contract.layout == .paddingFree, !labels.isEmpty { labels[0] = contract.ignoreIndex }
            return labels
        case .copyOfInputIDs:
            guard let inputs = example.sequence("input_ids") else { return nil }
            return masked(inputs, contract: contract, maskingByID: maskingByID)
        case .completionOfInputIDs:
            guard let inputs = example.sequence("input_ids") else { return nil }
            var labels = masked(inputs, contract: contract, maskingByID: maskingByID)
            _TemplateSearch.maskCompletion(&labels, templates: contract.requiredTemplates, ignoreIndex: contract.ignoreIndex)
            if contract.layout == .paddingFree, !labels.isEmpty { labels[0] = contract.ignoreIndex }
            return labels
        case .maskedInputIDs(let rule):
            guard example.sequence("input_ids") != nil, let ruled = rule.labels(for: example, ignoreIndex: contract.ignoreIndex) else { return nil }
            // The rule's mask, then the layout's masking by id (a collator may do both).
            guard maskingByID, let maskID = contract.labelMaskingTokenID else { return ruled }
            return zip(ruled, example.inputIDs).map { $1 == maskID ? contract.ignoreIndex : $0 }
        case .maskedTokens, .generatedTargets:
            // Which tokens are masked is random, and generated targets are not aligned with the
            // example: nothing can be said of one example ahead of time.
            return nil
        case .responsesOfPreferencePairs:
            // The chosen row's labels then the rejected row's: the prompt masked, each completion trained.
            guard contract.requiredFields.count == 3,
                  let prompt = example.sequence(contract.requiredFields[0]),
                  let chosen = example.sequence(contract.requiredFields[1]),
                  let rejected = example.sequence(contract.requiredFields[2]) else { return nil }
            let masked = [Int32](repeating: contract.ignoreIndex, count: prompt.count)
            return masked + chosen + masked + rejected
        }
    }

    /// `input_ids` with the masked token id (pad id) replaced by the ignore index, as HF's LM collator does.
    static func masked(_ inputs: [Int32], contract: CollatorContract, maskingByID: Bool = true) -> [Int32] {
        guard maskingByID, let maskID = contract.labelMaskingTokenID else { return inputs }
        return inputs.map { $0 == maskID ? contract.ignoreIndex : $0 }
    }
}
