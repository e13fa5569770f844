import Collate
import Testing

@Suite("Example and batch transforms")
struct TransformTests {
    struct TruncateCase: Sendable, CustomTestStringConvertible {
        var id: String
        var side: Truncate.Side
        var maxLength: Int
        var expectedIDs: [Int32]
        var expectedLabels: [Int32]
        var outcome: ExampleTransformOutcome
        var testDescription: String { id }
    }

    static let truncateCases: [TruncateCase] = [
        TruncateCase(id: "keep_start", side: .keepStart, maxLength: 3, expectedIDs: [1, 2, 3], expectedLabels: [-100, 2, 3], outcome: .modified),
        TruncateCase(id: "keep_end", side: .keepEnd, maxLength: 3, expectedIDs: [3, 4, 5], expectedLabels: [3, 4, 5], outcome: .modified),
        TruncateCase(id: "short enough", side: .keepStart, maxLength: 5, expectedIDs: [1, 2, 3, 4, 5], expectedLabels: [-100, 2, 3, 4, 5], outcome: .unchanged),
    ]

    @Test(arguments: truncateCases)
    func truncateCutsEveryAlignedField(_ c: TruncateCase) {
        var example = Example(["input_ids": .sequence([1, 2, 3, 4, 5]), "labels": .sequence([-100, 2, 3, 4, 5]), "label": .scalar(7)])
        let outcome = Truncate(maxLength: c.maxLength, side: c.side).apply(to: &example, index: 0)
        #expect(outcome == c.outcome)
        #expect(example.inputIDs == c.expectedIDs)
        #expect(example.labels == c.expectedLabels)
        #expect(example.scalar("label") == 7)
    }

    @Test func addEOSTrainsTheNewToken() {
        var example = Example(["input_ids": .sequence([5, 6]), "labels": .sequence([-100, 6]), "attention_mask": .sequence([1, 1]), "token_type_ids": .sequence([0, 1])])
        #expect(AddEOS(eosTokenID: 2).apply(to: &example, index: 0) == .modified)
        #expect(example.inputIDs == [5, 6, 2])
        #expect(example.labels == [-100, 6, 2])
        #expect(example.sequence("attention_mask") == [1, 1, 1])
        #expect(example.sequence("token_type_ids") == [0, 1, 1])
        #expect(AddEOS(eosTokenID: 2).apply(to: &example, index: 0) == .unchanged, "already ends with EOS")
        var empty = Example(inputIDs: [])
        #expect(AddEOS(eosTokenID: 2).apply(to: &empty, index: 0) == .unchanged)
        // EOS continues the positions and is special (masked-LM must not select it).
        var positioned = Example(["input_ids": .sequence([5, 6]), "position_ids": .sequence([0, 1]), "special_tokens_mask": .sequence([1, 0])])
        #expect(AddEOS(eosTokenID: 2).apply(to: &positioned, index: 0) == .modified)
        #expect(positioned.sequence("position_ids") == [0, 1, 2])
        #expect(positioned.sequence("special_tokens_mask") == [1, 0, 1])
    }

    @Test func dropsAreCountedByTransform() throws {
        let pipeline = TransformPipeline {
            DropEmpty()
            DropUntrainable()
            Truncate(maxLength: 2)
        }
        let examples = [
            Example(inputIDs: [1, 2, 3]),
            Example(inputIDs: []),
            Example(inputIDs: [1, 2], labels: [-100, -100]),
            Example(inputIDs: [1, 2], labels: [5, -100]),   // only the first label: nothing after the shift
            Example(inputIDs: [1, 2], labels: [-100, 2]),
            Example(["labels": .sequence([1])]),             // no input_ids at all
        ]
        let result = try pipeline.applyExampleTransforms(examples)
        #expect(result.examples.map(\.inputIDs) == [[1, 2], [1, 2]])
        #expect(result.sourceIndices == [0, 4])
        #expect(result.report.dropped == ["drop-empty": 2, "drop-untrainable": 2])
        #expect(result.report.modified == ["truncate": 1])
        #expect(result.report.description == "2 of 6 examples kept; drop-empty dropped 2; drop-untrainable dropped 2; truncate changed 1")
    }

