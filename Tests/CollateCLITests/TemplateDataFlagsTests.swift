import Foundation
import Testing

/// A model's Jinja template given to the data commands (`--template PATH`) renders each dataset
/// line as `collate chat` does: the whole line (`tools`, `add_generation_prompt`), the same
/// tokens, and labels exactly where `collate chat`'s assistant mask is 1.
@Suite("Data commands render messages with a Jinja template as collate chat does")
struct TemplateDataFlagsTests {
    static let tokenizer = CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path

    /// Writes the tools block only when the line has `tools`.
    static let template = """
        {%- if tools %}{{ '<|im_start|>system\\nTools: ' + (tools | tojson) + '<|im_end|>\\n' }}{% endif %}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}
        """

    static let lines = """
        {"messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "Sunny."}], "tools": [{"type": "function", "function": {"name": "get_weather"}}]}
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Bye!"}]}

        """

    static func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func batchTokensAndLabelsEqualChatsIdsAndAssistantMasks() throws {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(Self.template, to: "t.jinja", in: dir)
        _ = try CollateProcess.write(Self.lines, to: "chat.jsonl", in: dir)
        _ = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 2}"#, to: "spec.json", in: dir)
        let chat = try CollateProcess.run(["chat", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl"], in: dir)
        #expect(chat.status == 0, "\(chat.stderr)")
        let rendered = try Self.objects(chat.stdout)
        #expect(rendered.count == 2)
        #expect((rendered[0]["text"] as? String)?.contains("get_weather") == true, "the line's tools are rendered")

        let batch = try CollateProcess.run(
            ["batch", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json", "--batch-size", "1"],
            in: dir)
        #expect(batch.status == 0, "\(batch.stderr)")
        let batches = try Self.objects(batch.stdout)
        #expect(batches.count == 2)
        for (line, (expected, got)) in zip(rendered, batches).enumerated() {
            let ids = try #require(expected["input_ids"] as? [Int])
            let mask = try #require(expected["assistant_masks"] as? [Int])
            let batchIDs = try #require((got["input_ids"] as? [[Int]])?.first)
            let labels = try #require((got["labels"] as? [[Int]])?.first)
            #expect(batchIDs == ids, "line \(line + 1)")
            #expect(labels == zip(ids, mask).map { $1 == 1 ? $0 : -100 }, "line \(line + 1)")
        }

        let validate = try CollateProcess.run(
            ["validate", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json", "--format", "json"],
            in: dir)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test func aTemplateErrorNamesTheLine() throws {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(#"{{ raise_exception('only user and assistant roles') }}"#, to: "bad.jinja", in: dir)
        _ = try CollateProcess.write(Self.lines, to: "chat.jsonl", in: dir)
        _ = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 2}"#, to: "spec.json", in: dir)
        for command in ["batch", "validate"] {
            let result = try CollateProcess.run(
                [command, "--template", "bad.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json"], in: dir)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("chat.jsonl:1"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("only user and assistant roles"), "\(command): \(result.stderr)")
        }
    }
}
