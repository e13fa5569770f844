import Collate
import CollateTesting
import Testing

/// The `tensors` requirement: a batch no model can read (NaN, float ids, mismatched batch
/// dimensions, rank-3 ids) fails the conformance suite with a message naming the tensor — the
/// same check the `collate` commands run on every batch.
@Suite("Conformance suite detects malformed tensors")
struct MalformedTensorDetectionTests {
    static let lm = LanguageModelingCollator(padTokenID: 0)

    @Test func aNaNFloatTensor() {
        let collator = Tampered(base: Self.lm, editContract: { $0.producedFields.append("weight") }) { examples, batch in
            batch["weight"] = Tensor(shape: [examples.count], floats: [Float.nan] + Array(repeating: 1, count: examples.count - 1))
        }
        let violations = CollatorConformance.violations(of: collator)
        #expect(Set(violations.map(\.requirement)) == [.tensors])
        #expect(violations.first?.description == "[tensors] sample 0: 'weight' holds nan at [0]; every float a model reads must be finite")
    }

    @Test func labelsWithARowTooMany() {
        let collator = Tampered(base: Self.lm, edit: { _, batch in
            guard let labels = batch["labels"] else { return }
            batch["labels"] = Tensor(shape: [labels.shape[0] + 1, labels.shape[1]], scalars: labels.scalars + Array(repeating: ignoreIndex, count: labels.shape[1]))
        })
        let violations = CollatorConformance.violations(of: collator)
        #expect(violations.contains { $0.description == "[tensors] sample 0: 'labels' has shape [4, 7] but input_ids has [3, 7]; labels need one row (or one class label) per input_ids row" })
    }

    @Test func multipleChoiceIdsOfRankThree() {
        let collator = Tampered(base: Self.lm, edit: { _, batch in
            guard let ids = batch["input_ids"] else { return }
            batch["input_ids"] = Tensor(shape: [ids.shape[0], 1, ids.shape[1]], scalars: ids.scalars)
        })
        let violations = CollatorConformance.violations(of: collator)
        #expect(violations.contains { $0.requirement == ConformanceViolation.Requirement.tensors && $0.message.hasPrefix("'input_ids' has shape [3, 1, 7] but a padded batch's input_ids is [rows, L]") && $0.message.contains("rowsPerExample: C") })
    }
}