    @Test func padToMultipleOnAPaddedBatch() throws {
        let batch = try LanguageModelingCollator(padTokenID: 0).collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8])])
        let padded = try PadToMultiple(multiple: 4, padTokenID: 0).apply(to: batch)
        #expect(padded["input_ids"]?.rows == [[5, 6, 7, 0], [8, 0, 0, 0]])
        #expect(padded["attention_mask"]?.rows == [[1, 1, 1, 0], [1, 0, 0, 0]])
        #expect(padded["labels"]?.rows == [[5, 6, 7, -100], [8, -100, -100, -100]])
        let left = try PadToMultiple(multiple: 4, padTokenID: 9, side: .left).apply(to: batch)
        #expect(left["input_ids"]?.rows == [[9, 5, 6, 7], [9, 8, 0, 0]])
        #expect(try PadToMultiple(multiple: 3).apply(to: batch) == batch, "already a multiple")
    }

    @Test func padToMultipleKeepsPackedBoundaries() throws {
        let batch = try FlatteningCollator.packed.collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8, 9])])
        let padded = try PadToMultiple(multiple: 8).apply(to: batch)
        #expect(padded["input_ids"]?.rows == [[5, 6, 7, 8, 9, 0, 0, 0]])
        #expect(padded["labels"]?.rows == [[-100, 6, 7, -100, 9, -100, -100, -100]])
        #expect(padded["position_ids"]?.rows == [[0, 1, 2, 0, 1, 0, 1, 2]])
        #expect(padded["seq_idx"]?.rows == [[0, 0, 0, 1, 1, 2, 2, 2]])
        #expect(padded["seq_idx"]?.dtype == .int32)
        #expect(padded["cu_seq_lens_q"]?.scalars == [0, 3, 5, 8])
        #expect(padded["cu_seq_lens_k"]?.dtype == .int32)
        #expect(padded["max_length_q"]?.scalars == [3])
        #expect(padded.numItemsInBatch() == batch.numItemsInBatch())
    }

    /// On the left the padding run is the first sequence: offsets shift and gain a leading 0,
    /// so every boundary still points at a sequence start.
    @Test func padToMultipleOnTheLeftShiftsPackedBoundaries() throws {
        let batch = try FlatteningCollator(returnPositionIDs: false, returnFlashAttentionKwargs: true)
            .collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8, 9])])
        let padded = try PadToMultiple(multiple: 8, side: .left).apply(to: batch)
        #expect(padded["input_ids"]?.rows == [[0, 0, 0, 5, 6, 7, 8, 9]])
        #expect(padded["cu_seq_lens_q"]?.scalars == [0, 3, 6, 8])
        #expect(padded["cu_seq_lens_k"]?.scalars == [0, 3, 6, 8])
        #expect(padded["max_length_k"]?.scalars == [3])
        #expect(padded.numItemsInBatch() == batch.numItemsInBatch())
    }

    /// TRL's padding-free layout keeps `cu_seq_lens_*` as [1, n] and `max_length_*` as [1]; the
    /// offsets here ([0, 1, 3]) are as wide as the row, which must not read as a token tensor.
    @Test func padToMultipleKeepsTRLPaddingFreeBoundaries() throws {
        let collator = CompletionOnlyCollator(responseTemplate: [5], padTokenID: 0, paddingFree: true)
        let batch = try collator.collate([Example(inputIDs: [5]), Example(inputIDs: [5, 6])])
        #expect(batch["cu_seq_lens_q"]?.shape == [1, 3])
        #expect(batch["input_ids"]?.shape == [1, 3])
        let padded = try PadToMultiple(multiple: 4).apply(to: batch)
        #expect(padded["input_ids"]?.rows == [[5, 5, 6, 0]])
        #expect(padded["cu_seq_lens_q"]?.shape == [1, 4])
        #expect(padded["cu_seq_lens_q"]?.scalars == [0, 1, 3, 4])
        #expect(padded["max_length_q"]?.shape == [1])
        #expect(padded["max_length_q"]?.scalars == [2])
    }

    @Test func positionIDsFollowTheLayout() throws {
        let left = try LanguageModelingCollator(padTokenID: 0, paddingSide: .left).collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8])])
        #expect(try PositionIDs().apply(to: left)["position_ids"]?.rows == [[0, 1, 2], [1, 1, 0]])
        let flat = try FlatteningCollator(returnPositionIDs: false, returnFlashAttentionKwargs: true).collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8, 9])])
        #expect(try PositionIDs().apply(to: flat)["position_ids"]?.rows == [[0, 1, 2, 0, 1]])
        let withPositions = try FlatteningCollator().collate([Example(inputIDs: [5, 6])])
        #expect(try PositionIDs().apply(to: withPositions) == withPositions)
        #expect(throws: TransformError.missingTensor("input_ids", transform: "position-ids")) { try PositionIDs().apply(to: Batch()) }
    }

    @Test func numItemsInBatchCountsAfterTheShift() throws {
        let examples = [Example(inputIDs: [5, 6, 7], labels: [5, 6, -100]), Example(inputIDs: [8, 9], labels: [8, 9]), Example(inputIDs: [4], labels: [4])]
        // Padded: row starts are excluded. 6 | 9 | (nothing) = 2.
        let padded = try Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)).collate(examples)
        #expect(padded.numItemsInBatch() == 2)
        // Flattened with a separator that is not the ignore index: the boundaries still do not count.
        let flattened = try FlatteningCollator(separatorID: 1, returnFlashAttentionKwargs: true).collate(examples)
        #expect(flattened["labels"]?.scalars == [1, 6, -100, 1, 9, 1])
        #expect(flattened.numItemsInBatch() == 2)
        // Boundaries from position_ids alone.
        let positionsOnly = try FlatteningCollator(separatorID: 1).collate(examples)
        #expect(positionsOnly.numItemsInBatch() == 2)
        let added = try NumItemsInBatch().apply(to: padded)
        #expect(added["num_items_in_batch"] == Tensor(scalar: 2))
        #expect(added.names.last == "num_items_in_batch")
        #expect(throws: TransformError.missingTensor("labels", transform: "num-items-in-batch")) {
            try NumItemsInBatch().apply(to: Batch(["input_ids": Tensor(shape: [1, 1], scalars: [1])]))
        }
    }

    @Test func builderHandlesOptionalEitherAndArrays() {
        for (addEOS, keepEnd) in [(true, true), (false, false)] {
            let pipeline = TransformPipeline {
                if keepEnd { Truncate(maxLength: 8, side: .keepEnd) } else { Truncate(maxLength: 8) }
                if addEOS { AddEOS(eosTokenID: 2) }
                for multiple in [8, 64] { PadToMultiple(multiple: multiple) }
                NumItemsInBatch()
            }
            #expect(pipeline.exampleTransforms.count == (addEOS ? 2 : 1))
            #expect(pipeline.batchTransforms.map(\.name) == ["pad-to-multiple", "pad-to-multiple", "num-items-in-batch"])
            #expect(pipeline.steps.first?.description == "truncate(max_length: 8, side: \(keepEnd ? "keep_end" : "keep_start"))")
        }
    }
}

