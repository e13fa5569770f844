import Foundation
import Testing
@testable import CollateTokenizers

/// The `truncation` and `padding` sections of tokenizer.json, beyond the golden cases
/// (reference: HF tokenizers 0.23.3 `Tokenizer.encode` / `encode_batch`).
@Suite("tokenizer.json truncation and padding")
struct TruncationPaddingTests {
    static func tokenizer(truncation: String = "null", padding: String = "null") throws -> PretrainedTokenizer {
        let json = """
            {"truncation": \(truncation), "padding": \(padding),
             "pre_tokenizer": {"type": "WhitespaceSplit"},
             "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
             "model": {"type": "WordLevel", "unk_token": "[UNK]",
                       "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "[PAD]": 3, "a": 4, "b": 5, "c": 6}}}
            """
        return try PretrainedTokenizer(data: Data(json.utf8))
    }

    @Test func onlySecondWithoutAPairThrowsAsHFRaises() throws {
        let tokenizer = try Self.tokenizer(truncation: #"{"max_length": 4, "strategy": "OnlySecond"}"#)
        #expect(throws: PretrainedTokenizer.EncodingError.secondSequenceNotProvided) {
            try tokenizer.encode("a b c a b", pair: nil)
        }
        // `Tokenizer.encodeWithOffsets` (what chat rendering and datasets call) throws too.
        #expect(throws: PretrainedTokenizer.EncodingError.secondSequenceNotProvided) {
            try tokenizer.encodeWithOffsets(text: "a b c a b", addSpecialTokens: false)
        }
        // A text that fits needs no second sequence, as in HF.
        #expect(try tokenizer.encodeWithOffsets(text: "a b", addSpecialTokens: true).ids == [1, 4, 5, 2])
        // The non-throwing single-text encode leaves such a text untruncated.
        #expect(tokenizer.encode("a b c a b").ids == [1, 4, 5, 6, 4, 5, 2])
        // With a pair, only the second text is shortened: 5 - 3 special tokens leave 2 tokens.
        let pairTokenizer = try Self.tokenizer(truncation: #"{"max_length": 5, "strategy": "OnlySecond"}"#)
        let pair = try pairTokenizer.encode("a", pair: "b c a b c")
        #expect(pair.ids == [1, 4, 2, 5, 2])
        #expect(pair.typeIDs == [0, 0, 0, 1, 1])
        #expect(pair.offsets == [0..<0, 0..<1, 0..<0, 0..<1, 0..<0])
        #expect(throws: PretrainedTokenizer.EncodingError.sequenceTooShort(length: 1, toRemove: 2)) {
            try pairTokenizer.encode("a b c", pair: "c")
        }
    }

    @Test func longestFirstKeepsRoomForSpecialTokens() throws {
        let tokenizer = try Self.tokenizer(truncation: #"{"max_length": 5, "strategy": "LongestFirst", "direction": "Left"}"#)
        let encoding = tokenizer.encode("a b c a b")
        #expect(encoding.ids == [1, 6, 4, 5, 2])
        #expect(encoding.offsets == [0..<0, 4..<5, 6..<7, 8..<9, 0..<0])
    }

    @Test func batchLongestPadsTheBatchToItsLongest() throws {
        let tokenizer = try Self.tokenizer(padding: #"{"strategy": "BatchLongest", "direction": "Right", "pad_id": 3, "pad_type_id": 0, "pad_token": "[PAD]", "pad_to_multiple_of": null}"#)
        let batch = tokenizer.encodeBatch(["a", "a b c"])
        #expect(batch[0].ids == [1, 4, 2, 3, 3])
        #expect(batch[0].attentionMask == [1, 1, 1, 0, 0])
        #expect(batch[0].offsets == [0..<0, 0..<1, 0..<0, 0..<0, 0..<0])
        #expect(batch[1].ids == [1, 4, 5, 6, 2])
        // A single encode pads to its own length only.
        #expect(tokenizer.encode("a").ids == [1, 4, 2])
    }

    @Test func badSectionsNameTheirPath() {
        #expect(throws: TokenizerJSONError.invalidValue(path: "truncation.strategy", value: "\"Random\"", reason: "use one of LongestFirst, OnlyFirst, OnlySecond")) {
            try Self.tokenizer(truncation: #"{"max_length": 4, "strategy": "Random"}"#)
        }
        #expect(throws: TokenizerJSONError.invalidValue(path: "padding.strategy", value: "\"Longest\"", reason: "use \"BatchLongest\" or {\"Fixed\": length}")) {
            try Self.tokenizer(padding: #"{"strategy": "Longest"}"#)
        }
        #expect(throws: TokenizerJSONError.missingKey(path: "truncation.max_length")) {
            try Self.tokenizer(truncation: #"{"strategy": "LongestFirst"}"#)
        }
    }
}
