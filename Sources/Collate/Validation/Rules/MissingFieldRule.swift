/// `missing-field`: the collator needs a field that an example lacks or holds as null (e.g.
/// seq2seq without `labels`), or the backend needs an input the collator never produces.
///
/// When not one example has the `labels` a collator takes from the examples, the cause is one
/// finding — `missing-labels` — not a `missing-field` per example as well. A field the contract
/// declares a kind for (``CollatorContract/fieldKinds``) that holds another kind (a sequence
/// where one integer is needed, a mask of another length than `input_ids`) is reported too:
/// the collator would reject it.
public struct MissingFieldRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .missingField }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // When no example has labels at all, missing-labels reports the one cause once.
        let skipLabels = context.labelsMissingEverywhere
        for (index, example) in context.examples.enumerated() {
            for field in context.collator.requiredFields where !example.has(field) && !(skipLabels && field == "labels") {
                diagnostics.append(.exampleLacksField(field, isNull: example[field] == .null, example: index, collator: context.collator))
            }
            for (field, kind) in context.collator.fieldKinds.sorted(by: { $0.key < $1.key }) {
                guard let value = example[field], value != .null else { continue }
                if !kind.accepts(value) {
                    diagnostics.append(.fieldOfWrongKind(field, kind: kind, found: value, example: index, collator: context.collator))
                } else if kind == .alignedTokens || kind == .alignedMask, case .sequence(let values) = value, values.count != example.inputIDs.count {
                    diagnostics.append(.fieldOfWrongKind(field, kind: kind, found: value, example: index, collator: context.collator))
                }
            }
        }
        for input in context.backend.requiredInputs where input != "labels" && !context.collator.producedFields.contains(input) {
            let passedThrough = context.collator.optionalFields.contains(input) && !context.examples.isEmpty
                && context.examples.allSatisfy { $0.has(input) }
            if !passedThrough { diagnostics.append(.collatorLacksInput(input, collator: context.collator)) }
        }
        return diagnostics
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        context.backend.requiredInputs.filter { $0 != "labels" && !batch.contains($0) }.map {
            .batchLacksInput($0, batch: context.batchPhrase, keys: batch.names)
        }
    }
}

extension Diagnostic {
    fileprivate static func exampleLacksField(_ field: String, isNull: Bool, example: Int, collator: CollatorContract) -> Diagnostic {
        let state = isNull ? "holds null for" : "has no"
        let consequence = field == "labels"
            ? "the batch would get labels=None (or collation fails) and the model returns only logits, so training stops with \"The model did not return a loss\""
            : "collation fails on this example's batch"
        let fix = field == "labels"
            ? "add 'labels' to every example (a copy of input_ids with -100 where nothing is trained), drop the example, or use language-modeling, which makes labels from input_ids"
            : "add '\(field)' to every example, or choose a collator that does not need it"
        return Diagnostic(.missingField, message:
            "example \(example) \(state) '\(field)', which \(collator.phrase) requires: \(consequence). Fix: \(fix).", example: example)
    }

    fileprivate static func fieldOfWrongKind(_ field: String, kind: CollatorContract.FieldKind, found: Example.Value, example: Int, collator: CollatorContract) -> Diagnostic {
        let what = switch found {
        case .sequence(let values): "a sequence of \(values.count)"
        case .scalar(let value): "the integer \(value)"
        case .float(let value): "the number \(value)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
        return Diagnostic(.missingField, message:
            "example \(example) holds \(what) in '\(field)', where \(collator.phrase) needs \(kind): collation fails on this example's batch. "
            + "Fix: write '\(field)' as \(kind) in every example.", example: example)
    }

    fileprivate static func collatorLacksInput(_ input: String, collator: CollatorContract) -> Diagnostic {
        Diagnostic(.missingField, message:
            "the backend requires '\(input)' but \(collator.phrase) produces only \(collator.producedFields.joined(separator: ",")) and not every "
            + "example carries '\(input)': the forward pass would fail or run without it. Fix: add '\(input)' to the examples, "
            + "use a collator that produces it, or drop it from the backend's required inputs.")
    }

    fileprivate static func batchLacksInput(_ input: String, batch: String, keys: [String]) -> Diagnostic {
        Diagnostic(.missingField, message:
            "\(batch) has no '\(input)' (it holds \(keys.joined(separator: ","))), which the backend requires: the forward pass would fail. "
            + "Fix: use a collator (or batch transform) that produces '\(input)'.")
    }
}
