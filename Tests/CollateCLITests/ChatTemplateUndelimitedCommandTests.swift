import Foundation
import Testing

/// A template with no generation prompt and no end-of-turn marker (`role: content` lines): its
/// assistant masks cannot be delimited (the role header is trained, no stop token). `collate chat`
/// warns on stderr and still renders; `validate` and `inspect` report `template-turn-undelimited`.
@Suite struct ChatTemplateUndelimitedCommandTests {
    static let tokenizer = CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path
    static let plain = "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
    static let chatml = "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
    static let lines = """
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
        {"messages": [{"role": "user", "content": "Bye"}, {"role": "assistant", "content": "Bye!"}]}

        """

    static func setUp(_ template: String) throws -> URL {
        let dir = try CollateProcess.temporaryDirectory()
        _ = try CollateProcess.write(template, to: "t.jinja", in: dir)
        _ = try CollateProcess.write(Self.lines, to: "chat.jsonl", in: dir)
        _ = try CollateProcess.write(#"{"type": "seq2seq", "pad_token_id": 2}"#, to: "spec.json", in: dir)
        return dir
    }

    @Test func chatWarnsOnceAndStillRenders() throws {
        let dir = try Self.setUp(Self.plain)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CollateProcess.run(["chat", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 2)
        let warnings = result.stderr.components(separatedBy: "warning[template-turn-undelimited]").count - 1
        #expect(warnings == 1, "\(result.stderr)")
        #expect(result.stderr.contains("t.jinja"))
        #expect(result.stderr.contains(#""assistant: Hello""#), "\(result.stderr)")
        #expect(result.stderr.contains("Fix:"))
    }

    @Test func chatIsQuietForADelimitedTemplate() throws {
        let dir = try Self.setUp(Self.chatml)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CollateProcess.run(["chat", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func validateReportsTheWarning() throws {
        let dir = try Self.setUp(Self.plain)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CollateProcess.run(
            ["validate", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json", "--format", "json"],
            in: dir)
        #expect(result.status == 0, "a warning does not reject: \(result.stdout)\(result.stderr)")
        let diagnostics = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let found = diagnostics.filter { $0["code"] as? String == "template-turn-undelimited" }
        #expect(found.count == 1, "\(result.stdout)")
        #expect(found.first?["severity"] as? String == "warning")
        #expect(found.first?["example"] is NSNull)

        let strict = try CollateProcess.run(
            ["validate", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json",
             "--strict", "template-turn-undelimited"], in: dir)
        #expect(strict.status == 1, "--strict makes it an error: \(strict.stdout)\(strict.stderr)")

        let delimited = try Self.setUp(Self.chatml)
        defer { try? FileManager.default.removeItem(at: delimited) }
        let quiet = try CollateProcess.run(
            ["validate", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json", "--format", "json"],
            in: delimited)
        #expect(!quiet.stdout.contains("template-turn-undelimited"), "\(quiet.stdout)")
    }

    @Test func inspectReportsTheWarning() throws {
        let dir = try Self.setUp(Self.plain)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CollateProcess.run(
            ["inspect", "--template", "t.jinja", "--tokenizer", Self.tokenizer, "--input", "chat.jsonl", "--spec", "spec.json"], in: dir,
            environment: ["NO_COLOR": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("warning[template-turn-undelimited]"), "\(result.stdout)")
    }
}
