import Collate
import Testing

@Suite("Preference pairs")
struct PreferenceCollatorTests {
    static let pairs = [
        Example(["prompt_input_ids": .sequence([1, 2, 3]), "chosen_input_ids": .sequence([4, 5]), "rejected_input_ids": .sequence([6])]),
        Example(["prompt_input_ids": .sequence([7, 8]), "chosen_input_ids": .sequence([9]), "rejected_input_ids": .sequence([10, 11])]),
    ]
    /// The same pairs under TRL 1.x's field names.
    static let renamedPairs = pairs.map { pair in
        Example(["prompt_ids": pair["prompt_input_ids"]!, "chosen_ids": pair["chosen_input_ids"]!, "rejected_ids": pair["rejected_input_ids"]!])
    }

    @Test func trlLayoutLeftPadsPromptsAndRightPadsCompletions() throws {
        let batch = try PreferenceCollator(padTokenID: 0).collate(Self.pairs)
        #expect(batch.names == ["prompt_input_ids", "prompt_attention_mask", "chosen_input_ids", "chosen_attention_mask",
                                "rejected_input_ids", "rejected_attention_mask"])
        #expect(batch["prompt_input_ids"]?.rows == [[1, 2, 3], [0, 7, 8]])
        #expect(batch["prompt_attention_mask"]?.rows == [[1, 1, 1], [0, 1, 1]])
        #expect(batch["chosen_input_ids"]?.rows == [[4, 5], [9, 0]])
        #expect(batch["rejected_input_ids"]?.rows == [[6, 0], [10, 11]])
        #expect(batch["rejected_attention_mask"]?.rows == [[1, 0], [1, 1]])
    }

    @Test func concatenatedLayoutsPutChosenRowsThenRejectedRows() throws {
        let trl = try PreferenceCollator(padTokenID: 0, layout: .trlConcatenated).collate(Self.renamedPairs)
        #expect(trl.names == ["input_ids", "attention_mask", "completion_mask"])
        #expect(trl["input_ids"]?.rows == [[1, 2, 3, 4, 5], [7, 8, 9, 0, 0], [1, 2, 3, 6, 0], [7, 8, 10, 11, 0]])
        #expect(trl["completion_mask"]?.rows == [[0, 0, 0, 1, 1], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 1, 1, 0]])

        let torchtune = try PreferenceCollator(padTokenID: 0, layout: .torchtune).collate(Self.pairs)
        #expect(torchtune.names == ["input_ids", "attention_mask", "labels"])
        #expect(torchtune["input_ids"] == trl["input_ids"])
        #expect(torchtune["attention_mask"]?.rows == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 1, 1, 1, 0]])
        #expect(torchtune["labels"]?.rows == [[-100, -100, -100, 4, 5], [-100, -100, 9, -100, -100],
                                              [-100, -100, -100, 6, -100], [-100, -100, 10, 11, -100]])
        #expect(PreferenceCollator(padTokenID: 0, layout: .torchtune).contract.labelSource == .responsesOfPreferencePairs)
    }

    @Test func eachLayoutReadsItsReferencesFieldNames() throws {
        let renamed = Self.renamedPairs
        let concatenated = PreferenceCollator(padTokenID: 0, layout: .trlConcatenated)
        #expect(concatenated.contract.requiredFields == ["prompt_ids", "chosen_ids", "rejected_ids"])
        #expect(try concatenated.collate(renamed)["input_ids"] == PreferenceCollator(padTokenID: 0, layout: .torchtune).collate(Self.pairs)["input_ids"])
        #expect(throws: CollateError.missingField("prompt_ids", example: 0, collator: "preference")) { try concatenated.collate(Self.pairs) }
        #expect(throws: CollateError.missingField("prompt_input_ids", example: 0, collator: "preference")) {
            try PreferenceCollator(padTokenID: 0).collate(renamed)
        }
    }

    @Test func emptyCompletionsAndPrompts() throws {
        let examples = [
            Example(["prompt_input_ids": .sequence([]), "chosen_input_ids": .sequence([]), "rejected_input_ids": .sequence([])]),
        ]
        let trl = try PreferenceCollator(padTokenID: 0).collate(examples)
        #expect(trl["chosen_input_ids"]?.shape == [1, 0])
        #expect(trl["prompt_attention_mask"]?.shape == [1, 0])
        let torchtune = try PreferenceCollator(padTokenID: 0, layout: .torchtune).collate(examples + Self.pairs)
        #expect(torchtune["input_ids"]?.shape == [6, 5])
        #expect(torchtune["labels"]?.rows[0] == [-100, -100, -100, -100, -100])
        #expect(torchtune["attention_mask"]?.rows[3] == [0, 0, 0, 0, 0])
    }

    @Test func truncationKeepsThePromptsEndAndTheCompletionsStart() throws {
        let collator = PreferenceCollator(padTokenID: 0, maxPromptLength: 2, maxCompletionLength: 1)
        let batch = try collator.collate(Self.pairs)
        #expect(batch["prompt_input_ids"]?.rows == [[2, 3], [7, 8]])
        #expect(batch["chosen_input_ids"]?.rows == [[4], [9]])
        #expect(batch["rejected_input_ids"]?.rows == [[6], [10]])
    }

    @Test func maxLengthTruncatesEachRowOnTheChosenSide() throws {
        let start = try PreferenceCollator(padTokenID: 0, layout: .torchtune, maxLength: 4).collate(Self.pairs)
        #expect(start["input_ids"]?.rows == [[1, 2, 3, 4], [7, 8, 9, 0], [1, 2, 3, 6], [7, 8, 10, 11]])
        #expect(start["labels"]?.rows == [[-100, -100, -100, 4], [-100, -100, 9, -100], [-100, -100, -100, 6], [-100, -100, 10, 11]])
        let end = try PreferenceCollator(padTokenID: 0, layout: .torchtune, maxLength: 2, truncationMode: .keepEnd).collate(Self.pairs)
        #expect(end["input_ids"]?.rows == [[4, 5], [8, 9], [3, 6], [10, 11]])
        #expect(end["labels"]?.rows == [[4, 5], [-100, 9], [-100, 6], [10, 11]])
    }

    @Test func missingChosenOrRejectedNamesTheExampleAndField() {
        let noRejected = Example(["prompt_input_ids": .sequence([1]), "chosen_input_ids": .sequence([2])])
        #expect(throws: CollateError.missingField("rejected_input_ids", example: 1, collator: "preference")) {
            try PreferenceCollator(padTokenID: 0).collate([Self.pairs[0], noRejected])
        }
        let nullChosen = Example(["prompt_ids": .sequence([1]), "chosen_ids": .null, "rejected_ids": .sequence([2])])
        #expect(throws: CollateError.missingField("chosen_ids", example: 0, collator: "preference")) {
            try PreferenceCollator(padTokenID: 0, layout: .trlConcatenated).collate([nullChosen])
        }
        let noPrompt = Example(["chosen_input_ids": .sequence([2]), "rejected_input_ids": .sequence([3])])
        #expect(throws: CollateError.missingField("prompt_input_ids", example: 0, collator: "preference")) {
            try PreferenceCollator(padTokenID: 0, layout: .torchtune).collate([noPrompt])
        }
        let scalarChosen = Example(["prompt_input_ids": .sequence([1]), "chosen_input_ids": .scalar(2), "rejected_input_ids": .sequence([3])])
        #expect(throws: CollateError.wrongFieldKind("chosen_input_ids", example: 0, expected: "a sequence of integers")) {
            try PreferenceCollator(padTokenID: 0).collate([scalarChosen])
        }
        #expect(throws: CollateError.emptyBatch) { try PreferenceCollator(padTokenID: 0).collate([]) }
    }

    @Test func errorMessageSaysWhatToAdd() {
        let message = CollateError.missingField("rejected_input_ids", example: 3, collator: "preference").description
        #expect(message.contains("example 3") && message.contains("rejected_input_ids"))
    }
}
