import Collate
import Testing

@Suite("Masked language modeling")
struct MaskedLanguageModelingTests {
    /// [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, words from 5; 30 ids.
    static func collator(
        mlm: Double = 0.15, mask: Double = 0.8, random: Double = 0.1, seed: UInt64 = 42, wholeWord: Bool = false
    ) -> MaskedLanguageModelingCollator {
        MaskedLanguageModelingCollator(
            maskTokenID: 4, padTokenID: 0, vocabSize: 30, mlmProbability: mlm, maskReplaceProbability: mask,
            randomReplaceProbability: random, specialTokenIDs: [1, 2, 3], wholeWordMask: wholeWord, seed: seed)
    }

    /// `count` examples of `length` tokens: [CLS] words... [SEP], words cycling through 5..<30.
    static func examples(count: Int, length: Int) -> [Example] {
        (0..<count).map { row in
            Example(inputIDs: [2] + (0..<(length - 2)).map { Int32(5 + ($0 * 7 + row) % 25) } + [3])
        }
    }

    @Test func sameSeedAndStepGiveTheSameBatch() throws {
        let examples = Self.examples(count: 8, length: 64)
        let first = try Self.collator(seed: 7).collate(examples, step: 3)
        let second = try Self.collator(seed: 7).collate(examples, step: 3)
        #expect(first == second)
        #expect(first.names == ["input_ids", "attention_mask", "labels"])
    }

    @Test func differentSeedOrStepGivesADifferentBatch() throws {
        let examples = Self.examples(count: 8, length: 64)
        let base = try Self.collator(seed: 7).collate(examples, step: 0)
        #expect(try Self.collator(seed: 8).collate(examples, step: 0) != base)
        #expect(try Self.collator(seed: 7).collate(examples, step: 1) != base)
    }

    @Test func successiveBatchesUseSuccessiveStreamsLikeHFsStatefulGenerator() throws {
        let examples = Self.examples(count: 4, length: 64)
        let collator = Self.collator(seed: 11)
        let copy = collator
        let fresh = Self.collator(seed: 11)
        let first = try collator.collate(examples)
        let second = try copy.collate(examples)  // a copy continues the same sequence
        #expect(first == (try fresh.collate(examples, step: 0)))
        #expect(second == (try fresh.collate(examples, step: 1)))
        #expect(first != second)
        // A new collator with the same seed starts over.
        #expect(try Self.collator(seed: 11).collate(examples) == first)
    }

    @Test func pinnedOutputGuardsCrossPlatformDeterminism() throws {
        // The generator is integer-only; these ids must never change across platforms or releases.
        let batch = try Self.collator(mlm: 0.5, seed: 1234).collate([Example(inputIDs: [2, 5, 6, 7, 8, 9, 10, 11, 12, 3])], step: 0)
        let labels = try #require(batch["labels"]).scalars
        let inputs = try #require(batch["input_ids"]).scalars
        #expect(labels == Self.pinnedLabels, "labels \(labels)")
        #expect(inputs == Self.pinnedInputs, "inputs \(inputs)")
    }

    static let pinnedLabels: [Int32] = [-100, 5, -100, 7, 8, -100, -100, 11, -100, -100]
    static let pinnedInputs: [Int32] = [2, 20, 6, 13, 4, 9, 10, 4, 12, 3]

