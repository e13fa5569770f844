import Collate
import CollateData
import CollateTokenizers
import Foundation
import Testing

/// `chat_template` (and `--template`): a built-in name, or a model folder, a
/// tokenizer_config.json or a `.jinja` file, resolved in one place
/// (`PipelineConfiguration.chatFormat(reference:folder:)`).
@Suite("Pipeline file: chat_template names a built-in format or a Jinja template")
struct PipelineChatTemplateTests {
    static let tokenizerFolder = PipelineConfigurationTests.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml")

    /// Uses `bos_token`, so a template without special tokens of its own shows where they came from.
    static let jinja = """
        {{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}
        """

    static let chat = """
        {"messages": [{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello."}]}

        """

    @Test func aBuiltInNameIsTheBuiltInFormat() throws {
        let format = try #require(try PipelineConfiguration().chatFormat(reference: "chatml", folder: nil))
        #expect(format.name == "chatml")
        #expect(format.template == nil)
    }

    @Test func aJinjaFileTakesItsSpecialTokensFromTheTokenizersFolder() throws {
        let dir = try PipelineConfigurationTests.folder(["t.jinja": Self.jinja])
        var configuration = PipelineConfiguration(baseDirectory: dir)
        configuration.tokenizer = Self.tokenizerFolder
        let format = try #require(try configuration.chatFormat(reference: dir.appendingPathComponent("t.jinja").path, folder: nil))
        let template = try #require(format.template)
        #expect(template.specialTokens["bos_token"] == "<s>")
        let rendered = try format.render([.user("Hi"), .assistant("Yo")])
        #expect(rendered.text == "<s><|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nYo<|im_end|>\n")
    }

    @Test func aRunRendersMessagesWithTheTemplateAndMasksTheAssistantTurn() throws {
        let dir = try PipelineConfigurationTests.folder([
            "t.jinja": Self.jinja, "data.jsonl": Self.chat,
            "p.json": #"{"data": {"path": "data.jsonl"}, "tokenizer": "\#(Self.tokenizerFolder.path)", "chat_template": "t.jinja", "collator": {"type": "seq2seq", "pad_token_id": 2}}"#,
        ])
        let run = try PipelineConfiguration(contentsOf: dir.appendingPathComponent("p.json")).prepare()
        #expect(run.chatFormat?.template != nil)
        let tokenizer = try PretrainedTokenizer(contentsOf: Self.tokenizerFolder)
        let example = run.examples[0]
        let trained = (example.labels ?? []).filter { $0 != ignoreIndex }
        #expect(tokenizer.decode(ids: trained, skipSpecialTokens: false).contains("Hello.<|im_end|>"))
        #expect(!tokenizer.decode(ids: trained, skipSpecialTokens: false).contains("Hi there"))
        #expect(example.inputIDs.first == 1, "bos_token from the tokenizer's config")
    }

    @Test func theModelFoldersTemplateIsUsedWhenNothingNamesOne() throws {
        let dir = try PipelineConfigurationTests.folder([
            "model/config.json": #"{"architectures": ["MistralForCausalLM"], "vocab_size": 32002}"#,
            "model/chat_template.jinja": Self.jinja,
            "model/tokenizer_config.json": #"{"bos_token": "<s>", "eos_token": "</s>"}"#,
        ])
        let configuration = PipelineConfiguration(baseDirectory: dir)
        let folder = try ModelFolder(contentsOf: dir.appendingPathComponent("model"))
        let format = try #require(try configuration.chatFormat(reference: nil, folder: folder))
        #expect(format.template?.sources["default"] == Self.jinja)
        #expect(try configuration.chatFormat(reference: nil, folder: nil) == nil)
    }

    @Test(arguments: ["chatmll", "missing/template.jinja"])
    func aTemplateThatCannotBeResolvedNamesTheKey(_ reference: String) throws {
        #expect {
            try PipelineConfiguration().chatFormat(reference: reference, folder: nil)
        } throws: { error in
            guard case .invalidValue(_, let path, let value, _)? = error as? PipelineFileError else { return false }
            return path == "chat_template" && value.contains(reference)
        }
    }
}
