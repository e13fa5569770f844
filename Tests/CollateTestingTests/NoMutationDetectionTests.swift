import Collate
import CollateTesting
import Testing

/// Writes the pad id over the first token of every example's `input_ids`, through the storage
/// the caller's arrays share — the only way a collator can change the examples it is given.
struct ScribblingCollator: Collator {
    var contract: CollatorContract { LanguageModelingCollator(padTokenID: 0).contract }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        let batch = try LanguageModelingCollator(padTokenID: 0).collate(examples)
        for example in examples {
            example.sequence("input_ids")?.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
                UnsafeMutablePointer(mutating: base).pointee = 0
            }
        }
        return batch
    }
}

/// `.noMutation` compared the examples with a plain copy, which shares their storage, so it
/// could never fire; it now compares with a deep copy.
@Suite("Conformance: the no-mutation check can fail")
struct NoMutationDetectionTests {
    @Test func aCollatorThatWritesIntoTheExamplesIsCaught() {
        let violations = CollatorConformance.violations(of: ScribblingCollator())
        #expect(violations.contains { $0.requirement == .noMutation }, "\(violations)")
    }

    @Test func anHonestCollatorIsNot() {
        #expect(!CollatorConformance.violations(of: LanguageModelingCollator(padTokenID: 0)).contains { $0.requirement == .noMutation })
    }
}