    @Test("Rates over 1M maskable tokens match the probabilities", arguments: [
        (0.15, 0.8, 0.1), (0.3, 0.5, 0.4), (0.5, 0.0, 1.0),
    ])
    func rates(mlm: Double, mask: Double, random: Double) throws {
        let length = 1024
        let examples = Self.examples(count: 8, length: length)
        let collator = Self.collator(mlm: mlm, mask: mask, random: random, seed: 99)
        var maskable = 0, selected = 0, masked = 0, changed = 0, mismatches = 0, specialSelected = 0
        var randomIDs = [Int](repeating: 0, count: 30)
        var step: UInt64 = 0
        while maskable < 1_000_000 {
            let batch = try collator.collate(examples, step: step)
            step += 1
            let inputs = try #require(batch["input_ids"]).scalars
            let labels = try #require(batch["labels"]).scalars
            for row in examples.indices {
                let original = examples[row].inputIDs
                for column in 0..<length {
                    let index = row * length + column
                    let (token, label, source) = (inputs[index], labels[index], original[column])
                    if column == 0 || column == length - 1 {  // [CLS], [SEP]
                        if label != ignoreIndex || token != source { specialSelected += 1 }
                        continue
                    }
                    maskable += 1
                    guard label != ignoreIndex else {
                        if token != source { mismatches += 1 }
                        continue
                    }
                    if label != source { mismatches += 1 }
                    selected += 1
                    if token == 4 {
                        masked += 1
                    } else if token != source {
                        changed += 1
                        randomIDs[Int(token)] += 1
                    }
                }
            }
        }
        #expect(specialSelected == 0)
        #expect(mismatches == 0, "unselected tokens must be unchanged and labels must hold the original id")
        // Binomial standard deviations: about 0.0004 for the selection rate at 1M, under 0.002 for shares of 150k or more.
        let selectedRate = Double(selected) / Double(maskable)
        #expect(abs(selectedRate - mlm) < 0.003, "selection rate \(selectedRate)")
        // A random id is the mask id or the original id with probability 1/30 each.
        let maskShare = Double(masked) / Double(selected)
        #expect(abs(maskShare - (mask + random / 30)) < 0.01, "mask share \(maskShare)")
        let randomShare = Double(changed) / Double(selected)
        #expect(abs(randomShare - random * 28 / 30) < 0.01, "random share \(randomShare)")
        if random > 0 {
            // Random ids cover the whole vocabulary, special ids included, as HF's randint(len(tokenizer)).
            #expect(randomIDs.indices.allSatisfy { $0 == 4 || randomIDs[$0] > 0 })
        }
    }

    @Test func probabilityZeroMasksNothingAndOneMasksEveryMaskableToken() throws {
        let examples = [Example(inputIDs: [2, 5, 0, 6, 4, 1, 3]), Example(inputIDs: [2, 3])]
        let none = try Self.collator(mlm: 0).collate(examples)
        #expect(none["input_ids"]?.rows == [[2, 5, 0, 6, 4, 1, 3], [2, 3, 0, 0, 0, 0, 0]])
        #expect(none["labels"]?.scalars.allSatisfy { $0 == ignoreIndex } == true)

        let all = try Self.collator(mlm: 1, mask: 1, random: 0).collate(examples)
        // The pad id inside a sequence, the mask id and the special ids are never selected.
        #expect(all["input_ids"]?.rows == [[2, 4, 0, 4, 4, 1, 3], [2, 3, 0, 0, 0, 0, 0]])
        #expect(all["labels"]?.rows == [[-100, 5, -100, 6, -100, -100, -100], Array(repeating: -100, count: 7)])
    }

    @Test func allSpecialSequencesAndPaddingAreNeverSelected() throws {
        let batch = try Self.collator(mlm: 1, mask: 1, random: 0).collate([Example(inputIDs: [2, 3]), Example(inputIDs: [2, 1, 3])])
        #expect(batch["labels"]?.scalars.allSatisfy { $0 == ignoreIndex } == true)
        #expect(batch["input_ids"]?.rows == [[2, 3, 0], [2, 1, 3]])
    }

