import Collate
import CollateTesting
import Synchronization
import Testing

/// A built-in collator with its contract or output tampered with, to prove the suite notices.
struct Tampered<Base: Collator>: Collator where Base.Output == Batch {
    var base: Base
    var editContract: @Sendable (inout CollatorContract) -> Void = { _ in }
    var edit: @Sendable ([Example], inout Batch) throws(CollateError) -> Void = { _, _ in }
    var contract: CollatorContract {
        var contract = base.contract
        editContract(&contract)
        return contract
    }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        var batch = try base.collate(examples)
        try edit(examples, &batch)
        return batch
    }
}

/// Drops examples without `input_ids` instead of rejecting them; returns an empty batch for none.
struct LenientCollator: Collator {
    var contract: CollatorContract { LanguageModelingCollator(padTokenID: 0).contract }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        let kept = examples.filter { $0.has("input_ids") }
        return kept.isEmpty ? Batch() : try LanguageModelingCollator(padTokenID: 0).collate(kept)
    }
}

/// Throws a failure of its own, naming no example.
struct OpaqueErrorCollator: Collator {
    var contract: CollatorContract { LanguageModelingCollator(padTokenID: 0).contract }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard examples.allSatisfy({ $0.has("input_ids") }), !examples.isEmpty else {
            throw .collatorFailed(collator: "opaque", example: nil, reason: "failure")
        }
        return try LanguageModelingCollator(padTokenID: 0).collate(examples)
    }
}

/// Tags every batch with a call counter.
final class NondeterministicCollator: Collator, Sendable {
    let calls = Mutex(0)
    var contract: CollatorContract {
        var contract = LanguageModelingCollator(padTokenID: 0).contract
        contract.producedFields.append("step")
        return contract
    }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        var batch = try LanguageModelingCollator(padTokenID: 0).collate(examples)
        batch["step"] = Tensor(scalar: Int32(calls.withLock { $0 += 1; return $0 }))
        return batch
    }
}

@Suite("Conformance suite detects")
struct ConformanceDetectionTests {
    static let lm = LanguageModelingCollator(padTokenID: 0)

    static func requirements(_ violations: [ConformanceViolation]) -> Set<ConformanceViolation.Requirement> {
        Set(violations.map(\.requirement))
    }

    @Test func preShiftedLabels() {
        let collator = Tampered(base: Self.lm, edit: { _, batch in
            guard let labels = batch["labels"] else { return }
            let width = labels.shape[1]
            let shifted = labels.rows.flatMap { Array($0.dropFirst()) + [ignoreIndex] }
            batch["labels"] = Tensor(shape: [labels.shape[0], width], scalars: shifted)
        })
        let violations = CollatorConformance.violations(of: collator)
        #expect(Self.requirements(violations) == [.labels])
        #expect(violations.first?.description == "[labels] sample 0: labels row 0, position 0: expected 11 (a copy of input_ids), got 12")
    }

    @Test func paddingOnTheUndeclaredSide() {
        let collator = Tampered(base: LanguageModelingCollator(padTokenID: 0, paddingSide: .left)) { contract in
            contract.layout = .padded(side: .right, padTokenID: 0, masksLabelsByPadID: true)
        }
        let violations = CollatorConformance.violations(of: collator)
        #expect(Self.requirements(violations) == [.layout, .labels])
        #expect(violations.contains { $0.description == "[layout] sample 0: input_ids row 0, position 0: expected 11 (token 0 of example 0), got 0" })
    }

