import Collate
import Testing

/// A row is capped at 2^24 tokens by the spec reader, but rows × width was unbounded:
/// `pad_to_multiple_of: 16777216` over 64 rows allocated 4 GB per tensor.
@Suite("Padding: the whole batch (B × L) is bounded")
struct BatchSizeLimitTests {
    static let huge = 1 << 24

    static func examples(_ count: Int) -> [Example] {
        (0..<count).map { _ in Example(inputIDs: [1, 2, 3], labels: [1, 2, 3]) }
    }

    @Test func languageModelingRefusesAHugeBatch() {
        let collator = LanguageModelingCollator(padTokenID: 0, padToMultipleOf: Self.huge)
        #expect(throws: CollateError.batchTooLarge("input_ids", rows: 64, width: Self.huge, maximum: PaddingOptions.maximumBatchElements)) {
            try collator.collate(Self.examples(64))
        }
        // An ordinary multiple still collates.
        #expect(throws: Never.self) { try LanguageModelingCollator(padTokenID: 0, padToMultipleOf: 1 << 10).collate(Self.examples(64)) }
    }

    @Test func seq2SeqLabelsAndPreferenceRowsAreBoundedToo() {
        let seq2seq = Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0, padToMultipleOf: Self.huge))
        #expect(throws: CollateError.batchTooLarge("input_ids", rows: 64, width: Self.huge, maximum: PaddingOptions.maximumBatchElements)) {
            try seq2seq.collate(Self.examples(64))
        }
        let pairs = (0..<32).map { _ in
            Example(["prompt_input_ids": .sequence([1, 2]), "chosen_input_ids": .sequence([3]), "rejected_input_ids": .sequence([4])])
        }
        #expect(throws: CollateError.batchTooLarge("prompt_input_ids", rows: 32, width: Self.huge, maximum: PaddingOptions.maximumBatchElements)) {
            try PreferenceCollator(padTokenID: 0, padToMultipleOf: Self.huge).collate(pairs)
        }
        #expect(throws: CollateError.batchTooLarge("input_ids", rows: 64, width: Self.huge, maximum: PaddingOptions.maximumBatchElements)) {
            try PreferenceCollator(padTokenID: 0, layout: .torchtune, padToMultipleOf: Self.huge).collate(pairs)
        }
    }

    @Test func theMessageSaysWhatToLower() {
        let error = CollateError.batchTooLarge("input_ids", rows: 64, width: Self.huge, maximum: 1 << 28)
        #expect(error.description == "'input_ids' would be padded to 64 rows × 16777216 positions, more than the 268435456 values one batch "
            + "tensor may hold; lower pad_to_multiple_of or max_length (a typo?), or use a smaller batch size")
        #expect(error.exampleIndex == nil)
    }
}
