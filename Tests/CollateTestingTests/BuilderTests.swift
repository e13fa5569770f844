import Collate
import CollateTesting
import Testing

@Suite("Builders")
struct BuilderTests {
    @Test func exampleLiteralReadsLikeTheData() {
        let example = Example(["input_ids": [1, 2, 3], "labels": [-100, 2, 3], "label": 1, "extra": nil])
        #expect(example.names == ["input_ids", "labels", "label", "extra"])
        #expect(example.inputIDs == [1, 2, 3])
        #expect(example.labels == [-100, 2, 3])
        #expect(example.scalar("label") == 1)
        #expect(example["extra"] == .null)
        #expect(example == Example(["input_ids": .sequence([1, 2, 3]), "labels": .sequence([-100, 2, 3]), "label": .scalar(1), "extra": .null]))
    }

    @Test func exampleListBuildsOnePerLiteral() {
        let examples = Example.list(["input_ids": [5, 6]], ["input_ids": [7], "labels": nil])
        #expect(examples == [Example(inputIDs: [5, 6]), Example(["input_ids": .sequence([7]), "labels": .null])])
    }

    @Test func tensorLiteralShapes() throws {
        let matrix: TensorLiteral = [[1, 2], [3, 0]]
        #expect(try matrix.tensor() == Tensor(shape: [2, 2], scalars: [1, 2, 3, 0]))
        let vector: TensorLiteral = [0, 3, 5]
        #expect(try vector.tensor(dtype: .int32) == Tensor(shape: [3], scalars: [0, 3, 5], dtype: .int32))
        let scalar: TensorLiteral = 7
        #expect(try scalar.tensor() == Tensor(scalar: 7))
        let empty: TensorLiteral = []
        #expect(try empty.shapeAndScalars().shape == [0])
    }

    @Test func raggedTensorLiteralIsAnErrorNamingTheRow() {
        let ragged: TensorLiteral = [[1, 2], [3]]
        #expect(throws: TensorLiteralError(path: "[1]", shape: [1], expectedShape: [2])) { try ragged.tensor() }
    }

    @Test func rowWiseAndWholeTensorExpectationsAgree() {
        let whole: ExpectedBatch = [
            "input_ids": [[5, 6, 7], [8, 0, 0]],
            "labels": [[5, 6, 7], [8, -100, -100]],
            "max_length_q": 3,
        ]
        let rows = ExpectedBatch {
            Row(["input_ids": [5, 6, 7], "labels": [5, 6, 7]])
            Row(["input_ids": [8, 0, 0], "labels": [8, -100, -100]])
            Field("max_length_q", 3)
        }
        #expect(rows == whole)
    }

    @Test func rowBuilderSupportsLoopsAndConditions() {
        let includeMask = true
        let expected = ExpectedBatch {
            for id: Int32 in [1, 2] {
                Row(["input_ids": [TensorLiteral.scalar(id)]])
            }
            if includeMask {
                Field("attention_mask", [[1], [1]])
            } else {
                Field("position_ids", [[0], [0]])
            }
        }
        #expect(expected.names == ["input_ids", "attention_mask"])
        #expect(expected["input_ids"]?.literal == [[1], [2]])
    }

    @Test func rowsThatDisagreeOnFieldsMakeAnInvalidExpectation() {
        let expected = ExpectedBatch {
            Row(["input_ids": [1], "labels": [1]])
            Row(["input_ids": [2]])
        }
        let batch = Batch(["input_ids": Tensor(shape: [2, 1], scalars: [1, 2]), "labels": Tensor(shape: [2, 1], scalars: [1, 2])])
        let mismatch = checkBatch(batch, equals: expected)
        #expect(mismatch?.kinds == [.invalidExpectation(tensor: "labels", reason: "rows 1 of the expectation do not give 'labels'; give it in every Row")])
    }

    /// `ExpectedBatch(batch)` against an expectation written independently (a round trip of a
    /// batch through its own expectation could never fail).
    @Test func expectationFromABatchEqualsTheHandWrittenOne() throws {
        let batch = try LanguageModelingCollator(padTokenID: 0).collate(Example.list(["input_ids": [5, 6]], ["input_ids": [7]]))
        // HF's order: input_ids, attention_mask (from tokenizer.pad), then labels.
        let handWritten = ExpectedBatch {
            Row(["input_ids": [5, 6], "attention_mask": [1, 1], "labels": [5, 6]])
            Row(["input_ids": [7, 0], "attention_mask": [1, 0], "labels": [7, -100]])
        }
        try assertBatch(batch, equals: handWritten, options: .init(checksOrder: true))
        #expect(ExpectedBatch(batch) == ExpectedBatch {
            Field("input_ids", [[5, 6], [7, 0]], dtype: .int64)
            Field("attention_mask", [[1, 1], [1, 0]], dtype: .int64)
            Field("labels", [[5, 6], [7, -100]], dtype: .int64)
        })
        // A flattened batch with int32 cumulative lengths and scalars keeps shapes and dtypes.
        let flat = try FlatteningCollator(returnPositionIDs: true, returnFlashAttentionKwargs: true)
            .collate(Example.list(["input_ids": [5, 6]], ["input_ids": [7]]))
        let expectedFlat: ExpectedBatch = ExpectedBatch {
            Field("input_ids", [[5, 6, 7]])
            Field("labels", [[-100, 6, -100]])
            Field("position_ids", [[0, 1, 0]])
            Field("cu_seq_lens_q", [0, 2, 3], dtype: .int32)
            Field("cu_seq_lens_k", [0, 2, 3], dtype: .int32)
            Field("max_length_q", 2)
            Field("max_length_k", 2)
        }
        #expect(checkBatch(flat, equals: expectedFlat) == nil, "\(checkBatch(flat, equals: expectedFlat)?.description ?? "")")
        #expect(checkBatch(flat, equals: ExpectedBatch(flat)) == nil)
        #expect(ExpectedBatch(flat)["cu_seq_lens_q"] == expectedFlat["cu_seq_lens_q"])
    }
}

/// Typed example literals: float and bool fields, as TRL's reward and KTO examples carry them.
@Suite("Typed example literals")
struct TypedExampleLiteralTests {
    @Test func floatAndBoolFieldsBatchWithTheirDtype() throws {
        let examples = Example.list(
            ["prompt_ids": [1, 2], "completion_ids": [3], "label": true, "ref_logps": -1.5],
            ["prompt_ids": [4], "completion_ids": [5, 6], "label": false, "ref_logps": 0.25])
        #expect(examples[0]["label"] == .bool(true))
        #expect(examples[1]["ref_logps"] == .float(0.25))
        let batch = try UnpairedPreferenceCollator(padTokenID: 0).collate(examples)
        try assertBatch(batch, equals: [
            "input_ids": [[1, 2, 3], [4, 5, 6]],
            "attention_mask": [[1, 1, 1], [1, 1, 1]],
            "completion_mask": [[0, 0, 1], [0, 1, 1]],
            "ref_logps": [-1.5, 0.25],
            "label": [true, false],
        ])
    }
}
