import Collate
import CollateData
import CollateTokenizers
import Foundation
import Testing

/// Model folders as transformers saves them (config.json, generation_config.json,
/// tokenizer_config.json, tokenizer.json): the fixtures in Tests/Fixtures/models copy the keys of
/// real checkpoints (Mistral-7B-v0.1, t5-small, a BERT sentiment classifier).
@Suite("Model folders: what config.json and its companions say")
struct PipelineModelFolderTests {
    static let models = PipelineConfigurationTests.fixtures.appendingPathComponent("models")

    @Test func causalLMFolder() throws {
        let folder = try ModelFolder(contentsOf: Self.models.appendingPathComponent("mistral-style"))
        #expect(folder.architectures == ["MistralForCausalLM"])
        #expect(folder.modelType == "mistral")
        #expect(folder.kind == "causal-lm")
        #expect(!folder.isEncoderDecoder)
        #expect(folder.vocabSize == 32000)
        #expect(folder.maxPositionEmbeddings == 32768)
        #expect(folder.modelMaxLength == nil, "tokenizer_config.json's 1e30 means no limit")
        #expect(folder.maxLength == 32768)
        #expect(folder.bosTokenID == 1)
        #expect(folder.eosTokenIDs == [2])
        #expect(folder.padTokenID == nil)
        #expect(folder.specialTokens == ["bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"])
        #expect(folder.tokenizerFile?.lastPathComponent == "tokenizer.json")
        #expect(folder.chatTemplate == nil)
    }

    @Test func encoderDecoderFolder() throws {
        let folder = try ModelFolder(contentsOf: Self.models.appendingPathComponent("t5-style"))
        #expect(folder.kind == "seq2seq-lm")
        #expect(folder.isEncoderDecoder)
        #expect(folder.vocabSize == 32128)
        #expect(folder.maxPositionEmbeddings == 512, "T5 names it n_positions")
        #expect(folder.modelMaxLength == 512)
        #expect(folder.padTokenID == 0)
        #expect(folder.eosTokenIDs == [1])
        #expect(folder.decoderStartTokenID == 0)
        #expect(folder.paddingSide == .right)
        #expect(folder.tokenizerFile == nil)
    }

    @Test func classifierFolderWithAListOfChatTemplates() throws {
        let folder = try ModelFolder(contentsOf: Self.models.appendingPathComponent("bert-classifier"))
        #expect(folder.kind == "sequence-classification")
        #expect(folder.maxLength == 512)
        #expect(folder.paddingSide == .left)
        #expect(folder.chatTemplate == "{{ messages }}", "the entry named default, as transformers picks without tools")
    }

    struct KindCase: Sendable, CustomTestStringConvertible {
        var architecture: String
        var encoderDecoder: Bool
        var kind: String?
        var testDescription: String { "\(architecture) (is_encoder_decoder \(encoderDecoder))" }
    }

    static let kinds: [KindCase] = [
        KindCase(architecture: "LlamaForCausalLM", encoderDecoder: false, kind: "causal-lm"),
        KindCase(architecture: "Qwen2ForCausalLM", encoderDecoder: false, kind: "causal-lm"),
        KindCase(architecture: "GPT2LMHeadModel", encoderDecoder: false, kind: "causal-lm"),
        KindCase(architecture: "T5ForConditionalGeneration", encoderDecoder: true, kind: "seq2seq-lm"),
        KindCase(architecture: "BartForConditionalGeneration", encoderDecoder: true, kind: "seq2seq-lm"),
        KindCase(architecture: "Gemma3ForConditionalGeneration", encoderDecoder: false, kind: "causal-lm"),
        KindCase(architecture: "MBartForSeq2SeqLM", encoderDecoder: true, kind: "seq2seq-lm"),
        KindCase(architecture: "BertForSequenceClassification", encoderDecoder: false, kind: "sequence-classification"),
        KindCase(architecture: "RobertaForTokenClassification", encoderDecoder: false, kind: "token-classification"),
        KindCase(architecture: "BertForMaskedLM", encoderDecoder: false, kind: "masked-lm"),
        KindCase(architecture: "BertModel", encoderDecoder: false, kind: nil),
    ]

