// CustomCollator: a third-party collator, registered under its own spec type and then built
// from JSON exactly like the built-in ones.
//
//     swift run CustomCollator
import Collate

/// Pads like HF's LM collator but also masks the first `prompt_tokens` of every example —
/// a fixed-length system prompt that should never be trained.
struct FixedPromptCollator: Collator {
    var padTokenID: Int32
    var promptTokens: Int

    var contract: CollatorContract {
        CollatorContract(
            name: "fixed-prompt", reference: "sample: LanguageModelingCollator + fixed prompt mask",
            requiredFields: ["input_ids"], producedFields: ["input_ids", "attention_mask", "labels"],
            labelSource: .completionOfInputIDs,
            layout: .padded(side: .right, padTokenID: padTokenID, masksLabelsByPadID: true))
    }

    func collate(_ examples: [Example]) throws -> Batch {
        var batch = try LanguageModelingCollator(padTokenID: padTokenID).collate(examples)
        guard var labels = batch["labels"] else { return batch }
        let width = labels.shape[1]
        labels.withUnsafeMutableScalars { scalars in
            for row in 0..<examples.count {
                for column in 0..<min(promptTokens, width) { scalars[row * width + column] = ignoreIndex }
            }
        }
        batch["labels"] = labels
        return batch
    }
}

CollatorRegistry.shared.register("fixed-prompt", keys: ["pad_token_id", "prompt_tokens"]) { spec in
    FixedPromptCollator(
        padTokenID: try spec.requiredInt32("pad_token_id", reason: "the tokenizer's pad id"),
        promptTokens: Int(try spec.int32("prompt_tokens", default: 0) ?? 0))
}

do {
    let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "fixed-prompt", "pad_token_id": 0, "prompt_tokens": 2}"#)
    let batch = try collator.collate([Example(inputIDs: [11, 12, 13, 14]), Example(inputIDs: [21, 22, 23])])
    print(batch.jsonText)
    // A typo in the spec is an error, not a silent default.
    do {
        _ = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "fixed-prompt", "pad_token_id": 0, "prompt_token": 2}"#)
    } catch {
        print("rejected: \(error)")
    }
} catch {
    print("error: \(error)")
}
