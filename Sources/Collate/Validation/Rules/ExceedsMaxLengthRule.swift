/// `exceeds-max-length`: a sequence is longer than the backend's maximum, or than the
/// `max_length` a `padding: "max_length"` collator pads to, and no truncation is configured
/// (``Validator/Options/truncation``).
public struct ExceedsMaxLengthRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .exceedsMaxLength }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        let limits: [(Int, Limit)] = [
            context.backend.maxLength.map { ($0, .backend) }, context.collator.fixedLength.map { ($0, .padding) },
        ].compactMap { $0 }
        guard !limits.isEmpty else { return [] }
        var diagnostics: [Diagnostic] = []
        for (index, example) in context.examples.enumerated() {
            var inputLength = example.sequence("input_ids")?.count ?? 0
            var length = inputLength
            if context.collator.usesExampleLabels, let labels = example.labels { length = max(length, labels.count) }
            if let truncation = context.options.truncation { (inputLength, length) = (min(inputLength, truncation), min(length, truncation)) }
            // `padding: max_length` applies to input_ids only (HF pads seq2seq labels to their own
            // longest); the backend's maximum applies to labels too. Report the tightest limit
            // exceeded, once per example.
            let exceeded = limits.compactMap { limit, kind -> (length: Int, limit: Int, kind: Limit)? in
                let measured = kind == .padding ? inputLength : length
                return measured > limit ? (measured, limit, kind) : nil
            }
            if let tightest = exceeded.min(by: { $0.limit < $1.limit }) {
                diagnostics.append(.exceedsMaxLength(length: tightest.length, limit: tightest.limit, kind: tightest.kind, example: index, collator: context.collator))
            }
        }
        return diagnostics
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        guard let maxLength = context.backend.maxLength, let inputs = batch["input_ids"], inputs.rank == 2 else { return [] }
        if let positions = batch["position_ids"] {
            let longest = Int(positions.scalars.max() ?? -1) + 1
            return longest > maxLength ? [.batchExceedsMaxLength(context.batchPhrase, length: longest, maxLength: maxLength)] : []
        }
        return inputs.shape[1] > maxLength ? [.batchExceedsMaxLength(context.batchPhrase, length: inputs.shape[1], maxLength: maxLength)] : []
    }

    /// Which limit a sequence exceeds.
    enum Limit { case backend, padding }
}

extension Diagnostic {
    fileprivate static func exceedsMaxLength(length: Int, limit: Int, kind: ExceedsMaxLengthRule.Limit, example: Int, collator: CollatorContract) -> Diagnostic {
        switch kind {
        case .backend:
            Diagnostic(.exceedsMaxLength, message:
                "example \(example) has \(length) tokens, more than the backend's maximum length \(limit) (max_position_embeddings), and no "
                + "truncation is configured: positions past \(limit) have no embedding (index error) or silently degrade. Fix: truncate "
                + "examples to \(limit) tokens (truncate input_ids and labels together), split long documents, or raise the model's maximum.",
                example: example)
        case .padding:
            Diagnostic(.exceedsMaxLength, message:
                "example \(example) has \(length) tokens, more than max_length \(limit) that \(collator.phrase) pads every row to "
                + "(padding=\"max_length\"), and no truncation is configured: HF cannot stack that batch (\"Unable to create tensor\"). "
                + "Fix: truncate examples to \(limit) tokens, raise max_length, or use padding=\"longest\".", example: example)
        }
    }

    fileprivate static func batchExceedsMaxLength(_ batch: String, length: Int, maxLength: Int) -> Diagnostic {
        Diagnostic(.exceedsMaxLength, message:
            "\(batch) has sequences of \(length) positions, more than the backend's maximum length \(maxLength): the forward pass fails "
            + "or degrades. Fix: truncate the examples, or lower pad_to_multiple_of / max_length so rows fit.")
    }
}
