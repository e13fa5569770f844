import Synchronization

/// Masked language modeling (BERT-style): pads, picks tokens to predict at random, replaces
/// most of them with the mask token, and labels only those.
///
/// The semantics of transformers' `DataCollatorForLanguageModeling(mlm=True)`:
///
/// - Each maskable token is selected with probability ``mlmProbability``. Special tokens —
///   ``specialTokenIDs`` plus the pad and mask ids, as HF's `all_special_ids` — and padding are
///   never selected. When an example carries `special_tokens_mask` (1 = special), it decides
///   instead of the ids, as in HF.
/// - A selected token is replaced by the mask id with probability ``maskReplaceProbability``, by
///   a uniform random id in `0..<vocabSize` with probability ``randomReplaceProbability``, and kept
///   otherwise.
/// - `labels` holds the original id at selected positions and -100 everywhere else; labels the
///   examples carry are replaced.
/// - With ``wholeWordMask``, selection is per word: every run of consecutive tokens with the same
///   `word_ids` value (≥ 0) is one word, selected with probability ``mlmProbability`` as a whole.
///
/// Randomness comes from Collate's own generator (xoshiro256** seeded by SplitMix64), so a seed
/// gives the same masks on every platform — but not HF's masks, which come from torch's
/// generator. Batch *n* (counting calls to ``collate(_:)`` on this collator and its copies) uses
/// stream *n* of ``seed``, so successive batches, and successive epochs, are masked differently,
/// as HF's stateful generator does. ``collate(_:step:)`` names the stream explicitly, for
/// reproducible or resumed runs.
///
/// Spec type `masked-language-modeling`; keys `mask_token_id`, `vocab_size`, `mlm_probability`,
/// `mask_replace_prob`, `random_replace_prob`, `seed`, `special_token_ids`, `whole_word_mask`,
/// `pad_token_id`, `padding_side`, `pad_to_multiple_of`.
public struct MaskedLanguageModelingCollator: Collator {
    /// The id written over most selected tokens (`tokenizer.mask_token_id`).
    public var maskTokenID: Int32
    /// Random replacement ids are drawn from `0..<vocabSize` (HF: `len(tokenizer)`).
    public var vocabSize: Int
    /// The probability that a maskable token (or word) is selected for prediction.
    public var mlmProbability: Double
    /// The probability that a selected token becomes the mask id.
    public var maskReplaceProbability: Double
    /// The probability that a selected token becomes a random id.
    public var randomReplaceProbability: Double
    /// Ids that are never selected, besides the pad and mask ids.
    public var specialTokenIDs: [Int32]
    /// Whether to select whole words from each example's `word_ids`.
    public var wholeWordMask: Bool
    /// The seed of the generator.
    public var seed: UInt64
    /// Padding options (HF pads to the longest sequence).
    public var padding: PaddingOptions

    private let batchCounter = _BatchCounter()

    /// Creates the collator.
    /// - Parameters:
    ///   - maskTokenID: The tokenizer's mask id.
    ///   - padTokenID: The tokenizer's pad id; never selected.
    ///   - vocabSize: The exclusive bound of random replacement ids.
    ///   - mlmProbability: HF's `mlm_probability` (0.15).
    ///   - maskReplaceProbability: HF's `mask_replace_prob` (0.8).
    ///   - randomReplaceProbability: HF's `random_replace_prob` (0.1).
    ///   - specialTokenIDs: Other ids never selected (CLS, SEP, BOS, EOS, UNK ...).
    ///   - wholeWordMask: Select whole words from `word_ids`.
    ///   - seed: The generator's seed.
    ///   - paddingSide: The tokenizer's padding side.
    ///   - padToMultipleOf: Round the batch length up to a multiple of this.
    /// - Precondition: the probabilities lie in [0, 1], the replacement ones sum to at most 1, and
    ///   `vocabSize > 0` when `randomReplaceProbability > 0` (the spec decoder checks all three).
    public init(
        maskTokenID: Int32, padTokenID: Int32, vocabSize: Int,
        mlmProbability: Double = 0.15, maskReplaceProbability: Double = 0.8, randomReplaceProbability: Double = 0.1,
        specialTokenIDs: [Int32] = [], wholeWordMask: Bool = false, seed: UInt64 = 0,
        paddingSide: PaddingSide = .right, padToMultipleOf: Int? = nil
    ) {
        precondition((0...1).contains(mlmProbability), "mlmProbability must lie in [0, 1]")
        precondition((0...1).contains(maskReplaceProbability) && (0...1).contains(randomReplaceProbability)
            && maskReplaceProbability + randomReplaceProbability <= 1, "replacement probabilities must lie in [0, 1] and sum to at most 1")
        precondition(randomReplaceProbability == 0 || vocabSize > 0, "random replacement needs vocabSize > 0")
        self.maskTokenID = maskTokenID
        self.vocabSize = vocabSize
        self.mlmProbability = mlmProbability
        self.maskReplaceProbability = maskReplaceProbability
        self.randomReplaceProbability = randomReplaceProbability
        self.specialTokenIDs = specialTokenIDs
        self.wholeWordMask = wholeWordMask
        self.seed = seed
        self.padding = PaddingOptions(padTokenID: padTokenID, side: paddingSide, strategy: .longest, padToMultipleOf: padToMultipleOf)
    }

