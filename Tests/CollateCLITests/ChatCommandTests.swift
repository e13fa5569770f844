import Collate
import CollateTokenizers
import Foundation
import Testing
@testable import CollateCommandLine

/// `collate chat`: argument parsing, input rejection and output, with an in-memory tokenizer.
@Suite struct ChatCommandTests {
    /// Splits on spaces; each piece is one token covering itself (spaces uncovered).
    struct SpaceTokenizer: Tokenizer {
        func encodeWithOffsets(text: String, addSpecialTokens: Bool) throws -> Encoding {
            var ids: [Int32] = []
            var offsets: [Range<Int>] = []
            var start: Int?
            let scalars = Array(text.unicodeScalars)
            for position in 0...scalars.count {
                if position == scalars.count || scalars[position] == " " {
                    if let begin = start {
                        ids.append(Int32(position - begin))
                        offsets.append(begin..<position)
                    }
                    start = nil
                } else if start == nil {
                    start = position
                }
            }
            return Encoding(ids: ids, offsets: offsets)
        }
        func decode(tokens: [Int], skipSpecialTokens: Bool) -> String { "" }
        func convertTokenToId(_ token: String) -> Int? { nil }
        func convertIdToToken(_ id: Int) -> String? { nil }
        var vocabularySize: Int { 100 }
        var bosToken: String? { "<s>" }
        var eosToken: String? { "</s>" }
        var padToken: String? { nil }
        var unknownToken: String? { nil }
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], input: String) -> Run {
        var stdout = ""
        var stderr = ""
        let status = ChatCommand.run(
            arguments: arguments,
            loadTokenizer: { _ in SpaceTokenizer() },
            readInput: { path in
                guard path == "conv.jsonl" else { throw CocoaError(.fileNoSuchFile) }
                return Data(input.utf8)
            },
            output: { stdout += $0 },
            error: { stderr += $0 })
        return Run(status: status, stdout: stdout, stderr: stderr)
    }

    static let arguments = ["--template", "mistral-inst", "--tokenizer", "tok", "--input", "conv.jsonl"]

    @Test func printsTextIdsAndMasks() {
        let input = """
            {"messages": [{"role": "user", "content": "a \\"b\\""}, {"role": "assistant", "content": "c\\nd e"}]}

            {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "name": "bot"}]}
            """
        let result = Self.run(["chat"] + Self.arguments, input: input)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        // "<s>[INST]" "a" "\"b\"" "[/INST]c\nd" "e</s>": the generation starts inside token 3.
        #expect(result.stdout == """
            {"text": "<s>[INST] a \\"b\\" [/INST]c\\nd e</s>", "input_ids": [9, 1, 3, 10, 5], "assistant_masks": [0, 0, 0, 1, 1]}
            {"text": "<s>[INST] x [/INST]y</s>", "input_ids": [9, 1, 12], "assistant_masks": [0, 0, 1]}

            """)
    }

    struct RejectCase: Sendable, CustomTestStringConvertible {
        var name: String
        var line: String
        var fragments: [String]
        var testDescription: String { name }
    }

    static let rejectCases: [RejectCase] = [
        RejectCase(name: "invalid JSON", line: "{\"messages\": [", fragments: ["conv.jsonl:2:", "not valid JSON"]),
        RejectCase(name: "not an object", line: "[1]", fragments: ["conv.jsonl:2:", "got [1]"]),
        RejectCase(name: "missing messages", line: "{\"turns\": []}", fragments: ["conv.jsonl:2:", "'messages' is missing"]),
        RejectCase(name: "messages not array", line: "{\"messages\": \"hi\"}", fragments: ["'messages'", "got \"hi\""]),
        RejectCase(name: "message not object", line: "{\"messages\": [3]}", fragments: ["'messages[0]'", "got 3"]),
        RejectCase(name: "content not string", line: "{\"messages\": [{\"role\": \"user\", \"content\": 42}]}",
                   fragments: ["conv.jsonl:2:", "'messages[0].content'", "got 42"]),
        RejectCase(name: "content null", line: "{\"messages\": [{\"role\": \"user\", \"content\": null}]}",
                   fragments: ["'messages[0].content'", "got null"]),
        RejectCase(name: "role missing", line: "{\"messages\": [{\"content\": \"x\"}]}",
                   fragments: ["'messages[0].role' is missing"]),
        RejectCase(name: "unsupported role", line: "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"system\", \"content\": \"s\"}]}",
                   fragments: ["conv.jsonl:2:", "'messages[1].role'", "\"system\"", "mistral-inst"]),
    ]

    @Test(arguments: rejectCases)
    func rejectsBadLinesWithFileLineFieldAndValue(_ testCase: RejectCase) {
        let input = "{\"messages\": [{\"role\": \"user\", \"content\": \"ok\"}]}\n" + testCase.line + "\n"
        let result = Self.run(Self.arguments, input: input)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        for fragment in testCase.fragments {
            #expect(result.stderr.contains(fragment), "\(result.stderr)")
        }
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var fragment: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageCases: [UsageCase] = [
        UsageCase(arguments: [], fragment: "missing --template, --tokenizer, --input"),
        UsageCase(arguments: ["--template", "chatml", "--input", "conv.jsonl"], fragment: "missing --tokenizer"),
        UsageCase(arguments: ["--template"], fragment: "--template needs a value"),
        UsageCase(arguments: arguments + ["--verbose"], fragment: "unknown argument '--verbose'"),
        UsageCase(arguments: arguments + ["--input=x"], fragment: "--input given twice"),
        UsageCase(arguments: ["--template=vicuna", "--tokenizer=tok", "--input=conv.jsonl"],
                  fragment: "unknown chat format 'vicuna'; known formats: chatml, mistral-inst"),
    ]

    @Test(arguments: usageCases)
    func usageErrorsExitTwo(_ testCase: UsageCase) {
        let result = Self.run(testCase.arguments, input: "")
        #expect(result.status == 2)
        #expect(result.stderr.contains(testCase.fragment), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func helpExitsZero() {
        let result = Self.run(["--help"], input: "")
        #expect(result.status == 0)
        #expect(result.stdout.contains("usage: collate chat"))
    }

    @Test func unreadableInputIsRejected() {
        let result = Self.run(["--template", "chatml", "--tokenizer", "tok", "--input", "missing.jsonl"], input: "")
        #expect(result.status == 1)
        #expect(result.stderr.contains("--input missing.jsonl"))
    }

    @Test func jsonStringEscaping() {
        var out = ""
        JSONWriter.writeString("a\"\\\n\t\u{01}é👩‍💻\u{2028}", into: &out)
        #expect(out == "\"a\\\"\\\\\\n\\t\\u0001é👩‍💻\u{2028}\"")
        let decoded = try? JSONSerialization.jsonObject(with: Data(out.utf8), options: [.fragmentsAllowed]) as? String
        #expect(decoded == "a\"\\\n\t\u{01}é👩‍💻\u{2028}")
    }
}
