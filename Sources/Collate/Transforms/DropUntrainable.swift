/// Drops examples whose `labels` train nothing: every label after the first is the ignore
/// index.
///
/// The first label never counts, because the model predicts token *t* from the tokens before
/// it (the causal shift), so nothing predicts position 0 — the same rule as
/// ``NumItemsInBatch``. Examples without `labels` are kept: their collator copies `input_ids`.
///
/// Spec type `drop-untrainable`; key `ignore_index` (default -100).
public struct DropUntrainable: ExampleTransform, Hashable {
    /// The label value that is not trained.
    public var ignoreIndex: Int32

    /// Creates the transform.
    public init(ignoreIndex: Int32 = Collate.ignoreIndex) {
        self.ignoreIndex = ignoreIndex
    }

    public var name: String { "drop-untrainable" }

    public var description: String {
        ignoreIndex == Collate.ignoreIndex ? "drop-untrainable" : "drop-untrainable(ignore_index: \(ignoreIndex))"
    }

    /// - Complexity: O(*L*) in the number of labels.
    public func apply(to example: inout Example, index: Int) -> ExampleTransformOutcome {
        guard let labels = example.labels else { return .unchanged }
        return labels.dropFirst().contains { $0 != ignoreIndex } ? .unchanged : .dropped
    }
}
