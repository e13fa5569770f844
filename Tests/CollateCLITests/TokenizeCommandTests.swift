import Collate
import Foundation
import Testing

@Suite("collate tokenize")
struct TokenizeCommandTests {
    /// Every golden case of one tokenizer through the command line, in one process.
    @Test("Every golden case matches HF tokenizers", arguments: ["mistral-v1", "mistral-v1-chatml", "tekken"])
    func goldenThroughTheCommandLine(_ tokenizer: String) throws {
        let golden = try String(contentsOf: CollateProcess.fixtures.appendingPathComponent("golden/tokenizers.jsonl"), encoding: .utf8)
        var requests: [String] = []
        var expected: [JSONValue] = []
        for line in golden.split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(line)), object["tokenizer"] == .string(tokenizer),
                  let text = object["text"], let special = object["add_special_tokens"], let output = object["expected"] else { continue }
            requests.append(JSONValue.object(JSONObject([("text", text), ("add_special_tokens", special)])).jsonText)
            expected.append(output)
        }
        #expect(requests.count >= 88, "every tokenizer has golden cases")
        let dir = try CollateProcess.temporaryDirectory()
        let input = try CollateProcess.write(requests.joined(separator: "\n") + "\n", to: "texts.jsonl", in: dir)
        let result = try CollateProcess.run([
            "tokenize", "--tokenizer", CollateProcess.fixtures.appendingPathComponent("tokenizers/\(tokenizer)").path, "--input", input,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdoutLines
        #expect(lines.count == expected.count)
        for (index, (line, want)) in zip(lines, expected).enumerated() {
            #expect(try JSONParser.parse(line) == want, "case \(index)")
        }
    }

    @Test("A bad line exits 1 naming file, line and field", arguments: [
        (#"{"text": 5}"#, #"field "text" = 5: must be a string"#),
        (#"{"add_special_tokens": true}"#, #"field "text" is missing"#),
        (#"{"text": "a", "add_special_tokens": "yes"}"#, #"field "add_special_tokens" = "yes": must be true or false"#),
        (#"["a"]"#, "not a JSON object"),
    ])
    func badLine(_ line: String, _ message: String) throws {
        let dir = try CollateProcess.temporaryDirectory()
        let input = try CollateProcess.write("{\"text\": \"ok\"}\n" + line + "\n", to: "texts.jsonl", in: dir)
        let result = try CollateProcess.run([
            "tokenize", "--tokenizer", CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1").path, "--input", input,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(input):2: \(message)"), "\(result.stderr)")
    }

    /// HF tokenizers 0.23.3 raises "Truncation error: Second sequence not provided" when a
    /// file's truncation strategy is OnlySecond and a single text must be shortened; the
    /// command fails naming the line and prints nothing, and a text that fits is encoded.
    @Test func onlySecondTruncationOfALongTextFailsNamingItsLine() throws {
        let dir = try CollateProcess.temporaryDirectory()
        let tokenizer = try CollateProcess.write("""
            {"truncation": {"max_length": 4, "strategy": "OnlySecond"}, "pre_tokenizer": {"type": "WhitespaceSplit"},
             "model": {"type": "WordLevel", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1, "b": 2}}}
            """, to: "tokenizer.json", in: dir)
        let fits = try CollateProcess.write("{\"text\": \"a b\"}\n", to: "fits.jsonl", in: dir)
        let ok = try CollateProcess.run(["tokenize", "--tokenizer", tokenizer, "--input", fits])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try ok.stdoutLines.map { try JSONParser.parse($0) } == [try JSONParser.parse(#"{"ids": [1, 2], "offsets": [[0, 1], [2, 3]]}"#)])
        let input = try CollateProcess.write("{\"text\": \"a b\"}\n{\"text\": \"a b a b a\"}\n", to: "texts.jsonl", in: dir)
        let result = try CollateProcess.run(["tokenize", "--tokenizer", tokenizer, "--input", input])
        #expect(result.status == 1)
        #expect(result.stdoutLines.isEmpty)
        #expect(result.stderr.contains("\(input):2: truncation strategy OnlySecond needs a pair"), "\(result.stderr)")
    }

    @Test func missingTokenizerIsUsageAndBadPathIsRejected() throws {
        #expect(try CollateProcess.run(["tokenize", "--input", "x.jsonl"]).status == 2)
        let result = try CollateProcess.run(["tokenize", "--tokenizer", "/nonexistent/tok", "--input", "x.jsonl"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/tok"))
    }
}
