import Collate
import Testing

/// `Batch.structuralProblems(contract:exampleCount:)`: what every batch must look like whatever
/// collator made it — the check the commands, `Pipeline`, `DataLoader` and the exporter run on
/// a third-party collator's output, so its bug is an error naming the tensor, never a crash or
/// an invalid shard.
@Suite("Malformed batches from a collator")
struct BatchStructureTests {
    static let contract = CollatorContract(
        name: "my-collator", reference: "", requiredFields: ["input_ids"], producedFields: ["input_ids", "attention_mask", "labels"],
        labelSource: .copyOfInputIDs, layout: .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false))

    static func ids(_ rows: Int = 2, _ width: Int = 3) -> Tensor { Tensor(shape: [rows, width], scalars: Array(repeating: 5, count: rows * width)) }

    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let batch: Batch
        var exampleCount = 2
        var contract = BatchStructureTests.contract
        let tensor: String?
        let problem: String
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "no tensors", batch: Batch(), tensor: nil,
             problem: "it holds no tensor at all (the contract produces input_ids, attention_mask, labels)"),
        Case(id: "no input_ids", batch: Batch(["labels": ids()]), tensor: "input_ids",
             problem: "is missing, although the contract lists it in producedFields (the batch holds labels)"),
        Case(id: "NaN label", batch: Batch(["input_ids": ids(), "labels": Tensor(shape: [2, 3], floats: [1, 2, 3, 4, .nan, 6])]), tensor: "labels",
             problem: "holds nan at [1, 1]; every float a model reads must be finite"),
        Case(id: "infinite margin", batch: Batch(["input_ids": ids(), "margin": Tensor(shape: [2], floats: [0.5, -.infinity])]), tensor: "margin",
             problem: "holds -inf at [1]; every float a model reads must be finite"),
        Case(id: "float input_ids", batch: Batch(["input_ids": Tensor(shape: [2, 1], floats: [5, 6])]), tensor: "input_ids",
             problem: "is float32; token ids, positions and token labels must be int64 (or int32): build it with Tensor(shape:scalars:) or PaddingOptions.pad / padLabels"),
        Case(id: "bool token labels", batch: Batch(["input_ids": ids(), "labels": Tensor(shape: [2, 3], bools: [true, false, true, true, true, false])]), tensor: "labels",
             problem: "is bool; token ids, positions and token labels must be int64 (or int32): build it with Tensor(shape:scalars:) or PaddingOptions.pad / padLabels"),
        Case(id: "float decoder_input_ids", batch: Batch(["input_ids": ids(), "decoder_input_ids": Tensor(shape: [2, 1], floats: [0, 0])]), tensor: "decoder_input_ids",
             problem: "is float32; token ids, positions and token labels must be int64 (or int32): build it with Tensor(shape:scalars:) or PaddingOptions.pad / padLabels"),
        Case(id: "float attention_mask", batch: Batch(["input_ids": ids(), "attention_mask": Tensor(shape: [2, 3], floats: [1, 1, 1, 1, 1, 0])]), tensor: "attention_mask",
             problem: "is float32; an attention mask holds 0 and 1 as int64"),
        Case(id: "rank-3 multiple choice", batch: Batch(["input_ids": Tensor(shape: [2, 4, 3], scalars: Array(repeating: 5, count: 24))]), tensor: "input_ids",
             problem: "has shape [2, 4, 3] but a padded batch's input_ids is [rows, L], one row per example (for multiple choice, flatten the choices into rows — [B × C, L] with rowsPerExample: C — and reshape in the model)"),
        Case(id: "flat input_ids", batch: Batch(["input_ids": Tensor(shape: [6], scalars: Array(repeating: 5, count: 6))]), tensor: "input_ids",
             problem: "has shape [6] but a padded batch's input_ids is [rows, L], one row per example"),
        Case(id: "a row short", batch: Batch(["input_ids": ids(1)]), tensor: "input_ids",
             problem: "has 1 rows for 2 examples; a padded batch's input_ids is [rows, L], one row per example"),
        Case(id: "zero width", batch: Batch(["input_ids": ids(2, 0)]), tensor: "input_ids",
             problem: "has shape [2, 0]: no position at all for 2 examples"),
        Case(id: "attention_mask one column short", batch: Batch(["input_ids": ids(), "attention_mask": ids(2, 2)]), tensor: "attention_mask",
             problem: "has shape [2, 2] but input_ids has [2, 3]; it must be aligned with input_ids position for position"),
        Case(id: "labels batch dimension", batch: Batch(["input_ids": ids(), "labels": ids(3)]), tensor: "labels",
             problem: "has shape [3, 3] but input_ids has [2, 3]; labels need one row (or one class label) per input_ids row"),
        Case(id: "padding-free with two rows", batch: Batch(["input_ids": ids()]),
             contract: CollatorContract(name: "my-collator", reference: "", requiredFields: ["input_ids"], producedFields: ["input_ids"],
                                        labelSource: .none, layout: .paddingFree),
             tensor: "input_ids", problem: "has 2 rows for 2 examples; a padding-free batch's input_ids is [1, total tokens]"),
    ]

    @Test(arguments: cases)
    func eachMalformedBatchIsNamed(_ test: Case) throws {
        let problems = test.batch.structuralProblems(contract: test.contract, exampleCount: test.exampleCount)
        let first = try #require(problems.first)
        #expect(first == MalformedBatchError(collator: "my-collator", tensor: test.tensor, problem: test.problem))
        #expect(throws: first) { try test.batch.checkStructure(contract: test.contract, exampleCount: test.exampleCount) }
        #expect(first.description.hasPrefix("the my-collator collator returned a malformed batch: "))
        #expect(first.description.contains("This is a bug in the collator, not in the data"))
    }

    @Test func wellFormedBatchesOfTheBuiltInShapesPass() throws {
        // Class labels [B] (float for regression), reward's two rows per example, a padding-free row.
        let classes = Batch(["input_ids": Self.ids(), "labels": Tensor(shape: [2], floats: [0.5, 1.5])])
        #expect(classes.structuralProblems(contract: Self.contract, exampleCount: 2) == [])
        var pairs = Self.contract
        pairs.rowsPerExample = 2
        #expect(Batch(["input_ids": Self.ids(4), "margin": Tensor(shape: [2], floats: [0, 1])]).structuralProblems(contract: pairs, exampleCount: 2) == [])
        let flattening = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "flattening"}"#)
        let examples = [Example(inputIDs: [1, 2, 3]), Example(inputIDs: [4, 5])]
        #expect(try flattening.collate(examples).structuralProblems(contract: flattening.contract, exampleCount: 2) == [])
    }

    @Test func aPipelineReportsAMalformedBatchAsTheCollatorsFailure() throws {
        struct NaNCollator: Collator {
            var contract: CollatorContract { BatchStructureTests.contract }
            func collate(_ examples: [Example]) throws(CollateError) -> Batch {
                Batch(["input_ids": Tensor(shape: [examples.count, 1], scalars: examples.map { $0.inputIDs[0] }),
                       "labels": Tensor(shape: [examples.count, 1], floats: Array(repeating: .nan, count: examples.count))])
            }
        }
        let pipeline = Pipeline(collator: NaNCollator())
        #expect(throws: PipelineError.collatorFailed(batch: 0, message:
            "the my-collator collator returned a malformed batch: 'labels' holds nan at [0, 0]; every float a model reads must be finite. "
            + "This is a bug in the collator, not in the data; CollatorConformance.verify in its tests reports it too")) {
            _ = try pipeline.prepare([Example(inputIDs: [5, 6])], batchSize: 1, for: BackendContract(requiredInputs: ["input_ids"]))
        }
    }
}
