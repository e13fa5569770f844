// ChatSFT: the whole supervised fine-tuning input pipeline on real data.
//
//   messages JSONL ─► mistral-inst chat format + exact assistant masks (real tokenizer.json)
//                  ─► BFD packing into 1024-token bins ─► padding-free batches (position_ids,
//                     cu_seq_lens) ─► validation ─► a dry run on the reference Swift LM
//
//     swift run ChatSFT [CONVERSATIONS.jsonl] [TOKENIZER]
import Collate
import CollateBackends
import CollateData
import CollateTokenizers
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let dataPath = arguments.first ?? "Samples/Data/chat.jsonl"
let tokenizerPath = arguments.dropFirst().first ?? "Samples/Data/mistral-v1"

do {
    let tokenizer = try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: tokenizerPath))
    let reader = DatasetReader(url: URL(fileURLWithPath: dataPath), tokenizer: tokenizer, chatFormat: try ChatFormat.named("mistral-inst"))
    let (records, report) = try reader.readAll()
    let examples = records.map(\.example)
    print("read \(report)")

    // Pack whole conversations into 1024-token bins; each bin becomes one padding-free row.
    let packer = Packer(capacity: 1024, strategy: .bfd)
    let (plan, packedExamples) = try packer.pack(examples)
    print("packed \(plan.tokens) tokens into \(plan.binCount) bins of 1024: efficiency \(String(format: "%.4f", Double(plan.tokens) / Double(plan.binCount * 1024)))")

    let collator = FlatteningCollator.packed
    // A small model dimension keeps the dry run quick even in a debug build: the point is a
    // real, finite, falling loss over the real 32k vocabulary, not a good model.
    let model = ReferenceLanguageModel(configuration: .init(vocabSize: tokenizer.vocabularySize, dimension: 4, seed: 1))
    let diagnostics = Validator().validate(packedExamples, collator: collator.contract, backend: model.contract)
    print("validation: \(diagnostics.isEmpty ? "no problems" : diagnostics.map(\.description).joined(separator: "\n"))")

    var batches: [Batch] = []
    for bin in 0..<plan.binCount {
        batches.append(try collator.collate(plan[bin: bin].map { packedExamples[$0] }))
    }
    let first = BatchStatistics(batch: batches[0])
    print("batch 0: \(batches[0]["input_ids"]?.shape ?? []) tokens, num_items_in_batch \(first.numItemsInBatch), trainable \(String(format: "%.1f", first.trainableFraction * 100))%")

    var trainer = Trainer(backend: model, configuration: .init(steps: 3, learningRate: 0.05))
    let steps = try trainer.train(batches) { print($0.jsonText) }
    print("loss \(steps.first?.loss ?? .nan) -> \(steps.last?.loss ?? .nan)")
} catch {
    FileHandle.standardError.write(Data("ChatSFT: \(error)\n".utf8))
    exit(1)
}
