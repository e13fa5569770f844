// libFuzzer target: collator spec JSON -> CollatorRegistry -> one small collation.
//
// A spec must either be rejected with a SpecError or build a collator that collates a small
// fixed batch (or rejects it with a thrown error) without trapping. Built and run by
// Tests/Fuzz/run.sh spec.
import Collate

let examples: [Example] = [
    Example(["input_ids": .sequence([5, 6, 7, 8, 9]), "labels": .sequence([-100, -100, 7, 8, 9]),
             "attention_mask": .sequence([1, 1, 1, 1, 1])]),
    Example(["input_ids": .sequence([5, 6, 2]), "labels": .sequence([5, 6, 2]), "attention_mask": .sequence([1, 1, 1])]),
]
let preference: [Example] = [
    Example(["prompt_input_ids": .sequence([1, 2, 3]), "chosen_input_ids": .sequence([4, 5]),
             "rejected_input_ids": .sequence([6])]),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let collator: any Collator<Batch>
    do {
        collator = try CollatorRegistry.shared.makeCollator(fromJSON: text)
    } catch is SpecError {
        return 0
    } catch {
        fatalError("a built-in factory threw a non-SpecError: \(error)")
    }
    _ = collator.contract
    _ = try? collator.collate(examples)
    _ = try? collator.collate(preference)
    _ = try? collator.collate([])
    return 0
}
