import Collate
import Foundation

/// What a model folder, as transformers saves it and users download it, says about the model:
/// read from `config.json`, `generation_config.json`, `tokenizer_config.json` (and
/// `chat_template.jinja` when present), with the tokenizer in `tokenizer.json`.
///
/// ```swift
/// let model = try ModelFolder(contentsOf: URL(fileURLWithPath: "models/llama"))
/// model.kind          // "causal-lm" (from "architectures": ["LlamaForCausalLM"])
/// model.vocabSize     // 32000
/// model.maxLength     // 4096: the smaller of max_position_embeddings and model_max_length
/// ```
///
/// The kind comes from the first architecture name: `…ForCausalLM` → `causal-lm`;
/// `…ForConditionalGeneration` of an encoder-decoder config (`is_encoder_decoder`) → `seq2seq-lm`
/// (of a decoder-only one, e.g. a vision-language model, `causal-lm`); `…ForSeq2SeqLM` →
/// `seq2seq-lm`; `…ForSequenceClassification`, `…ForTokenClassification`, `…ForMaskedLM`.
public struct ModelFolder: Sendable, Hashable {
    /// The folder.
    public var url: URL
    /// `architectures` of config.json, e.g. `["LlamaForCausalLM"]`.
    public var architectures: [String]
    /// `model_type` of config.json, e.g. `"llama"`.
    public var modelType: String?
    /// `is_encoder_decoder` of config.json.
    public var isEncoderDecoder: Bool
    /// The model kind the architecture implies (one of ``PipelineConfiguration/modelKinds``), or
    /// `nil` when the architecture name says none.
    public var kind: String?
    /// `vocab_size` (of config.json, or of its `text_config`).
    public var vocabSize: Int?
    /// `max_position_embeddings` (or `n_positions`, `max_sequence_length`).
    public var maxPositionEmbeddings: Int?
    /// `model_max_length` of tokenizer_config.json, when it is a real limit (transformers writes
    /// 10^30 for "none").
    public var modelMaxLength: Int?
    /// `bos_token_id` (generation_config.json wins over config.json).
    public var bosTokenID: Int?
    /// `eos_token_id`: one id or several (Llama 3 lists `<|end_of_text|>` and `<|eot_id|>`).
    public var eosTokenIDs: [Int]
    /// `pad_token_id`.
    public var padTokenID: Int?
    /// `decoder_start_token_id` of an encoder-decoder model.
    public var decoderStartTokenID: Int?
    /// `padding_side` of tokenizer_config.json.
    public var paddingSide: PaddingSide?
    /// The tokenizer's special tokens by name (`bos_token`, `eos_token`, `pad_token`, `unk_token`) from tokenizer_config.json.
    public var specialTokens: [String: String]
    /// `tokenizer.json` in the folder, when present.
    public var tokenizerFile: URL?
    /// The chat template: `chat_template.jinja`, else tokenizer_config.json's `chat_template`
    /// (a string, or the `default` entry of a list of `{"name", "template"}`).
    public var chatTemplate: String?

    /// The longest sequence the model takes: the smaller of ``maxPositionEmbeddings`` and
    /// ``modelMaxLength``, or whichever is known.
    public var maxLength: Int? {
        switch (maxPositionEmbeddings, modelMaxLength) {
        case let (positions?, tokenizer?): min(positions, tokenizer)
        case let (positions?, nil): positions
        case let (nil, tokenizer?): tokenizer
        case (nil, nil): nil
        }
    }

