import Collate
import Foundation
import Testing

@testable import CollateCommandLine

/// `collate validate` and `collate train`, run in-process (the command's printing is separated
/// from its work, so no subprocess or wiring in main.swift is needed).
@Suite("collate validate and train")
struct ValidateCommandTests {
    /// Writes a spec and an examples file and returns their paths.
    static func files(spec: String, lines: [String]) throws -> (spec: String, input: String) {
        let directory = try CollateProcess.temporaryDirectory()
        return (try CollateProcess.write(spec, to: "spec.json", in: directory),
                try CollateProcess.write(lines.joined(separator: "\n") + "\n", to: "data.jsonl", in: directory))
    }

    @Test func paddingCollatorForATrainingBackendIsRejected() throws {
        let paths = try Self.files(spec: #"{"type": "padding", "pad_token_id": 0}"#, lines: [#"{"input_ids": [1, 2, 3]}"#])
        let outcome = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", "labels", "--format", "json"])
        #expect(outcome.status == 1)
        #expect(outcome.output.count == 1)
        let parsed = try JSONParser.parse(outcome.output.joined())
        guard case .array(let items) = parsed, case .object(let first) = items.first else {
            Issue.record("expected a JSON array of objects: \(outcome.output)")
            return
        }
        #expect(first.keys == ["code", "severity", "message", "example"])
        #expect(first["code"] == .string("missing-labels"))
        #expect(first["severity"] == .string("error"))
        #expect(first["example"] == .null)
    }

    @Test func exampleIsTheZeroBasedLineIndex() throws {
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 0}"#,
                                   lines: [#"{"input_ids": [1, 2]}"#, "", #"{"input_ids": []}"#])
        let outcome = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--format", "json"])
        #expect(outcome.status == 1)
        let text = outcome.output.joined()
        #expect(text.contains(#""code": "empty-example""#))
        #expect(text.contains(#""example": 2"#))
    }

    @Test func aCleanPipelinePrintsAnEmptyArrayAndExitsZero() throws {
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 0}"#, lines: [#"{"input_ids": [1, 2, 3]}"#])
        let outcome = ValidateCommand.evaluate(arguments: [
            "--spec", paths.spec, "--input", paths.input, "--requires", "labels", "--vocab-size", "10", "--max-length", "8", "--format", "json",
        ])
        #expect(outcome.status == 0)
        #expect(outcome.output == ["[]"])
    }

