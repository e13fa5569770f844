import Collate
import Foundation
import Testing

@testable import CollateCommandLine

/// `collate validate` with model kinds, the default training backend, grouped text output and
/// `template-tokens-missing` on the bundled data.
@Suite("collate validate: model kinds, grouping, chat markers")
struct ValidateModelKindCommandTests {
    static let root = CollateProcess.repositoryRoot

    static func files(spec: String, lines: [String]) throws -> (spec: String, input: String) {
        let directory = try CollateProcess.temporaryDirectory()
        return (try CollateProcess.write(spec, to: "spec.json", in: directory),
                try CollateProcess.write(lines.joined(separator: "\n") + "\n", to: "data.jsonl", in: directory))
    }

    static func codes(_ outcome: ValidateCommand.Outcome) throws -> [String] {
        guard case .array(let items) = try JSONParser.parse(outcome.output.joined()) else { return [] }
        return items.compactMap { item in
            guard case .object(let object) = item, case .string(let code)? = object["code"] else { return nil }
            return code
        }
    }

    /// The seed failure with no flag at all: the built binary, as a user runs it.
    @Test(arguments: [#"{"type": "padding", "pad_token_id": 0}"#, #"{"type": "seq2seq", "pad_token_id": 0}"#])
    func theSeedFailureIsCaughtWithNoFlags(spec: String) throws {
        let paths = try Self.files(spec: spec, lines: (0..<20).map { #"{"input_ids": [1, 2, \#(3 + $0)]}"# })
        let result = try CollateProcess.run(["validate", "--spec", paths.spec, "--input", paths.input])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("\(paths.input): error[missing-labels]: "), "\(result.stdout)")
        #expect(!result.stdout.contains("missing-field"), "one finding for one cause")
        #expect(result.stderr.contains("collate validate: 1 error, 0 warnings in 20 examples"))
        // Inference needs no labels; but the seq2seq collator itself reads every example's labels.
        let inference = try CollateProcess.run(["validate", "--spec", paths.spec, "--input", paths.input, "--requires", "none"])
        if spec.contains("seq2seq") {
            #expect(inference.status == 1)
            #expect(inference.stdout.contains("error[missing-field]") && inference.stdout.contains("(20 in all)"), "\(inference.stdout)")
        } else {
            #expect(inference.status == 0, "\(inference.stdout)")
        }
    }

    @Test func modelKindsDecideTheVerdict() throws {
        let seq2seq = try Self.files(spec: #"{"type": "seq2seq", "pad_token_id": 0}"#,
                                     lines: [#"{"input_ids": [1, 2, 3], "labels": [7]}"#, #"{"input_ids": [4], "labels": [8, 9]}"#])
        let asCausal = ValidateCommand.evaluate(arguments: ["--spec", seq2seq.spec, "--input", seq2seq.input, "--format", "json"])
        #expect(try Self.codes(asCausal) == ["ragged-labels", "ragged-labels"])
        let asSeq2Seq = ValidateCommand.evaluate(arguments: ["--spec", seq2seq.spec, "--input", seq2seq.input, "--model-kind", "seq2seq-lm", "--format", "json"])
        #expect(asSeq2Seq.status == 0)
        #expect(asSeq2Seq.output == ["[]"])

        let classes = try Self.files(spec: #"{"type": "padding", "pad_token_id": 0}"#,
                                     lines: [#"{"input_ids": [1, 2, 3], "label": 1}"#, #"{"input_ids": [4, 5], "label": 0}"#])
        let classifier = ValidateCommand.evaluate(arguments: ["--spec", classes.spec, "--input", classes.input, "--model-kind", "sequence-classification"])
        #expect(classifier.status == 0, "\(classifier.output)")
        let causal = ValidateCommand.evaluate(arguments: ["--spec", classes.spec, "--input", classes.input])
        #expect(causal.status == 1)
        #expect(causal.output.joined().contains("per-example class labels ('label'"))

        let ragged = try Self.files(spec: #"{"type": "padding", "pad_token_id": 0}"#,
                                    lines: [#"{"input_ids": [1, 2, 3], "labels": [1, 2]}"#])
        #expect(try Self.codes(ValidateCommand.evaluate(arguments: ["--spec", ragged.spec, "--input", ragged.input, "--format", "json"])) == ["ragged-labels"])
    }

    @Test func badModelKindsAndRequiresAreUsageErrors() throws {
        let paths = try Self.files(spec: #"{"type": "language-modeling", "pad_token_id": 0}"#, lines: [#"{"input_ids": [1]}"#])
        let typo = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--model-kind", "casual-lm"])
        #expect(typo.status == 2)
        #expect(typo.messages.joined().contains("Did you mean 'causal-lm'?"))
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", "none,labels"]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", ","]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--template", "chatml"]).status == 2)
        #expect(ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--format", "jsno"]).messages.joined()
            .contains("Did you mean 'json'?"))
    }

    /// `--requires` names the fields exactly: `attention_mask` alone is checked, labels are not required.
    @Test func requiresNamesFieldsExactly() throws {
        let paths = try Self.files(spec: #"{"type": "flattening"}"#, lines: [#"{"input_ids": [1, 2]}"#])
        let outcome = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--requires", "attention_mask", "--format", "json"])
        #expect(try Self.codes(outcome) == ["missing-field"])
    }

    /// 1,000 bad examples: a handful of lines in text, every diagnostic in JSON.
    @Test func aThousandBadExamplesPrintAFewLines() throws {
        let paths = try Self.files(spec: #"{"type": "seq2seq", "pad_token_id": 0}"#,
                                   lines: (0..<1000).map { _ in #"{"input_ids": [1, 2, 3], "labels": [1, 2]}"# })
        let text = try CollateProcess.run(["validate", "--spec", paths.spec, "--input", paths.input])
        #expect(text.status == 1)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 6, "\(text.stdout)")
        #expect(lines.first?.hasPrefix("\(paths.input):1: error[ragged-labels]: example 0: ") == true)
        #expect(text.stdout.contains("  999 more with error[ragged-labels] (1000 in all):"))
        #expect(text.stdout.contains("  ... and 996 more"))
        #expect(text.stdout.components(separatedBy: "Fix:").count == 2, "the message once")
        let json = ValidateCommand.evaluate(arguments: ["--spec", paths.spec, "--input", paths.input, "--format", "json"])
        #expect(try Self.codes(json).count == 1000)
    }

    /// ChatML on the bundled Mistral v1 tokenizer: `<|im_end|>` is seven text pieces.
    @Test func chatMLOnTheMistralTokenizerIsReported() throws {
        let result = try CollateProcess.run([
            "validate", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl",
            "--tokenizer", "Samples/Data/mistral-v1", "--template", "chatml", "--format", "json",
        ], in: Self.root)
        #expect(result.status == 1)
        let items = try JSONParser.parse(result.stdout)
        guard case .array(let diagnostics) = items else { Issue.record("not an array"); return }
        let markers = diagnostics.compactMap { item -> String? in
            guard case .object(let object) = item, object["code"] == .string("template-tokens-missing"),
                  case .string(let message)? = object["message"] else { return nil }
            return message
        }
        #expect(markers.count == 2)
        #expect(markers.last?.contains("'<|im_end|>'") == true)
        #expect(markers.last?.contains("7 text pieces") == true)
        // The format the model's tokenizer was made for passes.
        let clean = try CollateProcess.run([
            "validate", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl",
            "--tokenizer", "Samples/Data/mistral-v1", "--template", "mistral-inst",
        ], in: Self.root)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let chatml = try CollateProcess.run([
            "validate", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl",
            "--tokenizer", "Tests/Fixtures/tokenizers/mistral-v1-chatml", "--template", "chatml",
        ], in: Self.root)
        #expect(chatml.status == 0, "\(chatml.stdout)\(chatml.stderr)")
    }

    /// `mistral-inst` refuses a system prompt; the advice for the Mistral tokenizer does not send
    /// the user to ChatML (whose markers it lacks).
    @Test func aRefusedSystemPromptIsNotSentIntoTheTrap() throws {
        let directory = try CollateProcess.temporaryDirectory()
        let input = try CollateProcess.write(
            #"{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}"# + "\n",
            to: "chat.jsonl", in: directory)
        let result = try CollateProcess.run([
            "validate", "--spec", "Samples/Data/seq2seq.json", "--input", input,
            "--tokenizer", "Samples/Data/mistral-v1", "--template", "mistral-inst",
        ], in: Self.root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(input):1: "))
        #expect(result.stderr.contains("fold the system prompt into the first user message"))
        #expect(result.stderr.contains("'alpaca'"))
        #expect(!result.stderr.contains("'chatml'") && !result.stderr.contains("'mistral-tekken'"), "\(result.stderr)")
    }
}

/// `collate inspect` reports the same chat-marker trap instead of "this pipeline can produce a loss".
@Suite("collate inspect: chat markers")
struct InspectChatMarkerTests {
    @Test func chatMLOnTheMistralTokenizerIsNotACleanPipeline() throws {
        let result = try CollateProcess.run([
            "inspect", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl",
            "--tokenizer", "Samples/Data/mistral-v1", "--template", "chatml", "-n", "1",
        ], in: CollateProcess.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("error[template-tokens-missing]: chat template 'chatml' writes the marker '<|im_end|>'"))
        #expect(!result.stdout.contains("this pipeline can produce a loss"))
        #expect(result.stdout.contains("⟦trained⟧ masked ⟨N × pad⟩"))
    }
}
