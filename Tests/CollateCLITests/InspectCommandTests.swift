import Foundation
import Testing

@Suite("collate inspect")
struct InspectCommandTests {
    static let root = CollateProcess.repositoryRoot

    @Test func bundledChatDataShowsMaskingStatisticsAndACleanValidation() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let html = dir.appendingPathComponent("report.html").path
        let result = try CollateProcess.run([
            "inspect", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl",
            "--tokenizer", "Samples/Data/mistral-v1", "--template", "mistral-inst", "-n", "2", "--html", html,
        ], in: Self.root)
        #expect(result.status == 0, "\(result.stderr)")
        // Not a terminal: no escape codes, roles shown with brackets.
        #expect(!result.stdout.contains("\u{1B}["))
        #expect(result.stdout.contains("── sequence 0 (row 0)"))
        #expect(result.stdout.contains("[/INST]⟦"), "assistant turns start trained right after [/INST]")
        #expect(result.stdout.contains("</s>⟧"), "EOS is trained")
        #expect(result.stdout.contains("num_items_in_batch"))
        #expect(result.stdout.contains("none: this pipeline can produce a loss"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains(#"<svg id="padding-waste""#))
    }

    @Test func diagnosticsAppearForABrokenPipeline() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let spec = try CollateProcess.write(#"{"type": "padding", "pad_token_id": 0}"#, to: "spec.json", in: dir)
        let input = try CollateProcess.write("{\"input_ids\": [1, 2, 3]}\n", to: "in.jsonl", in: dir)
        let result = try CollateProcess.run(["inspect", "--spec", spec, "--input", input])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("error[missing-labels]"))
    }

    @Test func messagesWithoutATemplateAreRejected() throws {
        let result = try CollateProcess.run([
            "inspect", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl", "--tokenizer", "Samples/Data/mistral-v1",
        ], in: Self.root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("--template"))
    }

    @Test func unknownTemplateIsAUsageError() throws {
        let result = try CollateProcess.run([
            "inspect", "--spec", "Samples/Data/seq2seq.json", "--input", "Samples/Data/chat.jsonl",
            "--tokenizer", "Samples/Data/mistral-v1", "--template", "nope",
        ], in: Self.root)
        #expect(result.status == 2)
        #expect(result.stderr.contains("nope"))
    }
}
