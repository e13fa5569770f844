import Foundation

/// Why the reference model could not run a batch; each case carries the bad value.
public enum ReferenceModelError: Error, Sendable, Hashable {
    /// The batch has no `input_ids`.
    case missingInputIDs(keys: [String])
    /// A token id is outside `0..<vocabSize`.
    case tokenOutOfRange(Int32, position: Int, vocabSize: Int)
    /// A tensor's shape differs from `input_ids`'s.
    case shapeMismatch(String, shape: [Int], expected: [Int])
    /// A label (other than the ignore index) is outside `0..<vocabSize`.
    case labelOutOfRange(Int32, position: Int, vocabSize: Int)
    /// A vocabulary larger than ``ReferenceLanguageModel/maximumVocabSize`` was asked for.
    case vocabularyTooLarge(Int)

    /// Checks that a vocabulary size taken from user data fits the reference model.
    /// - Throws: ``vocabularyTooLarge(_:)`` above ``ReferenceLanguageModel/maximumVocabSize``.
    public static func checkVocabSize(_ vocabSize: Int) throws(ReferenceModelError) {
        if vocabSize > ReferenceLanguageModel.maximumVocabSize { throw .vocabularyTooLarge(vocabSize) }
    }
}

extension ReferenceModelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingInputIDs(let keys):
            "the batch has no 'input_ids' (it holds \(keys.joined(separator: ","))); every batch needs them"
        case let .tokenOutOfRange(id, position, vocabSize):
            "input_ids holds \(id) at flat position \(position), outside the vocabulary 0..<\(vocabSize); re-tokenize, or create the model with a larger vocabSize"
        case let .shapeMismatch(name, shape, expected):
            "'\(name)' has shape \(shape) but input_ids has \(expected); token-level tensors must be aligned with input_ids"
        case let .labelOutOfRange(label, position, vocabSize):
            "labels holds \(label) at flat position \(position), neither -100 nor in 0..<\(vocabSize); use -100 for untrained positions"
        case .vocabularyTooLarge(let vocabSize):
            "a vocabulary of \(vocabSize) ids is larger than the reference model's maximum of \(ReferenceLanguageModel.maximumVocabSize); "
                + "check the token ids (one id this large usually means a corrupt record) or use an external backend"
        }
    }
}

extension ReferenceModelError: LocalizedError {
    public var errorDescription: String? { description }
}
