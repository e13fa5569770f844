/// `empty-example`: an example has no tokens.
public struct EmptyExampleRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .emptyExample }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        context.examples.enumerated().compactMap { index, example in
            guard let inputs = example.sequence("input_ids"), inputs.isEmpty else { return nil }
            return .emptyExample(index)
        }
    }
}

extension Diagnostic {
    fileprivate static func emptyExample(_ example: Int) -> Diagnostic {
        Diagnostic(.emptyExample, message:
            "example \(example) has an empty 'input_ids': it gives the model nothing to predict, a batch of such rows has no "
            + "trainable token (loss NaN), and packing turns it into a zero-length sequence that breaks cu_seq_lens. "
            + "Fix: filter empty examples out before collation (e.g. keep only len(input_ids) > 0).", example: example)
    }
}
