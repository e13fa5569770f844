import Foundation
import Testing

/// `collate validate` takes the data flags and the pipeline file as every command that reads a
/// dataset does, and `--model DIR` (or the file's `model` keys) describes the backend.
@Suite("collate validate: pipeline file, data flags and model folder")
struct ValidatePipelineTests {
    static let root = CollateProcess.repositoryRoot
    static let chatMLTokenizer = CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path
    static let mistralTokenizer = CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1").path
    static let t5Folder = CollateProcess.fixtures.appendingPathComponent("models/t5-style").path

    /// Two conversations: a system prompt, and two assistant turns.
    static let conversations = """
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello."}]}
        {"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4."}, {"role": "user", "content": "And 3+3?"}, {"role": "assistant", "content": "6."}]}

        """

    /// A ChatML Jinja template as published models carry it (no `{% generation %}` tags).
    static let chatMLJinja = """
        {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """

    static func diagnostics(_ result: CollateProcess.Result) throws -> [[String: Any]] {
        let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(value as? [[String: Any]], "\(result.stdout)")
    }

    static func codes(_ result: CollateProcess.Result) throws -> [String] {
        try diagnostics(result).compactMap { $0["code"] as? String }
    }

    /// A folder holding the conversations, the Jinja template and a seq2seq spec.
    static func chatFolder() throws -> URL {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(conversations, to: "chat.jsonl", in: dir)
        _ = try CollateProcess.write(chatMLJinja, to: "chatml.jinja", in: dir)
        _ = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 2}"#, to: "seq2seq.json", in: dir)
        _ = try CollateProcess.write(#"{"type": "language-modeling", "pad_token_id": 2}"#, to: "lm.json", in: dir)
        return dir
    }

    // MARK: - --config

    @Test func aPipelineFileIsValidatedAndFlagsOverrideItsKeys() throws {
        let dir = try Self.chatFolder()
        let config = try CollateProcess.write("""
            {"data": {"path": "chat.jsonl", "format": "messages"}, "tokenizer": "\(Self.chatMLTokenizer)",
             "chat_template": "chatml.jinja", "train_on": "assistant", "collator": {"type": "language-modeling", "pad_token_id": 2},
             "batch_size": 1}
            """, to: "pipeline.json", in: dir)
        // language-modeling replaces the assistant-only labels the template's masks made.
        let rejected = try CollateProcess.run(["validate", "--config", config, "--format", "json"], in: dir)
        #expect(rejected.status == 1, "\(rejected.stderr)")
        #expect(try Self.codes(rejected) == ["labels-overwritten", "labels-overwritten"])
        #expect(try Self.diagnostics(rejected).compactMap { $0["example"] as? Int } == [0, 1])
        // --spec overrides the file's collator: seq2seq keeps the labels.
        let accepted = try CollateProcess.run(["validate", "--config", config, "--spec", "seq2seq.json", "--format", "json"], in: dir)
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        #expect(accepted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(accepted.stderr.contains("2 examples, no problems found"))
    }

    @Test func theTextReportStaysTheDefault() throws {
        let dir = try Self.chatFolder()
        let result = try CollateProcess.run([
            "validate", "--spec", "lm.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer, "--template", "chatml.jinja",
        ], in: dir)
        #expect(result.status == 1)
        #expect(result.stdout.contains("chat.jsonl:1: error[labels-overwritten]"), "\(result.stdout)")
        #expect(result.stdout.contains("(2 in all)"))
        #expect(result.stderr.contains("1 error") || result.stderr.contains("2 errors"))
    }

    // MARK: - --model

