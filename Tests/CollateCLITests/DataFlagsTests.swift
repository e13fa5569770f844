import Collate
@testable import CollateCommandLine
import CollateData
import Foundation
import Testing

/// The data flags as `collate validate` (and any command) reads them: the pipeline they build and
/// the model description `--model` fills in.
@Suite("Data flags: --model fills the backend description")
struct DataFlagsTests {
    static let root = CollateProcess.repositoryRoot

    static func values(_ arguments: [String]) throws -> DataFlags.Values {
        try DataFlags.values(try Arguments(arguments, options: DataFlags.options))
    }

    @Test func anEncoderDecoderFolderDescribesASeq2SeqBackend() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let data = try CollateProcess.write("{\"input_ids\": [5, 6, 7]}\n{\"input_ids\": [8, 9]}\n", to: "data.jsonl", in: dir)
        let spec = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 5}"#, to: "spec.json", in: dir)
        let validation = try DataFlags.validation(try Self.values([
            "--model", Self.root.appendingPathComponent("Tests/Fixtures/models/t5-style").path, "--input", data, "--spec", spec,
        ]))
        #expect(validation.model.kind == "seq2seq-lm")
        #expect(validation.model.padTokenID == 0)
        let contract = validation.contract()
        #expect(contract.vocabSize == 32128)
        #expect(contract.maxLength == 512)
        #expect(contract.requiresLabels, "a model being trained: labels are required with no flag")
        #expect(validation.contradictions == ["the collator pads with 5 but the model's pad_token_id is 0; set the spec's pad_token_id to 0"])
        #expect(validation.run.examples.count == 2)
        #expect(validation.run.examples.allSatisfy { $0.labels == nil }, "the seed failure's data: no labels")
    }

    @Test func flagsWinOverTheFileAndPathsAreRelativeToTheirOrigin() throws {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(#"{"data": {"path": "a.jsonl", "format": "text"}, "batch_size": 4, "train_on": "all", "chat_template": "chatml"}"#, to: "p.json", in: dir)
        let configuration = try DataFlags.configuration(try Self.values([
            "--config", dir.appendingPathComponent("p.json").path, "--input", "/elsewhere/b.jsonl", "--format", "messages",
            "--batch-size", "2", "--train-on", "last-assistant", "--template", "mistral-inst", "--tokenizer", "/tok",
        ]))
        #expect(configuration.data.path?.path == "/elsewhere/b.jsonl")
        #expect(configuration.data.format == .messages)
        #expect(configuration.batchSize == 2)
        #expect(configuration.trainOn == .lastAssistant)
        #expect(configuration.chatTemplate == "mistral-inst")
        #expect(configuration.tokenizer?.path == "/tok")
        let fileOnly = try DataFlags.configuration(try Self.values(["--config", dir.appendingPathComponent("p.json").path]))
        #expect(fileOnly.data.path == dir.appendingPathComponent("a.jsonl").standardizedFileURL)
        #expect(fileOnly.batchSize == 4)
    }

    @Test func validateKeepsFormatForItsOutput() throws {
        let arguments = try Arguments(["--input", "x.jsonl", "--format", "json", "--data-format", "messages"], options: DataFlags.options)
        #expect(try DataFlags.values(arguments, formatIsOutput: true).format == .messages)
        let plain = try Arguments(["--input", "x.jsonl", "--format", "json"], options: DataFlags.options)
        #expect(try DataFlags.values(plain, formatIsOutput: true).format == nil)
        #expect(throws: UsageError.self) { try DataFlags.values(plain) }
    }

    @Test func usageErrorsNameTheFlag() {
        #expect(throws: UsageError.self) { try Self.values(["--spec", "s.json"]) }
        #expect(throws: UsageError.self) { try Self.values(["--input", "x", "--format", "jsonl"]) }
        #expect(throws: UsageError.self) { try Self.values(["--input", "x", "--train-on", "assistants"]) }
        #expect(throws: UsageError.self) { try Self.values(["--input", "x", "--batch-size", "0"]) }
        #expect(throws: UsageError.self) { try Self.values(["--input", "x", "--template", "chatlm"]) }
    }
}