@Suite("Transform registry")
struct TransformRegistryTests {
    @Test func pipelineFromJSONPrintsReadably() throws {
        let pipeline = try TransformRegistry.shared.makePipeline(fromJSON: """
            {"transforms": [
              {"type": "truncate", "max_length": 2048, "side": "keep_end"},
              {"type": "add-eos", "eos_token_id": 2},
              {"type": "drop-empty"}, {"type": "drop-untrainable"},
              {"type": "pad-to-multiple", "multiple": 8, "pad_token_id": 0},
              {"type": "position-ids"}, {"type": "num-items-in-batch"}
            ]}
            """)
        #expect(pipeline.description == """
            TransformPipeline
              examples: truncate(max_length: 2048, side: keep_end) -> add-eos(eos_token_id: 2) -> drop-empty -> drop-untrainable
              batches:  pad-to-multiple(multiple: 8, pad_token_id: 0) -> position-ids -> num-items-in-batch
            """)
    }

    struct BadSpec: Sendable, CustomTestStringConvertible {
        var id: String
        var json: String
        var error: TransformSpecError
        var testDescription: String { id }
    }

    static let badSpecs: [BadSpec] = [
        BadSpec(id: "not an array", json: #"{"transforms": 3}"#, error: .notAnArray(found: "3")),
        BadSpec(id: "entry not an object", json: #"[1]"#, error: .notAnObject(index: 0, found: "1")),
        BadSpec(id: "missing type", json: #"[{"max_length": 3}]"#, error: .missingType(index: 0)),
        BadSpec(id: "first bad entry is reported", json: #"[{"type": "truncate"}, {"type": "trunc"}]"#,
                error: .invalidEntry(index: 0, type: "truncate", .invalidValue(key: "max_length", value: "null", reason: "truncate needs the longest length to keep, a positive integer"))),
        BadSpec(id: "typo in key", json: #"[{"type": "pad-to-multiple", "multple": 8}]"#,
                error: .unknownKey("multple", type: "pad-to-multiple", index: 0, allowed: ["multiple", "pad_token_id", "label_pad_token_id", "padding_side"])),
        BadSpec(id: "bad side", json: #"[{"type": "truncate", "max_length": 3, "side": "left"}]"#,
                error: .invalidEntry(index: 0, type: "truncate", .invalidValue(key: "side", value: "\"left\"", reason: "must be \"keep_start\" or \"keep_end\""))),
    ]

    @Test(arguments: badSpecs)
    func badSpecsNameTheEntry(_ c: BadSpec) {
        #expect(throws: c.error) { try TransformRegistry.shared.makePipeline(fromJSON: c.json) }
    }

    @Test func unknownTypeSuggestsTheClosest() {
        do {
            _ = try TransformRegistry.shared.makePipeline(fromJSON: #"[{"type": "add-eso"}]"#)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("did you mean \"add-eos\"?"))
        }
    }

    @Test func thirdPartyTypesRegister() throws {
        let registry = TransformRegistry(includingBuiltIns: false)
        try registry.register("noop", keys: []) { _ in .batch(PositionIDs()) }
        #expect(registry.knownTypes == ["noop"])
        #expect(try registry.makePipeline(fromJSON: #"[{"type": "noop"}]"#).batchTransforms.count == 1)
    }
}
