import Collate
import CollateTesting
import Testing

@Suite("Batch assertions")
struct BatchAssertionTests {
    static let vocabulary: [Int32: String] = [
        0: "<pad>", 1: "<s>", 2: "</s>", 3: "[INST]", 4: "[/INST]", 10: "▁What", 11: "▁is", 12: "▁the", 13: "▁capital",
        14: "▁of", 15: "▁France", 16: "?", 17: "▁Paris", 18: ".",
    ]
    static let decode: @Sendable (Int32) -> String = { vocabulary[$0] ?? "<\($0)>" }

    /// `[INST] What is the capital of France? [/INST] Paris.` with the prompt masked.
    static let chat = Example.list(
        ["input_ids": [1, 3, 10, 11, 12, 13, 14, 15, 16, 4, 17, 18, 2]],
        ["input_ids": [1, 3, 10, 11, 12, 13, 14, 15, 16, 4, 17, 18, 2]])

    static let labelsExpected: TensorLiteral = [
        [-100, -100, -100, -100, -100, -100, -100, -100, -100, -100, 17, 18, 2],
        [-100, -100, -100, -100, -100, -100, -100, -100, -100, -100, 17, 18, 2],
    ]

    @Test func matchingBatchPasses() throws {
        let batch = try LanguageModelingCollator(padTokenID: 0).collate(Example.list(["input_ids": [5, 6, 7]], ["input_ids": [8]]))
        // Written out by hand from HF's DataCollatorForLanguageModeling(mlm=False) semantics, not
        // derived from the batch: a round trip of a value through itself could never fail.
        let expected: ExpectedBatch = [
            "input_ids": [[5, 6, 7], [8, 0, 0]],
            "attention_mask": [[1, 1, 1], [1, 0, 0]],
            "labels": [[5, 6, 7], [8, -100, -100]],
        ]
        try assertBatch(batch, equals: expected)
        #expect(expectBatch(batch, equals: expected, options: .init(checksOrder: true), sink: .swiftTesting))
        // `ExpectedBatch(batch)` reads a batch into the same expectation, order and dtypes included.
        #expect(ExpectedBatch(batch) == ExpectedBatch {
            Field("input_ids", [[5, 6, 7], [8, 0, 0]], dtype: .int64)
            Field("attention_mask", [[1, 1, 1], [1, 0, 0]], dtype: .int64)
            Field("labels", [[5, 6, 7], [8, -100, -100]], dtype: .int64)
        })
        // And one changed element is a failure, through the same entry point.
        let recorded = Recorder()
        let changed: ExpectedBatch = [
            "input_ids": [[5, 6, 7], [8, 0, 0]],
            "attention_mask": [[1, 1, 1], [1, 0, 0]],
            "labels": [[5, 6, 7], [8, 0, -100]],
        ]
        #expect(!expectBatch(batch, equals: changed, sink: FailureSink { message, location in recorded.append(message, location.line) }))
        #expect(recorded.entries.first?.message.contains("labels row 1, position 1: expected 0, got -100") == true)
    }

    @Test func valueMismatchNamesTensorRowPositionAndDecodedContext() throws {
        // The LM collator trains the prompt too: the expectation (prompt masked) catches it.
        let batch = try LanguageModelingCollator(padTokenID: 0).collate(Self.chat)
        let mismatch = try #require(checkBatch(batch, equals: ["labels": Self.labelsExpected], options: .init(allowsExtraTensors: true), decode: Self.decode))
        let prompt: [Int32] = [1, 3, 10, 11, 12, 13, 14, 15, 16, 4]
        let masked = [Int32](repeating: -100, count: 10)
        #expect(mismatch.kinds == [
            .values(tensor: "labels", row: 0, positions: 0..<10, expected: masked, actual: prompt),
            .values(tensor: "labels", row: 1, positions: 0..<10, expected: masked, actual: prompt),
        ])
        #expect(mismatch.description == """
            batch differs from the expectation in 20 places:
              labels row 0, positions 0–9: expected -100 ×10, got [1, 3, 10, 11, …, 14, 15, 16, 4]
                expected  [-100 -100 -100 -100 -100 -100 -100 -100 -100 -100] 17 18 2
                got       [1 3 10 11 12 13 14 15 16 4] 17 18 2
                context   ⟦<s> [INST] ▁What ▁is ▁the ▁capital ▁of ▁France ? [/INST]⟧ ▁Paris . </s>   (input_ids row 0)
              labels row 1, positions 0–9: expected -100 ×10, got [1, 3, 10, 11, …, 14, 15, 16, 4]
                expected  [-100 -100 -100 -100 -100 -100 -100 -100 -100 -100] 17 18 2
                got       [1 3 10 11 12 13 14 15 16 4] 17 18 2
                context   ⟦<s> [INST] ▁What ▁is ▁the ▁capital ▁of ▁France ? [/INST]⟧ ▁Paris . </s>   (input_ids row 1)
            """)
    }

    @Test func differencesBeyondTheLimitAreCounted() throws {
        let batch = Batch(["input_ids": Tensor(shape: [3, 4], scalars: [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])])
        let mismatch = try #require(checkBatch(batch, equals: ["input_ids": [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]], options: .init(maxValueDifferencesPerTensor: 2)))
        #expect(mismatch.kinds.count == 3)
        #expect(mismatch.kinds.last == .moreValues(tensor: "input_ids", count: 4, rows: [1, 2]))
        #expect(mismatch.differences.last?.message == "input_ids: 4 more differing elements (rows 1, 2)")
        #expect(mismatch.description.hasPrefix("batch differs from the expectation in 6 places:"))
    }

    @Test func longRunsAreShortened() throws {
        let batch = Batch(["labels": Tensor(shape: [1, 30], scalars: Array(repeating: 0, count: 30))])
        let expected: ExpectedBatch = ["labels": TensorLiteral(rows: [Array(repeating: -100, count: 30)])]
        let mismatch = try #require(checkBatch(batch, equals: expected, options: .init(contextRadius: 2)))
        #expect(mismatch.description == """
            batch differs from the expectation in 30 places:
              labels row 0, positions 0–29: expected -100 ×30, got 0 ×30
                expected  [-100 -100 -100 -100 … (30 in all) … -100 -100 -100 -100]
                got       [0 0 0 0 … (30 in all) … 0 0 0 0]
            """)
    }

    @Test func contextWindowIsCentredOnTheDifference() throws {
        var labels = Self.labelsExpected
        if case .array(var rows) = labels, case .array(var row) = rows[1] {
            row[10] = -100  // expect "▁Paris" masked; the batch trains it
            rows[1] = .array(row)
            labels = .array(rows)
        }
        let batch = Batch(["input_ids": try TensorLiteral(rows: Self.chat.map(\.inputIDs)).tensor(), "labels": try Self.labelsExpected.tensor()])
        let mismatch = try #require(checkBatch(batch, equals: ["input_ids": TensorLiteral(rows: Self.chat.map(\.inputIDs)), "labels": labels], decode: Self.decode))
        #expect(mismatch.description == """
            batch differs from the expectation in 1 place:
              labels row 1, position 10: expected -100, got 17 ("▁Paris")
                expected  … -100 -100 -100 -100 -100 -100 [-100] 18 2
                got       … -100 -100 -100 -100 -100 -100 [17] 18 2
                context   … ▁the ▁capital ▁of ▁France ? [/INST] ⟦▁Paris⟧ . </s>   (input_ids row 1)
            """)
    }

    @Test func withoutDecoderMessagesShowIdsOnly() throws {
        let batch = Batch(["input_ids": Tensor(shape: [1, 2], scalars: [5, 6])])
        let mismatch = try #require(checkBatch(batch, equals: ["input_ids": [[5, 7]]]))
        #expect(mismatch.description == """
            batch differs from the expectation in 1 place:
              input_ids row 0, position 1: expected 7, got 6
                expected  5 [7]
                got       5 [6]
            """)
    }

    @Test func missingExtraShapeDTypeAndOrderAreReported() throws {
        let batch = Batch([
            "labels": Tensor(shape: [1, 2], scalars: [5, 6]),
            "input_ids": Tensor(shape: [1, 2], scalars: [5, 6]),
            "cu_seq_lens_q": Tensor(shape: [2], scalars: [0, 2], dtype: .int64),
            "extra": Tensor(scalar: 1),
        ])
        let expected = ExpectedBatch {
            Row(["input_ids": [5, 6], "labels": [5, 6, -100], "attention_mask": [1, 1]])
            Field("cu_seq_lens_q", [0, 2], dtype: .int32)
        }
        let mismatch = try #require(checkBatch(batch, equals: expected, options: .init(checksOrder: true)))
        #expect(mismatch.kinds == [
            .shape(tensor: "labels", expected: [1, 3], actual: [1, 2]),
            .missingTensor("attention_mask", available: ["labels", "input_ids", "cu_seq_lens_q", "extra"]),
            .dtype(tensor: "cu_seq_lens_q", expected: .int32, actual: .int64),
            .unexpectedTensor("extra", shape: []),
            .order(expected: ["input_ids", "labels", "cu_seq_lens_q"], actual: ["labels", "input_ids", "cu_seq_lens_q"]),
        ])
        #expect(mismatch.differences[0].message == """
            labels: expected shape [1, 3], got [1, 2]
              expected  [[5, 6, -100]]
              got       [[5, 6]]
            """)
    }

    @Test func scalarAndVectorDifferences() throws {
        let batch = Batch(["cu_seq_lens_q": Tensor(shape: [3], scalars: [0, 3, 4]), "max_length_q": Tensor(scalar: 3)])
        let mismatch = try #require(checkBatch(batch, equals: ["cu_seq_lens_q": [0, 3, 5], "max_length_q": 4]))
        #expect(mismatch.kinds == [
            .value(tensor: "cu_seq_lens_q", row: nil, position: 2, expected: 5, actual: 4),
            .value(tensor: "max_length_q", row: nil, position: nil, expected: 4, actual: 3),
        ])
        #expect(mismatch.differences[1].message == "max_length_q: expected 4, got 3")
    }

    @Test func assertBatchThrowsTheMismatch() {
        let batch = Batch(["input_ids": Tensor(shape: [1, 1], scalars: [5])])
        #expect(throws: BatchMismatch.self) { try assertBatch(batch, equals: ["input_ids": [[6]]]) }
    }

    @Test func sinkReceivesTheMessageAndCallerLocation() {
        let recorded = Recorder()
        let batch = Batch(["input_ids": Tensor(shape: [1, 1], scalars: [5])])
        let line: UInt = #line + 1
        let matched = expectBatch(batch, equals: ["input_ids": [[6]]], sink: FailureSink { message, location in recorded.append(message, location.line) })
        #expect(!matched)
        #expect(recorded.entries.count == 1)
        #expect(recorded.entries.first?.line == line)
        #expect(recorded.entries.first?.message.contains("input_ids row 0, position 0: expected 6, got 5") == true)
    }
}

/// Collects what a ``FailureSink`` records.
final class Recorder: Sendable {
    private let storage = Mutex<[(message: String, line: UInt)]>([])
    var entries: [(message: String, line: UInt)] { storage.withLock { $0 } }
    func append(_ message: String, _ line: UInt) { storage.withLock { $0.append((message, line)) } }
}

import Synchronization