    @Test func theSeedFailureIsCaughtWithTheModelFolderAndNoOtherFlag() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let data = try CollateProcess.write("{\"input_ids\": [5, 6, 7]}\n{\"input_ids\": [8, 9]}\n", to: "data.jsonl", in: dir)
        let result = try CollateProcess.run([
            "validate", "--model", Self.t5Folder, "--input", data, "--spec", "Samples/Data/seq2seq.json", "--format", "json",
        ], in: Self.root)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try Self.codes(result) == ["missing-labels"])
        // The padding collator makes no labels: caught for the model being trained; an explicit
        // flag wins over the folder, and inference needs no labels.
        let padding = try CollateProcess.write(#"{"type": "padding", "pad_token_id": 0}"#, to: "padding.json", in: dir)
        let training = try CollateProcess.run(["validate", "--model", Self.t5Folder, "--input", data, "--spec", padding, "--format", "json"])
        #expect(training.status == 1)
        #expect(try Self.codes(training) == ["missing-labels"])
        let inference = try CollateProcess.run(["validate", "--model", Self.t5Folder, "--input", data, "--spec", padding, "--requires", "none"])
        #expect(inference.status == 0, "\(inference.stdout)\(inference.stderr)")
    }

    @Test func theModelKindComesFromTheArchitectureAndTheFlagWins() throws {
        let dir = try CollateProcess.temporaryDirectory()
        // Decoder targets of their own length: right for T5ForConditionalGeneration, ragged for a causal LM.
        let data = try CollateProcess.write(
            "{\"input_ids\": [5, 6, 7, 8], \"labels\": [9, 10]}\n{\"input_ids\": [8, 9], \"labels\": [11, 12, 13]}\n",
            to: "data.jsonl", in: dir)
        let seq2seq = try CollateProcess.run([
            "validate", "--model", Self.t5Folder, "--input", data, "--spec", "Samples/Data/seq2seq.json", "--format", "json",
        ], in: Self.root)
        #expect(seq2seq.status == 0, "\(seq2seq.stdout)\(seq2seq.stderr)")
        let causal = try CollateProcess.run([
            "validate", "--model", Self.t5Folder, "--input", data, "--spec", "Samples/Data/seq2seq.json", "--format", "json",
            "--model-kind", "causal-lm",
        ], in: Self.root)
        #expect(causal.status == 1)
        #expect(try Self.codes(causal) == ["ragged-labels", "ragged-labels"])
    }

    @Test func theModelFolderGivesTheMaximumLengthAndTheFlagWins() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let data = try CollateProcess.write("{\"input_ids\": [5, 6, 7], \"labels\": [5, 6, 7]}\n", to: "data.jsonl", in: dir)
        let folder = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try CollateProcess.write(
            #"{"architectures": ["LlamaForCausalLM"], "vocab_size": 100, "max_position_embeddings": 2}"#, to: "config.json", in: folder)
        let short = try CollateProcess.run([
            "validate", "--model", folder.path, "--input", data, "--spec", "Samples/Data/seq2seq.json", "--format", "json",
        ], in: Self.root)
        #expect(short.status == 1)
        #expect(try Self.codes(short) == ["exceeds-max-length"])
        let long = try CollateProcess.run([
            "validate", "--model", folder.path, "--input", data, "--spec", "Samples/Data/seq2seq.json", "--max-length", "8",
        ], in: Self.root)
        #expect(long.status == 0, "\(long.stdout)\(long.stderr)")
    }

    @Test func thePipelineFilesModelKeysDescribeTheBackend() throws {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(
            "{\"input_ids\": [5, 6, 7, 8], \"labels\": [9, 10]}\n{\"input_ids\": [8, 9], \"labels\": [11, 12, 13]}\n",
            to: "data.jsonl", in: dir)
        func validate(_ model: String, collator: String = #"{"type": "seq2seq", "pad_token_id": 0}"#, _ flags: [String] = []) throws -> CollateProcess.Result {
            let config = try CollateProcess.write(#"{"data": {"path": "data.jsonl"}, "collator": \#(collator), "model": \#(model)}"#,
                                                  to: "pipeline.json", in: dir)
            return try CollateProcess.run(["validate", "--config", config, "--format", "json"] + flags, in: dir)
        }
        let seq2seq = try validate(#"{"kind": "seq2seq-lm"}"#)
        #expect(seq2seq.status == 0, "\(seq2seq.stdout)\(seq2seq.stderr)")
        #expect(try Self.codes(try validate(#"{"kind": "causal-lm"}"#)) == ["ragged-labels", "ragged-labels"])
        #expect(try validate(#"{"kind": "causal-lm"}"#, ["--model-kind", "seq2seq-lm"]).status == 0, "the flag wins")
        #expect(try Self.codes(try validate(#"{"kind": "seq2seq-lm", "max_length": 3}"#)) == ["exceeds-max-length"])
        #expect(try Self.codes(try validate(#"{"kind": "seq2seq-lm", "vocab_size": 10}"#)).allSatisfy { $0 == "token-out-of-range" })
        let flattening = #"{"type": "flattening"}"#
        #expect(try Self.codes(try validate(#"{"kind": "seq2seq-lm", "padding_free": false}"#, collator: flattening)).contains("packing-without-boundaries"))
    }

    /// A model folder as users download it: config.json, tokenizer.json, and tokenizer_config.json
    /// whose `chat_template` is the model's own Jinja template.
    static func modelFolder(in dir: URL, padToken: String? = nil) throws -> URL {
        let folder = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tokenizer = URL(fileURLWithPath: Self.chatMLTokenizer)
        try FileManager.default.copyItem(at: tokenizer.appendingPathComponent("tokenizer.json"), to: folder.appendingPathComponent("tokenizer.json"))
        let configData = try Data(contentsOf: tokenizer.appendingPathComponent("tokenizer_config.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: configData) as? [String: Any])
        config["chat_template"] = chatMLJinja
        if let padToken { config["pad_token"] = padToken }
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        _ = try CollateProcess.write(
            #"{"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 32002, "max_position_embeddings": 4096, "bos_token_id": 1, "eos_token_id": 32001}"#,
            to: "config.json", in: folder)
        return folder
    }

    @Test func theModelFoldersOwnTemplateRendersMessagesWithNoTemplateFlag() throws {
        let dir = try Self.chatFolder()
        let folder = try Self.modelFolder(in: dir)
        let validate = try CollateProcess.run(["validate", "--model", folder.path, "--input", "chat.jsonl", "--spec", "seq2seq.json"], in: dir)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let fromFolder = try CollateProcess.run(["batch", "--model", folder.path, "--input", "chat.jsonl", "--spec", "seq2seq.json"], in: dir)
        let builtIn = try CollateProcess.run([
            "batch", "--tokenizer", Self.chatMLTokenizer, "--template", "chatml", "--input", "chat.jsonl", "--spec", "seq2seq.json",
        ], in: dir)
        #expect(fromFolder.status == 0, "\(fromFolder.stderr)")
        #expect(!fromFolder.stdout.isEmpty)
        #expect(fromFolder.stdout == builtIn.stdout)
    }

    @Test func aSpecPadThatIsNotTheTokenizersIsANote() throws {
        let dir = try Self.chatFolder()
        let folder = try Self.modelFolder(in: dir, padToken: "</s>")
        _ = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 5}"#, to: "pad5.json", in: dir)
        let result = try CollateProcess.run([
            "validate", "--model", folder.path, "--input", "chat.jsonl", "--spec", "pad5.json", "--format", "json",
        ], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.diagnostics(result).isEmpty)
        #expect(result.stderr.contains("note: the collator pads with 5 but the tokenizer's pad_token is 2; set the spec's pad_token_id to 2"),
                "\(result.stderr)")
    }

    // MARK: - --format: the report or the data

    @Test func formatNamesTheReportOrTheDatasetFormat() throws {
        let dir = try Self.chatFolder()
        let common = ["validate", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer, "--template", "chatml"]
        let both = try CollateProcess.run(common + ["--format", "json", "--format", "messages"], in: dir)
        #expect(both.status == 0, "\(both.stderr)")
        #expect(try Self.diagnostics(both).isEmpty)
        let dataOnly = try CollateProcess.run(common + ["--format=messages"], in: dir)
        #expect(dataOnly.status == 0, "\(dataOnly.stderr)")
        #expect(dataOnly.stdout.isEmpty)
        let wrongData = try CollateProcess.run(common + ["--format", "tokenized"], in: dir)
        #expect(wrongData.status == 1)
        let unknown = try CollateProcess.run(common + ["--format", "jsn"], in: dir)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Did you mean 'json'?"))
        let twice = try CollateProcess.run(common + ["--format", "json", "--format", "text"], in: dir)
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("given twice"))
    }

    // MARK: - Jinja templates: batch, validate, inspect

    @Test func aJinjaTemplateRendersAndMasksAsTheBuiltInFormat() throws {
        let dir = try Self.chatFolder()
        let common = ["batch", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer]
        let jinja = try CollateProcess.run(common + ["--template", "chatml.jinja"], in: dir)
        let builtIn = try CollateProcess.run(common + ["--template", "chatml"], in: dir)
        #expect(jinja.status == 0, "\(jinja.stderr)")
        #expect(jinja.stdout == builtIn.stdout)
        // Assistant-only labels: the first conversation trains "Hello.<|im_end|>" only.
        let batch = try #require(try JSONSerialization.jsonObject(with: Data(jinja.stdout.utf8)) as? [String: Any])
        let ids = try #require(batch["input_ids"] as? [[Int]])
        let labels = try #require(batch["labels"] as? [[Int]])
        let trained = zip(ids[0], labels[0]).filter { $0.1 != -100 }
        #expect(trained.allSatisfy { $0.0 == $0.1 })
        #expect(trained.last?.0 == 32001, "the end-of-turn marker <|im_end|> is trained")
        #expect(trained.filter { $0.0 == 32001 }.count == 1)
        #expect(labels[0].prefix(5).allSatisfy { $0 == -100 })
        // The pipeline file's chat_template takes the same path.
        let config = try CollateProcess.write("""
            {"data": {"path": "chat.jsonl"}, "tokenizer": "\(Self.chatMLTokenizer)", "chat_template": "chatml.jinja",
             "collator": {"type": "seq2seq", "pad_token_id": 2}}
            """, to: "pipeline.json", in: dir)
        let fromFile = try CollateProcess.run(["batch", "--config", config], in: dir)
        #expect(fromFile.stdout == jinja.stdout, "\(fromFile.stderr)")
    }

    @Test func trainOnLastAssistantTrainsOnlyTheLastTurnOfATemplate() throws {
        let dir = try Self.chatFolder()
        let common = ["batch", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer, "--template", "chatml.jinja"]
        let all = try CollateProcess.run(common, in: dir)
        let last = try CollateProcess.run(common + ["--train-on", "last-assistant"], in: dir)
        #expect(last.status == 0, "\(last.stderr)")
        func endMarkersTrained(_ text: String) throws -> Int {
            let batch = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let labels = try #require(batch["labels"] as? [[Int]])
            return labels[1].filter { $0 == 32001 }.count
        }
        #expect(try endMarkersTrained(all.stdout) == 2)
        #expect(try endMarkersTrained(last.stdout) == 1)
        let validate = try CollateProcess.run(
            ["validate", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer,
             "--template", "chatml.jinja", "--train-on", "last-assistant"], in: dir)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test func aTokenizerConfigPathIsATemplateToo() throws {
        let dir = try Self.chatFolder()
        let folder = try Self.modelFolder(in: dir)
        let result = try CollateProcess.run([
            "batch", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer,
            "--template", folder.appendingPathComponent("tokenizer_config.json").path,
        ], in: dir)
        let builtIn = try CollateProcess.run([
            "batch", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer, "--template", "chatml",
        ], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == builtIn.stdout)
    }

    @Test func jinjaMarkersTheTokenizerSplitsAreTemplateTokensMissing() throws {
        let dir = try Self.chatFolder()
        let result = try CollateProcess.run([
            "validate", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.mistralTokenizer,
            "--template", "chatml.jinja", "--format", "json",
        ], in: dir)
        #expect(result.status == 1)
        let found = try Self.diagnostics(result).filter { $0["code"] as? String == "template-tokens-missing" }
        #expect(found.count == 2)
        #expect(found.contains { ($0["message"] as? String)?.contains("'<|im_end|>'") == true })
        #expect(found.allSatisfy { ($0["message"] as? String)?.contains("chatml.jinja") == true })

        let inspect = try CollateProcess.run([
            "inspect", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.mistralTokenizer,
            "--template", "chatml.jinja", "-n", "1",
        ], in: dir)
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("template-tokens-missing"))
        #expect(!inspect.stdout.contains("this pipeline can produce a loss"))
    }

    @Test func aTemplateThatCannotBeLoadedIsNamed() throws {
        let dir = try Self.chatFolder()
        let missing = try CollateProcess.run([
            "batch", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer, "--template", "nothere.jinja",
        ], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("chat_template") && missing.stderr.contains("nothere.jinja"), "\(missing.stderr)")
        let config = try CollateProcess.write("""
            {"data": {"path": "chat.jsonl"}, "tokenizer": "\(Self.chatMLTokenizer)", "chat_template": "chatmll",
             "collator": {"type": "seq2seq", "pad_token_id": 2}}
            """, to: "pipeline.json", in: dir)
        let misspelt = try CollateProcess.run(["validate", "--config", config], in: dir)
        #expect(misspelt.status == 1)
        #expect(misspelt.stderr.contains("chat_template") && misspelt.stderr.contains("did you mean \"chatml\"?"), "\(misspelt.stderr)")
    }

    @Test func aMessagesFileWithoutATemplateNamesTheFix() throws {
        let dir = try Self.chatFolder()
        let result = try CollateProcess.run(["validate", "--spec", "seq2seq.json", "--input", "chat.jsonl", "--tokenizer", Self.chatMLTokenizer], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("--template"), "\(result.stderr)")
        #expect(!result.stderr.contains("token ids must be JSON integers"))
    }

    @Test func validateHelpDocumentsTheDataFlagsAndBothFormats() throws {
        let help = try CollateProcess.run(["help", "validate"])
        #expect(help.status == 0)
        for option in ["--config", "--model", "--train-on", "--template", "--tokenizer", "--model-kind"] {
            #expect(help.stdout.contains(option), "\(option)")
        }
        #expect(help.stdout.contains("Shared by the report and the data"))
    }
}