    public var contract: CollatorContract {
        CollatorContract(
            name: "masked-language-modeling", reference: "transformers DataCollatorForLanguageModeling(mlm=True)",
            requiredFields: wholeWordMask ? ["input_ids", "word_ids"] : ["input_ids"],
            optionalFields: ["attention_mask", "token_type_ids", "special_tokens_mask"] + (wholeWordMask ? [] : ["word_ids"]),
            producedFields: ["input_ids", "attention_mask", "labels"], labelSource: .maskedTokens,
            // Tokens equal to the pad id are special, so never selected nor trained (HF's all_special_ids).
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: true))
    }

    /// Builds the next batch: the stream is the number of batches this collator (or a copy of
    /// it) has built before.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        try collate(examples, step: batchCounter.next())
    }

    /// Builds a batch with the masks of stream `step` of ``seed``: the same examples, seed and
    /// step always give the same batch.
    /// - Throws: ``CollateError`` for a missing `input_ids` (or `word_ids` with whole-word
    ///   masking), or a `special_tokens_mask` / `word_ids` not aligned with `input_ids`.
    /// - Complexity: O(*B* × *L*).
    public func collate(_ examples: [Example], step: UInt64) throws(CollateError) -> Batch {
        let name = contract.name
        var specialMasks: [[Int32]?] = []
        var wordIDs: [[Int32]?] = []
        specialMasks.reserveCapacity(examples.count)
        wordIDs.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            let length = try example.requireSequence("input_ids", example: index, collator: name).count
            specialMasks.append(try Self.aligned("special_tokens_mask", of: example, index: index, length: length, required: false, collator: name))
            wordIDs.append(try Self.aligned("word_ids", of: example, index: index, length: length, required: wholeWordMask, collator: name))
        }
        var (batch, width) = try _tokenizerPad(
            examples, options: padding, excluding: ["labels", "special_tokens_mask", "word_ids"], collator: name)
        guard var inputs = batch["input_ids"] else { throw .emptyBatch }
        var labels = [Int32](repeating: ignoreIndex, count: inputs.scalars.count)

        var masker = _Masker(collator: self, step: step)
        inputs.withUnsafeMutableScalars { tokens in
            labels.withUnsafeMutableBufferPointer { labelBuffer in
                for row in examples.indices {
                    let length = examples[row].inputIDs.count
                    let start = row * width + (padding.side == .right ? 0 : width - length)
                    masker.maskRow(
                        tokens: UnsafeMutableBufferPointer(rebasing: tokens[start ..< start + length]),
                        labels: UnsafeMutableBufferPointer(rebasing: labelBuffer[start ..< start + length]),
                        specialMask: specialMasks[row], wordIDs: wholeWordMask ? wordIDs[row] : nil)
                }
            }
        }
        batch["input_ids"] = inputs
        batch["labels"] = Tensor(shape: inputs.shape, scalars: labels)
        return batch
    }

    /// The example's sequence `field` when present, checked to have `length` elements.
    private static func aligned(
        _ field: String, of example: Example, index: Int, length: Int, required: Bool, collator: String
    ) throws(CollateError) -> [Int32]? {
        guard required || example.has(field) else { return nil }
        let values = try example.requireSequence(field, example: index, collator: collator)
        guard values.count == length else {
            throw .lengthMismatch(field, example: index, length: values.count, expected: "input_ids", expectedLength: length)
        }
        return values
    }
}