    @Test(arguments: kinds)
    func kindFromTheArchitecture(_ entry: KindCase) {
        #expect(ModelFolder.kind(architectures: [entry.architecture], isEncoderDecoder: entry.encoderDecoder) == entry.kind)
    }

    @Test func badFoldersAreNamed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/model")
        #expect(throws: ModelFolderError.notAFolder(path: missing.path)) { try ModelFolder(contentsOf: missing) }
        let empty = try PipelineConfigurationTests.folder(["README.md": "no config"])
        #expect(throws: ModelFolderError.missingConfig(folder: empty.path)) { try ModelFolder(contentsOf: empty) }
        let wrong = try PipelineConfigurationTests.folder(["config.json": #"{"architectures": "LlamaForCausalLM"}"#])
        #expect(throws: ModelFolderError.wrongType(file: wrong.appendingPathComponent("config.json").path, key: "architectures",
                                                   expected: "a list of strings", found: "string \"LlamaForCausalLM\"")) {
            try ModelFolder(contentsOf: wrong)
        }
        let vocab = try PipelineConfigurationTests.folder(["config.json": #"{"vocab_size": "32000"}"#])
        #expect(throws: ModelFolderError.self) { try ModelFolder(contentsOf: vocab) }
        let broken = try PipelineConfigurationTests.folder(["config.json": "{"])
        #expect(throws: ModelFolderError.self) { try ModelFolder(contentsOf: broken) }
    }

    @Test func generationConfigWinsAndEOSMayBeAList() throws {
        let dir = try PipelineConfigurationTests.folder([
            "config.json": #"{"architectures": ["LlamaForCausalLM"], "eos_token_id": 128001, "bos_token_id": 128000, "vocab_size": 128256, "max_position_embeddings": 131072}"#,
            "generation_config.json": #"{"eos_token_id": [128001, 128008, 128009], "bos_token_id": 128000}"#,
            "tokenizer_config.json": #"{"model_max_length": 131072, "chat_template": "{{ bos_token }}", "pad_token": {"content": "<|finetune_right_pad_id|>"}}"#,
        ])
        let folder = try ModelFolder(contentsOf: dir)
        #expect(folder.eosTokenIDs == [128001, 128008, 128009])
        #expect(folder.maxLength == 131072)
        #expect(folder.chatTemplate == "{{ bos_token }}")
        #expect(folder.specialTokens["pad_token"] == "<|finetune_right_pad_id|>")
    }

    @Test func contradictionsBetweenSpecAndModelAreNamed() throws {
        let folder = try ModelFolder(contentsOf: Self.models.appendingPathComponent("t5-style"))
        let description = ModelDescription(model: nil, folder: folder, tokenizer: nil)
        let wrongPad = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "seq2seq", "pad_token_id": 5}"#)
        #expect(description.contradictions(with: wrongPad.contract)
            == ["the collator pads with 5 but the model's pad_token_id is 0; set the spec's pad_token_id to 0"])
        let rightPad = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "seq2seq", "pad_token_id": 0}"#)
        #expect(description.contradictions(with: rightPad.contract).isEmpty)

        let mistral = try ModelFolder(contentsOf: Self.models.appendingPathComponent("mistral-style"))
        let tokenizer = try PretrainedTokenizer(contentsOf: Self.models.appendingPathComponent("mistral-style"))
        var small = PipelineConfiguration.Model()
        small.vocabSize = 100
        let tooSmall = ModelDescription(model: small, folder: mistral, tokenizer: tokenizer)
        #expect(tooSmall.contradictions(with: rightPad.contract).contains { $0.contains("the tokenizer has 32000 ids but the model's vocab_size is 100") })
        #expect(tooSmall.backendContract().vocabSize == 100)
        #expect(tooSmall.backendContract().requiresLabels, "a model being trained needs labels by default")
    }
}
