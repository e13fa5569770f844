import Foundation
import Testing

/// One pipeline file drives every command; the data flags are the same on each and override its keys.
@Suite("Pipeline file and data flags on every command")
struct PipelineCommandTests {
    static let root = CollateProcess.repositoryRoot

    /// The job of issue #17: chat JSONL → assistant-only labels → packed to 512 → validated →
    /// shards, written as one pipeline file. Paths are relative to the file.
    static let chatJob = """
        {
          "data": {"path": "\(root.path)/Samples/Data/chat.jsonl", "format": "messages"},
          "model": {"path": "\(root.path)/Samples/Data/mistral-v1"},
          "chat_template": "mistral-inst",
          "train_on": "assistant",
          "max_length": 512,
          "packing": {"strategy": "bfd", "max_tokens": 512},
          "collator": {"type": "flattening", "return_flash_attn_kwargs": true},
          "batch_size": 2
        }
        """

    /// Whether `collate validate` reads the data flags yet (it is wired by the validator's owner).
    static let validateReadsPipelines: Bool = {
        guard let help = try? CollateProcess.run(["validate", "--help"]) else { return false }
        return help.stdout.contains("--config") || help.stderr.contains("--config")
    }()

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func theChatJobIsOnePipelineFileAndThreeCommands() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let config = try CollateProcess.write(Self.chatJob, to: "pipeline.json", in: dir)

        if Self.validateReadsPipelines {
            let validate = try CollateProcess.run(["validate", "--config", config])
            #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        }

        let inspect = try CollateProcess.run(["inspect", "--config", config, "-n", "1"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("16 examples in"))
        #expect(inspect.stdout.contains("into 3 rows of 512"))
        #expect(inspect.stdout.contains("cu_seq_lens_q"))
        #expect(!inspect.stdout.contains("error["), "\(inspect.stdout)")

        let out = dir.appendingPathComponent("shards")
        let export = try CollateProcess.run(["export", "--config", config, "--out", out.path, "--world-size", "2"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(#""shards": 2"#), "3 packed rows, 2 per batch, over 2 ranks: one batch per rank")
        let index = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("index.json"))) as? [String: Any])
        let shards = try #require(index["shards"] as? [[String: Any]])
        #expect(shards.count == 2)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("rank-00001/batch-000000.safetensors").path))
    }

    @Test func batchPacksAssistantOnlyLabelsIntoRowsOf512() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let config = try CollateProcess.write(Self.chatJob, to: "pipeline.json", in: dir)
        let result = try CollateProcess.run(["batch", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        let batches = try Self.jsonLines(result.stdout)
        #expect(batches.count == 2, "3 rows in batches of 2")
        var tokens = 0
        for batch in batches {
            let ids = try #require((batch["input_ids"] as? [[Int]])?.first)
            let labels = try #require((batch["labels"] as? [[Int]])?.first)
            let cuts = try #require(batch["cu_seq_lens_q"] as? [Int])
            #expect(ids.count == labels.count)
            #expect(ids.count <= 2 * 512)
            #expect(cuts.dropLast().allSatisfy { labels[$0] == -100 }, "no sequence predicts the next one's first token")
            #expect(labels.filter { $0 != -100 }.count < ids.count - 2 * (cuts.count - 1), "prompts are masked")
            tokens += ids.count
        }
        // The same examples unpacked, for the total.
        let plain = try CollateProcess.run([
            "batch", "--input", "Samples/Data/chat.jsonl", "--model", "Samples/Data/mistral-v1", "--template", "mistral-inst",
            "--spec", "Samples/Data/flattening.json",
        ], in: Self.root)
        #expect(plain.status == 0, "\(plain.stderr)")
        let flat = try #require((try Self.jsonLines(plain.stdout).first?["input_ids"] as? [[Int]])?.first)
        #expect(flat.count == tokens)
    }

    @Test func flagsOverrideTheFilesKeys() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let config = try CollateProcess.write(Self.chatJob, to: "pipeline.json", in: dir)
        let oneRowEach = try CollateProcess.run(["batch", "--config", config, "--batch-size", "1"])
        #expect(oneRowEach.status == 0, "\(oneRowEach.stderr)")
        #expect(oneRowEach.stdoutLines.count == 3)
        let two = try CollateProcess.write(try String(contentsOfFile: Self.root.appendingPathComponent("Samples/Data/chat.jsonl").path, encoding: .utf8)
            .split(separator: "\n").prefix(2).joined(separator: "\n"), to: "two.jsonl", in: dir)
        let fewer = try CollateProcess.run(["inspect", "--config", config, "--input", two])
        #expect(fewer.status == 0, "\(fewer.stderr)")
        #expect(fewer.stdout.contains("2 examples in"))
        let spec = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 0}"#, to: "spec.json", in: dir)
        let padded = try CollateProcess.run(["batch", "--config", config, "--spec", spec, "--batch-size", "3"])
        #expect(padded.status == 0, "\(padded.stderr)")
        let batch = try #require(try Self.jsonLines(padded.stdout).first)
        #expect((batch["input_ids"] as? [[Int]])?.count == 3, "packed rows, padded by the --spec collator")
        #expect(batch["cu_seq_lens_q"] == nil)
    }

