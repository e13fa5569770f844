import Collate
import CollateCommandLine
import Foundation
import Testing
@testable import CollateCommandLine

/// A third-party collator registered in its own `collate` (CollateTool) that returns a batch no
/// model can read: every command that collates rejects it with exit 1 and a message naming the
/// collator and tensor — before this, `batch` printed `NaN` (not JSON), `export` wrote the shard,
/// `validate` passed float ids and bool labels, and `inspect` crashed on a float32 token tensor.
@Suite("A third-party collator's malformed batch through CollateTool")
struct ThirdPartyMalformedBatchTests {
    /// Builds correct LM batches, then breaks them as `mode` says.
    struct Broken: Collator {
        var mode: String
        var tag: String
        var contract: CollatorContract {
            CollatorContract(name: "broken-\(mode)-\(tag)", reference: "a test collator", requiredFields: ["input_ids"],
                             producedFields: ["input_ids", "attention_mask", "labels"], labelSource: .copyOfInputIDs,
                             layout: .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false))
        }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            let padding = PaddingOptions(padTokenID: 0)
            var rows: [[Int32]] = []
            for (index, example) in examples.enumerated() {
                rows.append(try example.requireSequence("input_ids", example: index, collator: contract.name))
            }
            let lengths = rows.map(\.count)
            let width = try padding.width(forLengths: lengths)
            var batch = Batch([
                "input_ids": try padding.pad(rows, toWidth: width),
                "attention_mask": try padding.attentionMask(lengths: lengths, width: width),
                "labels": try padding.padLabels(rows, toWidth: width),
            ])
            let ids = batch["input_ids"]?.scalars ?? []
            switch mode {
            case "nan-labels": batch["labels"] = Tensor(shape: [rows.count, width], floats: ids.map { $0 == 0 ? .nan : Float($0) })
            case "float-ids": batch["input_ids"] = Tensor(shape: [rows.count, width], floats: ids.map(Float.init))
            case "bool-labels": batch["labels"] = Tensor(shape: [rows.count, width], scalars: ids.map { $0 == 0 ? 0 : 1 }, dtype: .bool)
            case "extra-row": batch["labels"] = Tensor(shape: [rows.count + 1, width], scalars: ids + Array(repeating: ignoreIndex, count: width))
            case "rank-3": batch["input_ids"] = Tensor(shape: [rows.count, 1, width], scalars: ids)
            default: break
            }
            return batch
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let mode: String
        let problem: String
        var testDescription: String { mode }
    }

    static let cases = [
        Case(mode: "nan-labels", problem: "'labels' holds nan at [0, 2]; every float a model reads must be finite"),
        Case(mode: "float-ids", problem: "'input_ids' is float32; token ids, positions and token labels must be int64"),
        Case(mode: "bool-labels", problem: "'labels' is bool; token ids, positions and token labels must be int64"),
        Case(mode: "extra-row", problem: "'labels' has shape [3, 4] but input_ids has [2, 4]"),
        Case(mode: "rank-3", problem: "'input_ids' has shape [2, 1, 4] but a padded batch's input_ids is [rows, L]"),
    ]

    @Test(arguments: cases)
    func everyCommandRejectsIt(_ test: Case) throws {
        let tag = UUID().uuidString.prefix(8).lowercased()
        let registry = CollatorRegistry()
        try registry.register("broken", keys: []) { _ in Broken(mode: test.mode, tag: String(tag)) }
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try CollateProcess.write(#"{"input_ids": [5, 6]}"# + "\n" + #"{"input_ids": [7, 8, 9, 10]}"# + "\n", to: "data.jsonl", in: directory)
        let spec = #"{"type": "broken"}"#
        let commands: [[String]] = [
            ["batch", "--spec", spec, "--input", input],
            ["validate", "--spec", spec, "--input", input],
            ["validate", "--spec", spec, "--input", input, "--format", "json"],
            ["inspect", "--spec", spec, "--input", input],
            ["export", "--spec", spec, "--input", input, "--out", directory.appendingPathComponent("shards").path, "--world-size", "1"],
            ["train", "--backend", "reference", "--spec", spec, "--input", input, "--steps", "1"],
        ]
        for arguments in commands {
            #expect(CollateTool(registry: registry).run(arguments) == 1, "\(arguments[0]) accepted a malformed batch")
            #expect(Console.transcript.contains("the broken-\(test.mode)-\(tag) collator returned a malformed batch: \(test.problem)"), "\(arguments[0])")
        }
        // Nothing was exported: the shard folder holds no shard.
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("shards").path)) ?? []
        #expect(!shards.contains { $0.hasPrefix("rank-") && !((try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("shards/\($0)").path)) ?? []).isEmpty })
    }

    @Test func inspectPrintsALongTensorNameWhole() throws {
        let registry = CollatorRegistry()
        try registry.register("with-decoder", keys: []) { _ in
            Tampered(contract: LanguageModelingCollator(padTokenID: 0).contract) { batch in batch["decoder_input_ids"] = batch["input_ids"] }
        }
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try CollateProcess.write(#"{"input_ids": [5, 6, 7]}"# + "\n", to: "data.jsonl", in: directory)
        #expect(CollateTool(registry: registry).run(["inspect", "--spec", #"{"type": "with-decoder"}"#, "--input", input]) == 0)
        #expect(Console.transcript.contains("  decoder_input_ids [1, 3] int64\n"))
    }

    /// The language-modeling collator with one more tensor added to its batches.
    struct Tampered: Collator {
        var contract: CollatorContract
        var edit: @Sendable (inout Batch) -> Void
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            var batch = try LanguageModelingCollator(padTokenID: 0).collate(examples)
            edit(&batch)
            return batch
        }
    }
}