/// A counter shared by a collator and its copies: the number of batches built so far.
final class _BatchCounter: Sendable {
    private let count = Atomic<UInt64>(0)

    /// The next batch number.
    func next() -> UInt64 { count.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// The masking loop of one batch, with its generator and precomputed thresholds.
struct _Masker {
    private var generator: SeededGenerator
    private let selectThreshold: UInt64
    private let maskThreshold: UInt64
    private let randomThreshold: UInt64
    private let maskTokenID: Int32
    private let vocabSize: UInt64
    private let special: _TokenSet

    init(collator: MaskedLanguageModelingCollator, step: UInt64) {
        generator = SeededGenerator(seed: collator.seed, stream: step)
        selectThreshold = SeededGenerator.threshold(collator.mlmProbability)
        maskThreshold = SeededGenerator.threshold(collator.maskReplaceProbability)
        randomThreshold = maskThreshold + SeededGenerator.threshold(collator.randomReplaceProbability)
        maskTokenID = collator.maskTokenID
        vocabSize = UInt64(max(collator.vocabSize, 1))
        special = _TokenSet(collator.specialTokenIDs + [collator.padding.padTokenID, collator.maskTokenID])
    }

    /// Selects, labels and replaces tokens of one unpadded row in place.
    mutating func maskRow(
        tokens: UnsafeMutableBufferPointer<Int32>, labels: UnsafeMutableBufferPointer<Int32>,
        specialMask: [Int32]?, wordIDs: [Int32]?
    ) {
        guard selectThreshold > 0 else { return }
        let count = tokens.count
        func isSpecial(_ index: Int) -> Bool {
            if let specialMask { return specialMask[index] != 0 }
            return special.contains(tokens[index])
        }
        guard let wordIDs else {
            for index in 0..<count where !isSpecial(index) && generator.next53() < selectThreshold {
                replace(index, tokens: tokens, labels: labels)
            }
            return
        }
        // Whole words: a word is a run of consecutive maskable tokens sharing a word id >= 0.
        var index = 0
        while index < count {
            let word = wordIDs[index]
            guard word >= 0, !isSpecial(index) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < count, wordIDs[end] == word, !isSpecial(end) { end += 1 }
            if generator.next53() < selectThreshold {
                for position in index..<end { replace(position, tokens: tokens, labels: labels) }
            }
            index = end
        }
    }

    /// Labels a selected token and replaces it: mask id, random id or unchanged.
    @inline(__always)
    private mutating func replace(_ index: Int, tokens: UnsafeMutableBufferPointer<Int32>, labels: UnsafeMutableBufferPointer<Int32>) {
        labels[index] = tokens[index]
        guard maskThreshold > 0 || randomThreshold > 0 else { return }
        let draw = generator.next53()
        if draw < maskThreshold {
            tokens[index] = maskTokenID
        } else if draw < randomThreshold {
            tokens[index] = Int32(truncatingIfNeeded: generator.next(below: vocabSize))
        }
    }
}

/// A small set of token ids with a fast membership test: a bitmap when the ids are small, a
/// sorted array otherwise.
struct _TokenSet: Sendable {
    private let bitmap: [UInt64]
    private let sorted: [Int32]

    init(_ ids: [Int32]) {
        let unique = Array(Set(ids.filter { $0 >= 0 })).sorted()
        if let largest = unique.last, largest < 1 << 22 {
            var words = [UInt64](repeating: 0, count: Int(largest) / 64 + 1)
            for id in unique { words[Int(id) / 64] |= 1 << UInt64(id % 64) }
            bitmap = words
            sorted = []
        } else {
            bitmap = []
            sorted = unique
        }
    }

    @inline(__always)
    func contains(_ id: Int32) -> Bool {
        guard id >= 0 else { return false }
        if !bitmap.isEmpty {
            let word = Int(id) >> 6
            return word < bitmap.count && bitmap[word] & (1 << UInt64(id & 63)) != 0
        }
        return sorted.contains(id)
    }
}