    static let messagesEverywhere: [[String]] = [
        ["batch"], ["bench", "--batch-size", "4"], ["inspect"], ["train", "--steps", "1", "--batch-size", "4"],
        ["export", "--world-size", "1", "--out", "OUT"],
    ]

    @Test(arguments: messagesEverywhere)
    func aMessagesFileWorksOnEveryCommand(_ command: [String]) throws {
        let dir = try CollateProcess.temporaryDirectory()
        let arguments = command.map { $0 == "OUT" ? dir.appendingPathComponent("out").path : $0 } + [
            "--input", "Samples/Data/chat.jsonl", "--tokenizer", "Samples/Data/mistral-v1", "--template", "mistral-inst",
            "--spec", "Samples/Data/seq2seq.json",
        ]
        let result = try CollateProcess.run(arguments, in: Self.root)
        #expect(result.status == 0, "\(command[0]): \(result.stderr)")
        #expect(!result.stdout.isEmpty)
    }

    @Test func theModelFolderSuppliesTheTokenizer() throws {
        let result = try CollateProcess.run([
            "inspect", "--model", "Tests/Fixtures/models/mistral-style", "--input", "Samples/Data/chat.jsonl", "--template", "mistral-inst",
            "--spec", "Samples/Data/seq2seq.json", "-n", "1",
        ], in: Self.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("[INST]"))
    }

    @Test func aBadPipelineFileExitsOneNamingTheKey() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let config = try CollateProcess.write(#"{"data": {"path": "x.jsonl"}, "packing": {"max_token": 512}}"#, to: "p.json", in: dir)
        let result = try CollateProcess.run(["batch", "--config", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains(#"unknown key "packing.max_token" (did you mean "max_tokens"?)"#), "\(result.stderr)")
    }

    @Test(arguments: [
        ["batch", "--input", "x.jsonl", "--spec", "s.json", "--format", "chat"],
        ["batch", "--input", "x.jsonl", "--spec", "s.json", "--train-on", "everything"],
        ["batch", "--spec", "s.json"],
        ["export", "--config", "p.json", "--out", "o"],
        ["inspect", "--input", "x.jsonl", "--spec", "s.json", "--template", "chatlm"],
    ])
    func malformedDataFlagsAreUsageErrors(_ arguments: [String]) throws {
        let result = try CollateProcess.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
    }

    @Test func theSeedFailureIsCaughtWithTheModelFolderAlone() throws {
        guard Self.validateReadsPipelines else { return }
        let dir = try CollateProcess.temporaryDirectory()
        let data = try CollateProcess.write("{\"input_ids\": [5, 6, 7]}\n{\"input_ids\": [8, 9]}\n", to: "data.jsonl", in: dir)
        let result = try CollateProcess.run([
            "validate", "--model", "Tests/Fixtures/models/t5-style", "--input", data, "--spec", "Samples/Data/seq2seq.json",
        ], in: Self.root)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("labels"))
    }

    @Test func inspectNotesAPadIDTheModelDoesNotUse() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let data = try CollateProcess.write("{\"input_ids\": [5, 6, 7], \"labels\": [5, 6, 7]}\n", to: "data.jsonl", in: dir)
        let spec = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 5}"#, to: "spec.json", in: dir)
        let result = try CollateProcess.run([
            "inspect", "--model", "Tests/Fixtures/models/t5-style", "--input", data, "--spec", spec,
        ], in: Self.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("note: the collator pads with 5 but the model's pad_token_id is 0"), "\(result.stdout)")
    }
}