    @Test func paddingLabelsNotIgnored() {
        let collator = Tampered(base: Self.lm, editContract: { contract in
            contract.layout = .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false)
        }) { _, batch in
            batch["labels"] = batch["input_ids"]  // padding left as the pad id, not -100
        }
        let violations = CollatorConformance.violations(of: collator)
        #expect(Self.requirements(violations) == [.labels])
        #expect(violations.first?.description == "[labels] sample 0: labels row 0, position 4: expected -100 (right padding), got 0 (the pad id: padding labels must be the ignore index, or the model learns to predict padding)")
    }

    @Test func undeclaredAndMissingFields() {
        let collator = Tampered(base: Self.lm, editContract: { contract in
            contract.producedFields.append("token_counts")
        }) { _, batch in
            batch["position_ids"] = batch["attention_mask"]
        }
        let violations = CollatorConformance.violations(of: collator)
        #expect(Self.requirements(violations) == [.contract])
        #expect(violations.contains { $0.message.hasPrefix("producedFields lists 'token_counts' but the batch has no 'token_counts'") })
        #expect(violations.contains { $0.message == "the batch has 'position_ids', which producedFields does not list and no example carried in" })
    }

    @Test func inconsistentContract() {
        let collator = Tampered(base: Self.lm) { contract in
            contract.producedFields = ["input_ids", "attention_mask"]
            contract.requiredFields = []
        }
        let messages = CollatorConformance.violations(of: collator).filter { $0.sample == nil && $0.requirement == .contract }.map(\.message)
        #expect(messages.contains("labelSource is .copyOfInputIDs but producedFields does not list 'labels'"))
        #expect(messages.contains("requiredFields is empty; list the fields every example must have (usually 'input_ids')"))
    }

    @Test func nondeterminism() {
        let violations = CollatorConformance.violations(of: NondeterministicCollator())
        #expect(Self.requirements(violations) == [.deterministic])
        #expect(violations.first?.message.contains("step: expected 1, got 2") == true)
    }

    @Test func acceptingAnExampleWithoutARequiredField() {
        let violations = CollatorConformance.violations(of: LenientCollator())
        #expect(violations.map(\.description) == [
            "[errors]: an empty batch gave a batch () instead of CollateError.emptyBatch",
            "[errors]: example 1 without 'input_ids' was accepted; a required field must be rejected with CollateError.missingField naming the example",
            "[errors]: example 2 with 'input_ids': null was accepted; a required field must be rejected with CollateError.missingField naming the example",
        ])
    }

    @Test func errorsThatNameNoExample() {
        // `collate` throws only CollateError, so an empty batch is rejected by any case; the
        // missing-field checks still need the example named.
        let violations = CollatorConformance.violations(of: OpaqueErrorCollator())
        #expect(violations.count == 2)
        #expect(violations.allSatisfy { $0.requirement == .errors && $0.message.contains("the error names no example: the opaque collator: failure") })
    }

    @Test func errorNamingTheWrongExample() {
        // Reads the batch back to front, so its errors number the examples wrongly.
        struct Reversing: Collator {
            var contract: CollatorContract { LanguageModelingCollator(padTokenID: 0).contract }
            func collate(_ examples: [Example]) throws(CollateError) -> Batch {
                try LanguageModelingCollator(padTokenID: 0).collate(examples.reversed())
            }
        }
        let violations = CollatorConformance.violations(of: Reversing())
        #expect(violations.contains { $0.requirement == .errors && $0.message.hasPrefix("example 2 with 'input_ids': null: the error names example 0") })
    }

    @Test func brokenPaddingFreeBoundaries() {
        let collator = Tampered(base: FlatteningCollator(returnFlashAttentionKwargs: true), edit: { _, batch in
            guard let positions = batch["position_ids"] else { return }
            batch["position_ids"] = Tensor(shape: positions.shape, scalars: positions.scalars.indices.map(Int32.init))  // never restarts
            batch["cu_seq_lens_q"] = Tensor(shape: [2], scalars: [0, Int32(positions.scalars.count)], dtype: .int32)
        })
        let violations = CollatorConformance.violations(of: collator)
        #expect(Self.requirements(violations) == [.layout])
        #expect(violations.contains { $0.description == "[layout] sample 0: position_ids row 0, position 4: expected 0 (positions restart at 0 at every sequence), got 4" })
        #expect(violations.contains { $0.message.hasPrefix("cu_seq_lens_q holds 2 values; cumulative sequence lengths gives 4: [0, 4, 11, 13]") })
    }

    @Test func labelsCopiedFromInputsInsteadOfExamples() {
        let collator = Tampered(base: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)), edit: { _, batch in
            guard let inputs = batch["input_ids"] else { return }
            batch["labels"] = inputs
        })
        let violations = CollatorConformance.violations(of: collator)
        #expect(Self.requirements(violations) == [.labels])
        #expect(violations.first?.description == "[labels] sample 0: labels row 0, position 0: expected -100 (label 0 of example 0), got 11")
    }

    @Test func userSamplesThatTheCollatorRejects() {
        let collator = PaddingCollator(padding: PaddingOptions(padTokenID: 0, strategy: .doNotPad))
        let ragged = Example.list(["input_ids": [1, 2]], ["input_ids": [3]])
        let violations = CollatorConformance.violations(of: collator, options: .init(samples: [ragged]))
        // The missing-field checks start from a rejected sample, so they say so instead of blaming field handling.
        #expect(violations.map(\.requirement) == [.acceptsValidExamples, .errors])
        #expect(violations.first?.message.hasPrefix("threw on 2 examples given in Options.samples (first example: input_ids a sequence of 2)") == true)
        #expect(violations.last?.message.hasPrefix("not checked: the sample the missing-field checks start from is itself rejected") == true)
        #expect(CollatorConformance.violations(of: collator, options: .init(samples: [Example.list(["input_ids": [1, 2]], ["input_ids": [3, 4]])])) == [])
    }

    @Test func verifyThrowsEveryViolation() {
        #expect(throws: ConformanceFailure.self) { try CollatorConformance.verify(LenientCollator()) }
        do {
            try CollatorConformance.verify(LenientCollator())
        } catch {
            #expect(error.collator == "language-modeling")
            #expect(error.description.hasPrefix("collator 'language-modeling' breaks 3 conformance requirements:\n  [errors]: an empty batch"))
        }
    }
}