    @Test func warningsAloneExitZeroUnlessStrict() throws {
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 2}"#, lines: [#"{"input_ids": [5, 6, 2]}"#])
        let relaxed = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", "labels"])
        #expect(relaxed.status == 0)
        #expect(relaxed.output.count == 1)
        #expect(relaxed.output.first?.contains("warning[pad-masks-eos]") == true)
        let strict = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", "labels", "--strict", "pad-masks-eos"])
        #expect(strict.status == 1)
    }

    @Test func noPaddingFreeFlagRejectsFlattening() throws {
        let paths = try Self.files(spec: #"{"type": "flattening"}"#, lines: [#"{"input_ids": [1, 2, 3]}"#])
        let accepted = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", "labels"])
        #expect(accepted.status == 0)
        let rejected = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--no-padding-free", "--format", "json"])
        #expect(rejected.status == 1)
        #expect(rejected.output.joined().contains("packing-without-boundaries"))
    }

    /// HF DataCollatorWithFlattening / TRL padding_free are for decoder-only models: an
    /// encoder-decoder fed flattened batches is an error with cause and fix, named by the kind alone.
    @Test func flatteningIntoAnEncoderDecoderIsRefused() throws {
        let paths = try Self.files(spec: #"{"type": "flattening"}"#, lines: [#"{"input_ids": [1, 2, 3], "labels": [7, 8, 9]}"#])
        let outcome = ValidateCommand.evaluate(arguments: ["--model-kind", "seq2seq-lm", "--spec", paths.spec, "--input", paths.input])
        #expect(outcome.status == 1, "\(outcome.output)")
        let text = outcome.output.joined(separator: "\n")
        #expect(text.contains("error[packing-without-boundaries]"), "\(text)")
        #expect(text.contains("encoder-decoder"), "\(text)")
        #expect(text.contains("Fix: use the seq2seq collator"), "\(text)")
        // Also when the backend claims it takes padding-free batches: the kind decides.
        let json = ValidateCommand.evaluate(arguments: ["--model-kind", "seq2seq-lm", "--spec", paths.spec, "--input", paths.input, "--format", "json"])
        #expect(json.output.joined().contains("packing-without-boundaries"))
        let decoderOnly = ValidateCommand.evaluate(arguments: ["--model-kind", "causal-lm", "--spec", paths.spec, "--input", paths.input])
        #expect(!decoderOnly.output.joined().contains("packing-without-boundaries"), "\(decoderOnly.output)")
    }

    @Test func usageErrorsExitTwo() throws {
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 0}"#, lines: [#"{"input_ids": [1]}"#])
        #expect(ValidateCommand.evaluate(arguments: ["--input", paths.input]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--format", "xml"]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--vocab-size", "0"]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--strict", "nope"]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", "/nonexistent.jsonl"]).status == 1)
    }

    @Test func trainPrintsOneJSONLinePerStep() throws {
        let lines = (0..<16).map { index in #"{"input_ids": [\#((0..<6).map { String(1 + (index + $0 * 3) % 11) }.joined(separator: ", "))]}"# }
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 0}"#, lines: lines)
        var output: [String] = []
        var messages: [String] = []
        let status = TrainCommand.execute(
            arguments: ["--backend", "reference", "--spec", paths.spec, "--input", paths.input, "--steps", "3", "--batch-size", "4", "--accumulation", "2"],
            output: { output.append($0) }, message: { messages.append($0) })
        #expect(status == 0, "\(messages)")
        #expect(output.count == 3)
        for (index, line) in output.enumerated() {
            guard case .object(let record) = try JSONParser.parse(line) else { continue }
            #expect(record.keys == ["step", "loss", "tokens", "num_items"])
            #expect(record["step"] == .integer(Int64(index + 1)))
            #expect(record["num_items"] == .integer(40))
        }
    }

    @Test func trainRefusesARejectedPipelineBeforeStepOne() throws {
        let paths = try Self.files(spec: #"{"type": "padding", "pad_token_id": 0}"#, lines: [#"{"input_ids": [1, 2, 3]}"#])
        var output: [String] = []
        var messages: [String] = []
        let status = TrainCommand.execute(arguments: ["--spec", paths.spec, "--input", paths.input, "--steps", "2"],
                                          output: { output.append($0) }, message: { messages.append($0) })
        #expect(status == 1)
        #expect(output.isEmpty)
        #expect(messages.contains { $0.contains("error[missing-labels]") })
        #expect(TrainCommand.execute(arguments: ["--backend", "torch", "--spec", paths.spec, "--input", paths.input, "--steps", "2"],
                                     output: { _ in }, message: { _ in }) == 2)
    }

    /// One stray huge id would make the inferred vocabulary allocate tens of gigabytes; the
    /// command names the record instead, before building the model.
    @Test func trainRejectsAVocabularyTheReferenceModelCannotHold() throws {
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 0}"#,
                                   lines: [#"{"input_ids": [1, 2, 3]}"#, "", #"{"input_ids": [4, 2000000000]}"#])
        var output: [String] = []
        var messages: [String] = []
        let status = TrainCommand.execute(arguments: ["--spec", paths.spec, "--input", paths.input, "--steps", "1"],
                                          output: { output.append($0) }, message: { messages.append($0) })
        #expect(status == 1)
        #expect(output.isEmpty)
        #expect(messages.first?.hasPrefix("collate train: \(paths.input):3: token id 2000000000 implies a vocabulary of 2000000001 ids") == true,
                "\(messages)")
        // With --vocab-size the id is the validator's token-out-of-range error instead.
        messages = []
        #expect(TrainCommand.execute(arguments: ["--spec", paths.spec, "--input", paths.input, "--steps", "1", "--vocab-size", "64"],
                                     output: { _ in }, message: { messages.append($0) }) == 1)
        #expect(messages.contains { $0.contains("error[token-out-of-range]") }, "\(messages)")
        #expect(TrainCommand.execute(arguments: ["--spec", paths.spec, "--input", paths.input, "--steps", "1", "--vocab-size", "2000000000"],
                                     output: { _ in }, message: { _ in }) == 2)
    }
}
