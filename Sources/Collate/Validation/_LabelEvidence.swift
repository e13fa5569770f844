/// What the examples carry as labels, read once by the label rules.
extension ValidationContext {
    /// The per-example class-label field the examples carry as one integer each (`label`,
    /// `label_ids`, or a scalar `labels`), or `nil` when none does.
    /// - Complexity: O(*n*) in the number of examples.
    var classLabelField: String? {
        for name in ["label", "label_ids", "labels"] where examples.contains(where: { $0.scalar(name) != nil }) {
            return name
        }
        return nil
    }

    /// Whether any example carries token labels (`labels` as a sequence).
    /// - Complexity: O(*n*) in the number of examples.
    var someExampleHasTokenLabels: Bool { examples.contains { $0.labels != nil } }

    /// Whether the collator takes `labels` from the examples and not one example has them: the
    /// dataset-level `missing-labels` finding, which the per-example `missing-field` findings
    /// for `labels` would only repeat.
    var labelsMissingEverywhere: Bool {
        backend.requiresLabels && collator.labelSource == .examples && !examples.isEmpty
            && !examples.contains { $0.has("labels") }
    }

    /// Whether the collator passes the examples' token `labels` through without padding them
    /// (`DataCollatorWithPadding`: `tokenizer.pad` pads only `input_ids`, `attention_mask`,
    /// `token_type_ids` and `special_tokens_mask`).
    var collatorPassesTokenLabelsUnpadded: Bool {
        collator.labelSource == .sequenceClassLabels && someExampleHasTokenLabels
    }
}

extension CollatorContract {
    /// Whether the collator makes the pairs a preference trainer needs: chosen and rejected
    /// responses (as separate fields, or as two rows per example with labels or a completion mask).
    var makesPreferencePairs: Bool {
        labelSource == .responsesOfPreferencePairs || producedFields.contains("chosen_input_ids")
            || (rowsPerExample == 2 && producedFields.contains("completion_mask"))
    }

    /// Whether the collator makes token labels (one per position) for every example it is given.
    var makesTokenLabels: Bool {
        switch labelSource {
        case .copyOfInputIDs, .completionOfInputIDs, .examples, .examplesOrInputIDs, .maskedTokens, .responsesOfPreferencePairs, .maskedInputIDs,
             .generatedTargets: true
        case .none, .sequenceClassLabels: false
        }
    }
}
