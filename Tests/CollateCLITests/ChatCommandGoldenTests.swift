import CollateTokenizers
import Foundation
import Testing
@testable import CollateCommandLine

/// `collate chat` end to end with the real tokenizer fixtures against `chat.jsonl`.
@Suite struct ChatCommandGoldenTests {
    static let fixtures = Fixtures.root

    struct Group: Sendable, CustomTestStringConvertible {
        var template: String
        var tokenizer: String
        var testDescription: String { "\(template)@\(tokenizer)" }
    }

    static let groups: [Group] = [
        Group(template: "chatml", tokenizer: "mistral-v1-chatml"),
        Group(template: "mistral-inst", tokenizer: "mistral-v1"),
        Group(template: "mistral-tekken", tokenizer: "tekken"),
        Group(template: "alpaca", tokenizer: "tekken"),
        Group(template: "alpaca", tokenizer: "mistral-v1"),
    ]

    static func goldenLines(_ group: Group) throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("golden/chat.jsonl"))
        return try data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            guard object?["template"] as? String == group.template,
                  object?["tokenizer"] as? String == group.tokenizer
            else { return nil }
            return object
        }
    }

    @Test(arguments: groups)
    func outputMatchesGolden(_ group: Group) throws {
        let cases = try Self.goldenLines(group)
        #expect(cases.count == 60)
        var input = Data()
        for golden in cases {
            input += try JSONSerialization.data(withJSONObject: ["messages": golden["messages"] ?? []])
            input += Data("\n".utf8)
        }
        var stdout = ""
        var stderr = ""
        let tokenizerPath = Self.fixtures.appendingPathComponent("tokenizers/\(group.tokenizer)").path
        let status = ChatCommand.run(
            arguments: ["chat", "--template", group.template, "--tokenizer", tokenizerPath, "--input", "golden.jsonl"],
            loadTokenizer: ChatCommand.loadTokenizer(at:),
            readInput: { _ in input },
            output: { stdout += $0 },
            error: { stderr += $0 })
        #expect(status == 0, "\(stderr)")
        let lines = stdout.split(separator: "\n")
        #expect(lines.count == cases.count)
        for (line, golden) in zip(lines, cases) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let expected = try #require(golden["expected"] as? [String: Any])
            #expect(object["text"] as? String == expected["text"] as? String)
            #expect(object["input_ids"] as? [Int] == expected["input_ids"] as? [Int])
            #expect(object["assistant_masks"] as? [Int] == expected["assistant_masks"] as? [Int])
        }
    }

    @Test func missingTokenizerIsRejected() {
        var stderr = ""
        let status = ChatCommand.run(
            arguments: ["--template", "chatml", "--tokenizer", "/nonexistent/tok", "--input", "x.jsonl"],
            loadTokenizer: ChatCommand.loadTokenizer(at:),
            readInput: { _ in Data() },
            output: { _ in },
            error: { stderr += $0 })
        #expect(status == 1)
        #expect(stderr.contains("--tokenizer /nonexistent/tok"))
    }
}
