// QuickStart: read pre-tokenized examples, build a collator from a JSON spec, print each batch's
// shapes and how many label positions are trained.
//
//     swift run QuickStart [SPEC.json] [EXAMPLES.jsonl]
import Collate
import CollateData
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let specPath = arguments.first ?? "Samples/Data/seq2seq.json"
let dataPath = arguments.dropFirst().first ?? "Samples/Data/sft-mistral.jsonl"

do {
    let collator = try CollatorRegistry.shared.makeCollator(fromJSON: try String(contentsOfFile: specPath, encoding: .utf8))
    let examples = try ExampleFile.read(URL(fileURLWithPath: dataPath)).map(\.example)
    print("\(examples.count) examples, collator \(collator.contract.name) (\(collator.contract.reference))")
    for start in stride(from: 0, to: examples.count, by: 4) {
        let batch = try collator.collate(Array(examples[start..<min(start + 4, examples.count)]))
        let shapes = zip(batch.names, batch.tensors).map { "\($0)\($1.shape)" }.joined(separator: " ")
        let trained = batch["labels"]?.scalars.count { $0 != ignoreIndex } ?? 0
        print("batch \(start / 4): \(shapes)  trained labels: \(trained)")
    }
} catch {
    FileHandle.standardError.write(Data("QuickStart: \(error)\n".utf8))
    exit(1)
}