    /// Reads a model folder.
    /// - Parameter url: The folder holding config.json.
    /// - Throws: ``ModelFolderError`` naming the file and key at fault.
    public init(contentsOf url: URL) throws(ModelFolderError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAFolder(path: url.path)
        }
        self.url = url
        let configURL = url.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else { throw .missingConfig(folder: url.path) }
        let config = try Self.readObject(configURL)
        let file = configURL.path
        architectures = try Self.strings(config["architectures"], key: "architectures", file: file)
        modelType = try Self.string(config["model_type"], key: "model_type", file: file)
        isEncoderDecoder = try Self.bool(config["is_encoder_decoder"], key: "is_encoder_decoder", file: file) ?? false
        // Multimodal configs keep the language model's numbers under text_config.
        var text = config
        if case .object(let nested)? = config["text_config"] { text = nested }
        vocabSize = try Self.int(config["vocab_size"], key: "vocab_size", file: file)
        if vocabSize == nil { vocabSize = try Self.int(text["vocab_size"], key: "text_config.vocab_size", file: file) }
        var positions: Int?
        for key in ["max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"] where positions == nil {
            positions = try Self.int(config[key], key: key, file: file)
            if positions == nil { positions = try Self.int(text[key], key: "text_config.\(key)", file: file) }
        }
        maxPositionEmbeddings = positions
        bosTokenID = try Self.int(config["bos_token_id"], key: "bos_token_id", file: file)
        eosTokenIDs = try Self.ints(config["eos_token_id"], key: "eos_token_id", file: file)
        padTokenID = try Self.int(config["pad_token_id"], key: "pad_token_id", file: file)
        decoderStartTokenID = try Self.int(config["decoder_start_token_id"], key: "decoder_start_token_id", file: file)
        specialTokens = [:]

        let generationURL = url.appendingPathComponent("generation_config.json")
        if FileManager.default.fileExists(atPath: generationURL.path) {
            let generation = try Self.readObject(generationURL)
            let file = generationURL.path
            if let bos = try Self.int(generation["bos_token_id"], key: "bos_token_id", file: file) { bosTokenID = bos }
            let eos = try Self.ints(generation["eos_token_id"], key: "eos_token_id", file: file)
            if !eos.isEmpty { eosTokenIDs = eos }
            if let pad = try Self.int(generation["pad_token_id"], key: "pad_token_id", file: file) { padTokenID = pad }
            if let start = try Self.int(generation["decoder_start_token_id"], key: "decoder_start_token_id", file: file) { decoderStartTokenID = start }
        }

