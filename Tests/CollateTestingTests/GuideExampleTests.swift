import Collate
import CollateTesting
import Testing

// The third-party collator of Guides/Testing.md, and the tests the guide shows. The failure
// messages quoted in the guide are asserted here, so the guide cannot drift from the output.

/// Trains only on the assistant's tokens, using the `assistant_masks` that a chat template
/// with `{% generation %}` blocks returns (1 on assistant tokens, 0 elsewhere).
struct AssistantMaskCollator: Collator {
    /// The tokenizer's pad id.
    var padTokenID: Int32
    /// The slip the guide's failing run shows: padding `labels` with the pad id instead of -100.
    var padsLabelsWithPadID = false

    var contract: CollatorContract {
        CollatorContract(
            name: "assistant-mask", reference: "apply_chat_template(return_assistant_tokens_mask=True)",
            requiredFields: ["input_ids", "assistant_masks"], producedFields: ["input_ids", "attention_mask", "labels"],
            labelSource: .completionOfInputIDs,
            layout: .padded(side: .right, padTokenID: padTokenID, masksLabelsByPadID: false))
    }

    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard !examples.isEmpty else { throw .emptyBatch }
        var rows: [(ids: [Int32], mask: [Int32])] = []
        for index in examples.indices {
            let ids = try examples[index].requireSequence("input_ids", example: index, collator: contract.name)
            let mask = try examples[index].requireSequence("assistant_masks", example: index, collator: contract.name)
            guard mask.count == ids.count else {
                throw .lengthMismatch("assistant_masks", example: index, length: mask.count, expected: "input_ids", expectedLength: ids.count)
            }
            rows.append((ids, mask))
        }
        let width = rows.map(\.ids.count).max() ?? 0
        var inputIDs: [Int32] = [], attention: [Int32] = [], labels: [Int32] = []
        for (ids, mask) in rows {
            let padding = width - ids.count
            inputIDs += ids + Array(repeating: padTokenID, count: padding)
            attention += Array(repeating: 1, count: ids.count) + Array(repeating: 0, count: padding)
            labels += zip(ids, mask).map { $1 == 1 ? $0 : ignoreIndex }
            labels += Array(repeating: padsLabelsWithPadID ? padTokenID : ignoreIndex, count: padding)
        }
        let shape = [rows.count, width]
        return Batch([
            "input_ids": Tensor(shape: shape, scalars: inputIDs),
            "attention_mask": Tensor(shape: shape, scalars: attention),
            "labels": Tensor(shape: shape, scalars: labels),
        ])
    }
}

@Suite("Guide: testing a third-party collator")
struct GuideExampleTests {
    static let vocabulary: [Int32: String] = [
        0: "<pad>", 1: "<s>", 2: "</s>", 3: "[INST]", 4: "[/INST]", 10: "▁What", 11: "▁is", 12: "▁the",
        13: "▁capital", 14: "▁of", 15: "▁France", 16: "?", 17: "▁Paris", 18: ".", 19: "▁Hi", 20: "▁Hello",
    ]
    static let decode: @Sendable (Int32) -> String = { vocabulary[$0] ?? "<\($0)>" }

    static let examples = Example.list(
        // <s>[INST] Hi [/INST] Hello</s>
        ["input_ids": [1, 3, 19, 4, 20, 2],
         "assistant_masks": [0, 0, 0, 0, 1, 1]],
        // <s>[INST] What is the capital of France? [/INST] Paris.</s>
        ["input_ids": [1, 3, 10, 11, 12, 13, 14, 15, 16, 4, 17, 18, 2],
         "assistant_masks": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]])

    static let expected = ExpectedBatch {
        Row(["input_ids": [1, 3, 19, 4, 20, 2, 0, 0, 0, 0, 0, 0, 0],
             "attention_mask": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
             "labels": [-100, -100, -100, -100, 20, 2, -100, -100, -100, -100, -100, -100, -100]])
        Row(["input_ids": [1, 3, 10, 11, 12, 13, 14, 15, 16, 4, 17, 18, 2],
             "attention_mask": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
             "labels": [-100, -100, -100, -100, -100, -100, -100, -100, -100, -100, 17, 18, 2]])
    }

    @Test func conforms() {
        #expect(CollatorConformance.violations(of: AssistantMaskCollator(padTokenID: 0)) == [])
    }

    @Test func masksEverythingButTheAnswer() throws {
        let batch = try AssistantMaskCollator(padTokenID: 0).collate(Self.examples)
        try assertBatch(batch, equals: Self.expected, decode: Self.decode)
    }

    @Test func trainsThroughARealPipeline() throws {
        let harness = PipelineHarness(collator: AssistantMaskCollator(padTokenID: 0), decode: Self.decode)
        try harness.forward(Self.examples, batchSize: 2)
        try harness.assertNextBatch(equals: Self.expected)
        #expect(harness.backend.calls.count == 1)
    }

    @Test func theSlipFailsBothChecks() throws {
        let buggy = AssistantMaskCollator(padTokenID: 0, padsLabelsWithPadID: true)
        let failure = try #require(throws: ConformanceFailure.self) { try CollatorConformance.verify(buggy) }
        #expect(failure.description == Self.conformanceMessage)

        let mismatch = try #require(throws: BatchMismatch.self) {
            try assertBatch(try buggy.collate(Self.examples), equals: Self.expected, decode: Self.decode)
        }
        #expect(mismatch.description == Self.mismatchMessage)
    }

    static let conformanceMessage = """
        collator 'assistant-mask' breaks 4 conformance requirements:
          [labels] sample 0: labels row 0, position 4: expected -100 (right padding), got 0 (the pad id: padding labels must be the ignore index, or the model learns to predict padding)
          [labels] sample 0: labels row 2, position 2: expected -100 (right padding), got 0 (the pad id: padding labels must be the ignore index, or the model learns to predict padding)
          [labels] sample 2: labels row 0, position 3: expected -100 (right padding), got 0 (the pad id: padding labels must be the ignore index, or the model learns to predict padding)
          [labels] sample 2: labels row 2, position 1: expected -100 (right padding), got 0 (the pad id: padding labels must be the ignore index, or the model learns to predict padding)
        """

    static let mismatchMessage = """
        batch differs from the expectation in 7 places:
          labels row 0, positions 6–12: expected -100 ×7, got 0 ("<pad>") ×7
            expected  -100 -100 -100 -100 20 2 [-100 -100 -100 -100 -100 -100 -100]
            got       -100 -100 -100 -100 20 2 [0 0 0 0 0 0 0]
            context   <s> [INST] ▁Hi [/INST] ▁Hello </s> ⟦<pad> <pad> <pad> <pad> <pad> <pad> <pad>⟧   (input_ids row 0)
        """
}
