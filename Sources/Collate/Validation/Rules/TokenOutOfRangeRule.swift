/// `token-out-of-range`: a token id is negative or not below the backend's vocabulary size
/// (labels too, except the ignore index, when the backend's kind labels with token ids: a
/// tagger's or a classifier's labels are class ids, not vocabulary ids).
public struct TokenOutOfRangeRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .tokenOutOfRange }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        let vocabSize = context.backend.vocabSize
        var diagnostics: [Diagnostic] = []
        for (index, example) in context.examples.enumerated() {
            if let inputs = example.sequence("input_ids"),
               let finding = Self.firstOutOfRange(inputs, vocabSize: vocabSize, isIgnored: { _ in false }) {
                diagnostics.append(.tokenOutOfRange(field: "input_ids", finding, vocabSize: vocabSize, example: index))
            }
            if context.collator.usesExampleLabels, context.backend.kind.labelsAreTokenIDs, let labels = example.labels,
               let finding = Self.firstOutOfRange(labels, vocabSize: vocabSize, isIgnored: { !context.isTrainable($0) }) {
                diagnostics.append(.tokenOutOfRange(field: "labels", finding, vocabSize: vocabSize, example: index))
            }
        }
        return diagnostics
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        guard let inputs = batch["input_ids"],
              let finding = Self.firstOutOfRange(inputs.scalars, vocabSize: context.backend.vocabSize, isIgnored: { _ in false }) else { return [] }
        return [.batchTokenOutOfRange(finding, vocabSize: context.backend.vocabSize, batch: context.batchPhrase)]
    }

    /// The first offending position and value, and how many ids are out of range.
    static func firstOutOfRange(_ ids: [Int32], vocabSize: Int?, isIgnored: (Int32) -> Bool) -> (position: Int, value: Int32, count: Int)? {
        var first: (Int, Int32)?
        var count = 0
        for (position, id) in ids.enumerated() where !isIgnored(id) && (id < 0 || vocabSize.map { Int(id) >= $0 } ?? false) {
            if first == nil { first = (position, id) }
            count += 1
        }
        return first.map { ($0.0, $0.1, count) }
    }
}

extension Diagnostic {
    fileprivate static func tokenOutOfRange(field: String, _ finding: (position: Int, value: Int32, count: Int), vocabSize: Int?, example: Int) -> Diagnostic {
        let range = vocabSize.map { "the vocabulary 0..<\($0)" } ?? "the valid ids (ids are never negative)"
        let fix = finding.value < 0
            ? (field == "labels" ? "use -100 (the ignore index) for untrained positions, never other negative values" : "negative ids are never valid (-100 belongs in labels, not input_ids); re-tokenize the text")
            : "re-tokenize with the model's own tokenizer, or resize the model's embeddings after adding tokens (model.resize_token_embeddings(len(tokenizer)))"
        return Diagnostic(.tokenOutOfRange, message:
            "example \(example): \(field)[\(finding.position)] = \(finding.value) is outside \(range) (\(finding.count) id\(finding.count == 1 ? "" : "s") "
            + "out of range in this field): the embedding lookup or the cross-entropy fails at the first step (a CUDA device-side "
            + "assert or an index error). Fix: \(fix).", example: example)
    }

    fileprivate static func batchTokenOutOfRange(_ finding: (position: Int, value: Int32, count: Int), vocabSize: Int?, batch: String) -> Diagnostic {
        let range = vocabSize.map { "the vocabulary 0..<\($0)" } ?? "the valid ids"
        return Diagnostic(.tokenOutOfRange, message:
            "\(batch): input_ids holds \(finding.value) at flat position \(finding.position), outside \(range) (\(finding.count) such ids) — "
            + "usually a pad_token_id added to the tokenizer but not to the model: the embedding lookup fails at this step. "
            + "Fix: pick a pad id inside the vocabulary, or resize the model's embeddings.")
    }
}
