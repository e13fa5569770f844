// Seq2Seq: DataCollatorForSeq2Seq semantics, including its quirks — labels padded to their own
// length, and no labels at all when the dataset has none (HF's `labels=None`, after which the
// model returns only logits).
//
//     swift run Seq2Seq
import Collate

let collator = Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0, padToMultipleOf: 4))

do {
    let labelled = try collator.collate([
        Example(inputIDs: [101, 102, 103], labels: [7, 8]),
        Example(inputIDs: [104], labels: [9, 10, 11, 12, 13]),
    ])
    print("labelled:  ", labelled.jsonText)

    let unlabelled = try collator.collate([Example(inputIDs: [101, 102]), Example(inputIDs: [103])])
    print("unlabelled:", unlabelled.jsonText)
    print("unlabelled batch has labels:", unlabelled.contains("labels"), "— a model given this returns no loss")
} catch {
    print("error: \(error)")
}
