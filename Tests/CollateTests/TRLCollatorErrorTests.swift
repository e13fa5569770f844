import Collate
import Testing

/// Bad input to the TRL 1.16 collators (`sft`, `reward`, `unpaired-preference`): a thrown error
/// naming the example and field, never a crash or a silently wrong batch.
@Suite("TRL 1.16 collators: bad input")
struct TRLCollatorErrorTests {
    @Test func sftRejectsWhatTRLCannotCollate() {
        let sft = SFTCollator(padTokenID: 0)
        #expect(throws: CollateError.emptyBatch) { try sft.collate([]) }
        #expect(throws: CollateError.emptyExample(example: 1)) { try sft.collate([Example(inputIDs: [1]), Example(inputIDs: [])]) }
        #expect(throws: CollateError.lengthMismatch("labels", example: 0, length: 1, expected: "input_ids", expectedLength: 2)) {
            try sft.collate([Example(inputIDs: [1, 2], labels: [1])])
        }
        #expect(throws: CollateError.missingField("input_ids", example: 0, collator: "sft")) { try sft.collate([Example(["labels": .sequence([1])])]) }
        let packed = SFTCollator(padTokenID: 0, paddingFree: true)
        #expect(throws: CollateError.lengthMismatch("seq_lengths", example: 0, length: 2, expected: "input_ids", expectedLength: 3)) {
            try packed.collate([Example(["input_ids": .sequence([1, 2, 3]), "seq_lengths": .sequence([1, 1])])])
        }
        #expect(throws: CollateError.missingField("seq_lengths", example: 1, collator: "sft")) {
            try packed.collate([Example(["input_ids": .sequence([1]), "seq_lengths": .sequence([1])]), Example(inputIDs: [2])])
        }
        #expect(throws: CollateError.self) {
            try packed.collate([Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([2, 0])])])
        }
        // Without padding_free or return_position_ids TRL never reads seq_lengths: neither does Collate.
        #expect(throws: Never.self) { try sft.collate([Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([5])])]) }
    }

    @Test func rewardAndUnpairedPreferenceNameTheExample() {
        let reward = RewardCollator(padTokenID: 0)
        // An empty `rejected_ids` is named as such, not as an example without tokens (its chosen row has some).
        #expect(throws: CollateError.wrongFieldKind("rejected_ids", example: 1,
                                                    expected: "a non-empty sequence of token ids (it is empty; drop the example)")) {
            try reward.collate([Example(["chosen_ids": .sequence([1]), "rejected_ids": .sequence([2])]),
                                Example(["chosen_ids": .sequence([1, 2]), "rejected_ids": .sequence([])])])
        }
        #expect(throws: CollateError.missingField("rejected_ids", example: 0, collator: "reward")) {
            try reward.collate([Example(["chosen_ids": .sequence([1])])])
        }
        #expect(throws: CollateError.missingField("margin", example: 1, collator: "reward")) {
            try reward.collate([
                Example(["chosen_ids": .sequence([1]), "rejected_ids": .sequence([2]), "margin": .float(0.5)]),
                Example(["chosen_ids": .sequence([1]), "rejected_ids": .sequence([2])]),
            ])
        }
        #expect(throws: CollateError.wrongFieldKind("margin", example: 0, expected: "a number or a boolean")) {
            try reward.collate([Example(["chosen_ids": .sequence([1]), "rejected_ids": .sequence([2]), "margin": .sequence([1])])])
        }
        let kto = UnpairedPreferenceCollator(padTokenID: 0)
        #expect(throws: CollateError.missingField("label", example: 0, collator: "unpaired-preference")) {
            try kto.collate([Example(["prompt_ids": .sequence([1]), "completion_ids": .sequence([2])])])
        }
        #expect(throws: CollateError.missingField("KL_completion_ids", example: 1, collator: "unpaired-preference")) {
            try kto.collate([
                Example(["prompt_ids": .sequence([1]), "completion_ids": .sequence([2]), "KL_completion_ids": .sequence([3]), "label": .bool(true)]),
                Example(["prompt_ids": .sequence([1]), "completion_ids": .sequence([2]), "label": .bool(false)]),
            ])
        }
    }

    @Test func specsTakeTheDataclassFieldsAndNothingElse() throws {
        let registry = CollatorRegistry.shared
        #expect(try registry.makeCollator(from: JSONParser.parse(#"{"type": "sft", "pad_token_id": 0, "padding_free": true, "return_position_ids": true, "pad_to_multiple_of": 8}"#)) is SFTCollator)
        #expect(try registry.makeCollator(from: JSONParser.parse(#"{"type": "reward", "pad_token_id": 0, "pad_to_multiple_of": 8}"#)) is RewardCollator)
        #expect(try registry.makeCollator(from: JSONParser.parse(#"{"type": "unpaired-preference", "pad_token_id": 0, "max_length": 8, "pad_to_multiple_of": 8}"#)) is UnpairedPreferenceCollator)
        #expect(throws: SpecError.self) { try registry.makeCollator(from: JSONParser.parse(#"{"type": "sft", "pad_token_id": 0, "padding_side": "left"}"#)) }
        #expect(throws: SpecError.self) { try registry.makeCollator(from: JSONParser.parse(#"{"type": "reward"}"#)) }
        #expect(throws: SpecError.self) { try registry.makeCollator(from: JSONParser.parse(#"{"type": "unpaired-preference", "pad_token_id": 0, "max_length": 0}"#)) }
        #expect(throws: SpecError.self) { try registry.makeCollator(from: JSONParser.parse(#"{"type": "sft", "pad_token_id": 0, "padding_free": "yes"}"#)) }
        for type in ["sft", "reward", "unpaired-preference"] {
            #expect(throws: SpecError.invalidValue(key: "pad_to_multiple_of", value: "16777216",
                                                   reason: "must be at most 65536 (tensor cores want 8, 64 or 128); a larger multiple pads every row to it")) {
                try registry.makeCollator(from: JSONParser.parse(#"{"type": "\#(type)", "pad_token_id": 0, "pad_to_multiple_of": 16777216}"#))
            }
        }
    }

    @Test func contractsDescribeTheBatch() throws {
        let examples = [Example(["input_ids": .sequence([1, 2, 3])]), Example(["input_ids": .sequence([4])])]
        for collator in [SFTCollator(padTokenID: 0), SFTCollator(padTokenID: 0, paddingFree: true), SFTCollator(padTokenID: 0, returnPositionIDs: true)] {
            #expect(try collator.collate(examples).names == collator.contract.producedFields)
        }
        #expect(SFTCollator(padTokenID: 0).contract.labelSource == .examplesOrInputIDs)
        #expect(RewardCollator(padTokenID: 0).contract.rowsPerExample == 2)
    }
}
