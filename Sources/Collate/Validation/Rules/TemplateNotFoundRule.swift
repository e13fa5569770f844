/// `template-not-found`: a completion collator's response (or instruction) template does not
/// occur in an example, so TRL's `DataCollatorForCompletionOnlyLM` masks the whole row and
/// only warns.
///
/// The search replicates TRL's: it runs over `labels`, in which positions holding the pad id
/// are already the ignore index — a template that contains the pad id (pad == eos) never matches.
public struct TemplateNotFoundRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .templateNotFound }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        let collator = context.collator
        guard collator.labelSource == .completionOfInputIDs, !collator.requiredTemplates.isEmpty else { return [] }
        var diagnostics: [Diagnostic] = []
        for (index, example) in context.examples.enumerated() {
            guard let inputs = example.sequence("input_ids"), !inputs.isEmpty else { continue }
            let searched = _ProspectiveLabels.masked(inputs, contract: collator)
            // An empty response template matches nowhere (the collator masks the row); an empty
            // instruction template is no instruction template.
            for (position, template) in collator.requiredTemplates.enumerated() where position == 0 || !template.isEmpty {
                if _TemplateSearch.occurrences(of: template, in: searched).isEmpty {
                    diagnostics.append(.templateNotFound(
                        template, role: position == 0 ? "response" : "instruction", example: index,
                        maskID: collator.labelMaskingTokenID, collator: collator))
                }
            }
        }
        return diagnostics
    }
}

extension Diagnostic {
    fileprivate static func templateNotFound(_ template: [Int32], role: String, example: Int, maskID: Int32?, collator: CollatorContract) -> Diagnostic {
        var why = ""
        if let maskID, template.contains(maskID) {
            why = " The template contains the pad id \(maskID), which is masked to -100 before the search, so it can never match."
        } else if let maskID {
            why = " (Searched in labels, where pad id \(maskID) positions are already -100, as TRL does.)"
        }
        return Diagnostic(.templateNotFound, message:
            "example \(example): the \(role) template \(template) does not occur in its tokens, so \(collator.phrase) masks the whole "
            + "row to -100 and only warns: the example trains nothing (a batch of such rows gives loss NaN or no gradient).\(why) "
            + "Fix: tokenize the template in context — a template tokenized alone often differs from the same text inside a "
            + "conversation (e.g. take the ids of \"\\n### Response:\" and drop the leading ones) — or render with a chat format and "
            + "use exact assistant masks.", example: example)
    }
}