    @Test func leftPaddingMasksTheTokensNotThePadding() throws {
        let collator = MaskedLanguageModelingCollator(
            maskTokenID: 4, padTokenID: 0, vocabSize: 30, mlmProbability: 1, maskReplaceProbability: 1, randomReplaceProbability: 0,
            paddingSide: .left)
        let batch = try collator.collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8])])
        #expect(batch["input_ids"]?.rows == [[4, 4, 4], [0, 0, 4]])
        #expect(batch["labels"]?.rows == [[5, 6, 7], [-100, -100, 8]])
        #expect(batch["attention_mask"]?.rows == [[1, 1, 1], [0, 0, 1]])
    }

    @Test func examplesSpecialTokensMaskDecidesInsteadOfIDs() throws {
        var example = Example(inputIDs: [2, 5, 6, 3])
        example["special_tokens_mask"] = .sequence([0, 1, 0, 0])
        let batch = try Self.collator(mlm: 1, mask: 1, random: 0).collate([example])
        #expect(batch["input_ids"]?.rows == [[4, 5, 4, 4]])
        #expect(!batch.contains("special_tokens_mask"))
    }

    @Test func wholeWordMaskingSelectsWholeWords() throws {
        // Words: [5 6] [7] [8 9 10], with special tokens around; word ids restart after [SEP] as in a pair.
        var example = Example(inputIDs: [2, 5, 6, 7, 3, 8, 9, 10, 3])
        example["word_ids"] = .sequence([-1, 0, 0, 1, -1, 0, 0, 0, -1])
        let examples = Array(repeating: example, count: 64)
        let batch = try Self.collator(mlm: 0.5, mask: 1, random: 0, wholeWord: true).collate(examples, step: 5)
        let labels = try #require(batch["labels"])
        var selectedWords = 0
        for row in labels.rows {
            let selected = row.map { $0 != ignoreIndex }
            #expect(!selected[0] && !selected[4] && !selected[8])
            #expect(selected[1] == selected[2])
            #expect(selected[5] == selected[6] && selected[6] == selected[7])
            selectedWords += [selected[1], selected[3], selected[5]].filter { $0 }.count
        }
        #expect(selectedWords > 40 && selectedWords < 150, "about half of 192 words")
        #expect(!batch.contains("word_ids"))
    }

    @Test func wholeWordMaskingRequiresWordIDs() {
        #expect(throws: CollateError.missingField("word_ids", example: 0, collator: "masked-language-modeling")) {
            try Self.collator(wholeWord: true).collate([Example(inputIDs: [5, 6])])
        }
    }

    @Test func misalignedSideFieldsNameTheExample() {
        var example = Example(inputIDs: [5, 6, 7])
        example["special_tokens_mask"] = .sequence([0, 0])
        #expect(throws: CollateError.lengthMismatch("special_tokens_mask", example: 1, length: 2, expected: "input_ids", expectedLength: 3)) {
            try Self.collator().collate([Example(inputIDs: [5]), example])
        }
        #expect(throws: CollateError.missingField("input_ids", example: 0, collator: "masked-language-modeling")) {
            try Self.collator().collate([Example(["labels": .sequence([1])])])
        }
        #expect(throws: CollateError.emptyBatch) { try Self.collator().collate([]) }
    }

    @Test func examplesLabelsAreReplaced() throws {
        let batch = try Self.collator(mlm: 0).collate([Example(inputIDs: [5, 6], labels: [5, 6])])
        #expect(batch["labels"]?.rows == [[-100, -100]])
        #expect(Self.collator().contract.labelSource == .maskedTokens)
    }

    @Test func specDefaultsAreHFs() throws {
        let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "masked-language-modeling", "mask_token_id": 103, "pad_token_id": 0, "vocab_size": 30522}"#)
        let mlm = try #require(collator as? MaskedLanguageModelingCollator)
        #expect(mlm.mlmProbability == 0.15 && mlm.maskReplaceProbability == 0.8 && mlm.randomReplaceProbability == 0.1)
        #expect(mlm.seed == 0 && mlm.specialTokenIDs.isEmpty && !mlm.wholeWordMask)

        let wholeWord = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "masked-language-modeling", "mask_token_id": 103, "pad_token_id": 0, "whole_word_mask": true, "mlm_probability": 1, "seed": 5}"#)
        let wwm = try #require(wholeWord as? MaskedLanguageModelingCollator)
        #expect(wwm.maskReplaceProbability == 1 && wwm.randomReplaceProbability == 0 && wwm.mlmProbability == 1 && wwm.seed == 5)
    }
}
