import Collate
import CollateTokenizers

/// The model a pipeline's batches go to, as the pipeline file's `model` keys, the model folder
/// and the tokenizer describe it together: explicit keys win over the folder, the folder over
/// the tokenizer. What the validator's backend description is built from.
public struct ModelDescription: Sendable, Hashable {
    /// The model kind (one of ``PipelineConfiguration/modelKinds``); `nil` when nothing says.
    public var kind: String?
    /// The vocabulary size.
    public var vocabSize: Int?
    /// The longest sequence the model takes.
    public var maxLength: Int?
    /// Whether the model takes padding-free batches; `nil` when nothing says.
    public var paddingFree: Bool?
    /// The beginning-of-sequence id.
    public var bosTokenID: Int?
    /// The end-of-sequence id or ids.
    public var eosTokenIDs: [Int]
    /// The model's pad id (config.json / generation_config.json).
    public var padTokenID: Int?
    /// The tokenizer's pad id (its `pad_token`), when it has one.
    public var tokenizerPadTokenID: Int?
    /// The tokenizer's vocabulary size, with added tokens.
    public var tokenizerVocabSize: Int?
    /// The tokenizer's padding side.
    public var paddingSide: PaddingSide?
    /// The chat template text of the model folder, when it has one.
    public var chatTemplate: String?

    /// The model folder's `architectures` when none of them names a model kind Collate knows
    /// (the backend is then taken to be a causal LM); `nil` when the kind is known or given.
    public var unrecognizedArchitectures: [String]?

    /// Combines the sources.
    /// - Parameters:
    ///   - model: The pipeline file's `model` keys.
    ///   - folder: The model folder.
    ///   - tokenizer: The tokenizer.
    public init(model: PipelineConfiguration.Model?, folder: ModelFolder?, tokenizer: (any Tokenizer)?) {
        kind = model?.kind ?? folder?.kind
        vocabSize = model?.vocabSize ?? folder?.vocabSize
        maxLength = model?.maxLength ?? folder?.maxLength
        paddingFree = model?.paddingFree
        bosTokenID = folder?.bosTokenID ?? tokenizer?.bosTokenId
        eosTokenIDs = folder?.eosTokenIDs ?? []
        if eosTokenIDs.isEmpty, let eos = tokenizer?.eosTokenId { eosTokenIDs = [eos] }
        padTokenID = folder?.padTokenID
        tokenizerPadTokenID = tokenizer?.padTokenId
        tokenizerVocabSize = tokenizer?.vocabularySize
        paddingSide = folder?.paddingSide
        chatTemplate = folder?.chatTemplate
        if kind == nil, let folder { unrecognizedArchitectures = folder.architectures }
    }

    /// The backend contract these facts give (the model kind is read from ``kind`` by callers
    /// whose contract has one).
    /// - Parameter requiredInputs: The fields the backend needs; default a model being trained.
    /// - Returns: A contract with the vocabulary, maximum length and padding-free support filled in.
    public func backendContract(requiredInputs: [String] = ["input_ids", "labels"]) -> BackendContract {
        BackendContract(requiredInputs: requiredInputs, acceptsPaddingFree: paddingFree ?? true,
                        vocabSize: vocabSize ?? tokenizerVocabSize, maxLength: maxLength)
    }

    /// Where these facts contradict a collator: its pad id is neither the model's nor the
    /// tokenizer's pad (nor, when the tokenizer has no pad, its EOS — TRL's fallback), or the
    /// tokenizer holds ids beyond the model's vocabulary. One sentence each, for the validator's
    /// diagnostics.
    /// - Parameter collator: The collator's contract.
    /// - Returns: The contradictions, empty when there are none.
    public func contradictions(with collator: CollatorContract) -> [String] {
        var found: [String] = []
        if case .padded(_, let pad, _) = collator.layout {
            let expected = padTokenID ?? tokenizerPadTokenID
            if let expected, Int(pad) != expected {
                let source = padTokenID != nil ? "the model's pad_token_id" : "the tokenizer's pad_token"
                found.append("the collator pads with \(pad) but \(source) is \(expected); set the spec's pad_token_id to \(expected)")
            } else if expected == nil, let eos = eosTokenIDs.first, Int(pad) != eos, Int(pad) != 0 {
                found.append("the collator pads with \(pad); the model and tokenizer name no pad token and its EOS is \(eos) (TRL pads with EOS then)")
            }
        }
        if let vocabSize, let tokenizerVocabSize, tokenizerVocabSize > vocabSize {
            found.append("the tokenizer has \(tokenizerVocabSize) ids but the model's vocab_size is \(vocabSize); ids from \(vocabSize) up would index past the embedding")
        }
        if let architectures = unrecognizedArchitectures {
            let named = architectures.isEmpty ? "config.json names no architectures" : "config.json's architectures \(architectures) name no model kind Collate knows"
            found.append("\(named); the backend is checked as a causal LM — set model.kind (or --model-kind) if it is not one")
        }
        return found
    }
}

extension PipelineConfiguration {
    /// The model these keys, the model folder and the tokenizer describe.
    /// - Throws: ``ModelFolderError``, ``InputError`` for the tokenizer.
    public func modelDescription() throws -> ModelDescription {
        let folder = try modelFolder()
        return ModelDescription(model: model, folder: folder, tokenizer: try loadTokenizer(folder: folder))
    }
}
