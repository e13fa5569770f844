import Collate
import CollateCommandLine
import Foundation
import Testing
@testable import CollateCommandLine

/// A third-party `collate` (CollateTool) with a span-corruption-style collator registered: its
/// targets are generated, of their own length (`.generatedTargets`, `rewritesInputIDs`). As an
/// encoder-decoder's (`--model-kind seq2seq-lm`) they validate; as a causal LM's the message asks
/// for the model kind instead of telling to switch to the language-modeling collator; inspect
/// lists `decoder_input_ids` whole.
@Suite("A generated-targets collator through CollateTool")
struct GeneratedTargetsToolTests {
    /// Hides the last token of each example behind sentinel 99: input `ids.dropLast() + [99, 1]`, labels `[99, last, 1]`.
    struct LastTokenCorruption: Collator {
        var tag: String
        var contract: CollatorContract {
            CollatorContract(name: "last-token-\(tag)", reference: "span corruption of the last token", requiredFields: ["input_ids"],
                             producedFields: ["input_ids", "attention_mask", "labels", "decoder_input_ids"], labelSource: .generatedTargets,
                             layout: .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false), rewritesInputIDs: true)
        }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            guard !examples.isEmpty else { throw .emptyBatch }
            let padding = PaddingOptions(padTokenID: 0)
            var inputs: [[Int32]] = [], targets: [[Int32]] = []
            for index in examples.indices {
                let ids = try examples[index].requireSequence("input_ids", example: index, collator: contract.name)
                guard let last = ids.last else { throw .emptyExample(example: index) }
                inputs.append(ids.dropLast() + [99, 1])
                targets.append([99, last, 1])
            }
            let width = try padding.width(forLengths: inputs.map(\.count))
            return Batch([
                "input_ids": try padding.pad(inputs, toWidth: width),
                "attention_mask": try padding.attentionMask(lengths: inputs.map(\.count), width: width),
                "labels": try padding.padLabels(targets, toWidth: 3),
                "decoder_input_ids": try padding.pad(targets.map { [0] + $0.dropLast() }, toWidth: 3, field: "decoder_input_ids"),
            ])
        }
    }

    @Test func validatesAsAnEncoderDecodersTargetsAndAsksACausalLMForItsKind() throws {
        let tag = UUID().uuidString.prefix(8).lowercased()
        let registry = CollatorRegistry()
        try registry.register("last-token", keys: []) { _ in LastTokenCorruption(tag: String(tag)) }
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try CollateProcess.write(#"{"input_ids": [5, 6, 7, 8, 9, 10]}"# + "\n" + #"{"input_ids": [7, 8]}"# + "\n", to: "data.jsonl", in: directory)
        let tool = CollateTool(registry: registry)
        let spec = #"{"type": "last-token"}"#

        #expect(tool.run(["validate", "--spec", spec, "--input", input, "--model-kind", "seq2seq-lm"]) == 0)
        #expect(tool.run(["validate", "--spec", spec, "--input", input]) == 1)
        #expect(Console.transcript.contains("the last-token-\(tag) collator (span corruption of the last token) generates targets of their own length"))
        #expect(tool.run(["inspect", "--spec", spec, "--input", input, "--model-kind", "seq2seq-lm"]) == 0)
        #expect(Console.transcript.contains("collator last-token-\(tag) (span corruption of the last token)"))
        #expect(Console.transcript.contains("  decoder_input_ids [2, 3] int64\n"))
        // The rows, the trainable fraction and num_items_in_batch count the same 6 trained targets.
        #expect(Console.transcript.contains("── sequence 0 (row 0): 7 tokens, 3 trained, 0 padding\n"), "\(Console.transcript)")
        #expect(Console.transcript.contains("── sequence 1 (row 1): 3 tokens, 3 trained, 4 padding\n"))
        #expect(Console.transcript.contains("  trainable fraction  60.0% (6 of 10 tokens)\n"))
        #expect(Console.transcript.contains("  num_items_in_batch  6\n"))
        #expect(tool.run(["export", "--spec", spec, "--input", input, "--out", directory.appendingPathComponent("shards").path, "--world-size", "1"]) == 0)
    }
}