        let tokenizerConfigURL = url.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: tokenizerConfigURL.path) {
            let tokenizerConfig = try Self.readObject(tokenizerConfigURL)
            let file = tokenizerConfigURL.path
            modelMaxLength = try Self.limit(tokenizerConfig["model_max_length"], file: file)
            if let side = try Self.string(tokenizerConfig["padding_side"], key: "padding_side", file: file) {
                guard let parsed = PaddingSide(rawValue: side) else {
                    throw .wrongType(file: file, key: "padding_side", expected: "\"right\" or \"left\"", found: "\"\(side)\"")
                }
                paddingSide = parsed
            }
            for key in ["bos_token", "eos_token", "pad_token", "unk_token"] {
                switch tokenizerConfig[key] {
                case .string(let token)?: specialTokens[key] = token
                case .object(let token)?: if case .string(let content)? = token["content"] { specialTokens[key] = content }
                default: break
                }
            }
            chatTemplate = try Self.chatTemplate(tokenizerConfig["chat_template"], file: file)
        }
        let jinjaURL = url.appendingPathComponent("chat_template.jinja")
        if let data = FileManager.default.contents(atPath: jinjaURL.path) {
            chatTemplate = String(decoding: data, as: UTF8.self)
        }
        let tokenizerURL = url.appendingPathComponent("tokenizer.json")
        tokenizerFile = FileManager.default.fileExists(atPath: tokenizerURL.path) ? tokenizerURL : nil
        kind = Self.kind(architectures: architectures, isEncoderDecoder: isEncoderDecoder)
    }

    /// The model kind an architecture name implies.
    /// - Parameters:
    ///   - architectures: `architectures` of config.json; the first one that names a kind decides.
    ///   - isEncoderDecoder: `is_encoder_decoder` of config.json.
    /// - Returns: One of ``PipelineConfiguration/modelKinds``, or `nil`.
    public static func kind(architectures: [String], isEncoderDecoder: Bool) -> String? {
        for name in architectures {
            if name.hasSuffix("ForCausalLM") || name.hasSuffix("LMHeadModel") { return "causal-lm" }
            if name.hasSuffix("ForConditionalGeneration") { return isEncoderDecoder ? "seq2seq-lm" : "causal-lm" }
            if name.hasSuffix("ForSeq2SeqLM") { return "seq2seq-lm" }
            if name.hasSuffix("ForSequenceClassification") { return "sequence-classification" }
            if name.hasSuffix("ForTokenClassification") { return "token-classification" }
            if name.hasSuffix("ForMaskedLM") { return "masked-lm" }
        }
        return isEncoderDecoder ? "seq2seq-lm" : nil
    }

    // MARK: - Reading

    static func readObject(_ url: URL) throws(ModelFolderError) -> JSONObject {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .invalidFile(file: url.path, reason: "cannot read the file")
        }
        let value: JSONValue
        do {
            value = try [UInt8](data).withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            throw .invalidFile(file: url.path, reason: "not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw .invalidFile(file: url.path, reason: "must be a JSON object, found \(value.typeName)")
        }
        return object
    }

    private static func found(_ value: JSONValue) -> String { "\(value.typeName) \(value.preview())" }

    static func string(_ value: JSONValue?, key: String, file: String) throws(ModelFolderError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .wrongType(file: file, key: key, expected: "a string", found: found(other))
        }
    }

    static func bool(_ value: JSONValue?, key: String, file: String) throws(ModelFolderError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw .wrongType(file: file, key: key, expected: "true or false", found: found(other))
        }
    }

    static func int(_ value: JSONValue?, key: String, file: String) throws(ModelFolderError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)? where number >= 0 && number <= Int64(Int32.max): return Int(number)
        case let other?: throw .wrongType(file: file, key: key, expected: "a non-negative integer below 2^31", found: found(other))
        }
    }

    static func ints(_ value: JSONValue?, key: String, file: String) throws(ModelFolderError) -> [Int] {
        if case .array(let items)? = value {
            var result: [Int] = []
            for (index, item) in items.enumerated() {
                guard let id = try int(item, key: "\(key)[\(index)]", file: file) else {
                    throw .wrongType(file: file, key: "\(key)[\(index)]", expected: "an integer", found: "null")
                }
                result.append(id)
            }
            return result
        }
        return try int(value, key: key, file: file).map { [$0] } ?? []
    }

    static func strings(_ value: JSONValue?, key: String, file: String) throws(ModelFolderError) -> [String] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            var result: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let name) = item else {
                    throw .wrongType(file: file, key: "\(key)[\(index)]", expected: "a string", found: found(item))
                }
                result.append(name)
            }
            return result
        case let other?: throw .wrongType(file: file, key: key, expected: "a list of strings", found: found(other))
        }
    }

    /// `model_max_length`: an integer, or a huge number transformers writes for "no limit".
    static func limit(_ value: JSONValue?, file: String) throws(ModelFolderError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)?: return number > 0 && number < 1 << 40 ? Int(number) : nil
        case .number?: return nil  // 1e30-style sentinel: no limit
        case let other?: throw .wrongType(file: file, key: "model_max_length", expected: "an integer", found: found(other))
        }
    }

    static func chatTemplate(_ value: JSONValue?, file: String) throws(ModelFolderError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .array(let entries)?:
            var templates: [(name: String, text: String)] = []
            for entry in entries {
                guard case .object(let object) = entry, case .string(let name)? = object["name"], case .string(let text)? = object["template"] else {
                    throw .wrongType(file: file, key: "chat_template", expected: "a list of {\"name\", \"template\"} objects", found: found(entry))
                }
                templates.append((name, text))
            }
            return templates.first { $0.name == "default" }?.text ?? templates.first?.text
        case let other?: throw .wrongType(file: file, key: "chat_template", expected: "a string or a list of {\"name\", \"template\"}", found: found(other))
        }
    }
}
