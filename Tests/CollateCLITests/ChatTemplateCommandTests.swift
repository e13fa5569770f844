import Collate
import Foundation
import Testing

/// `collate chat --template PATH` with a model's own Jinja template, run as the built binary:
/// a `.jinja` file, a `tokenizer_config.json` (string or named list) and a model folder.
@Suite struct ChatTemplateCommandTests {
    static let fixtures = CollateProcess.fixtures

    struct Group: Sendable, CustomTestStringConvertible {
        var template: String
        var tokenizer: String
        var testDescription: String { "\(template)@\(tokenizer)" }
    }

    /// The generation-tagged templates `golden/chat.jsonl` was rendered with by transformers
    /// (`golden/chat_templates.json`), with the real tokenizers.
    static let groups: [Group] = [
        Group(template: "chatml", tokenizer: "mistral-v1-chatml"),
        Group(template: "mistral-inst", tokenizer: "mistral-v1"),
        Group(template: "mistral-tekken", tokenizer: "tekken"),
        Group(template: "alpaca", tokenizer: "tekken"),
        Group(template: "alpaca", tokenizer: "mistral-v1"),
    ]

    static func templateSource(_ name: String) throws -> String {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("golden/chat_templates.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        return try #require(object[name])
    }

    static func goldenCases(_ group: Group) throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("golden/chat.jsonl"))
        return try data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            guard object?["template"] as? String == group.template, object?["tokenizer"] as? String == group.tokenizer
            else { return nil }
            return object
        }
    }

    static func inputFile(_ cases: [[String: Any]], in directory: URL) throws -> String {
        var input = ""
        for golden in cases {
            let line = try JSONSerialization.data(withJSONObject: ["messages": golden["messages"] ?? []])
            input += String(decoding: line, as: UTF8.self) + "\n"
        }
        return try CollateProcess.write(input, to: "conversations.jsonl", in: directory)
    }

    static func expectMatches(_ result: CollateProcess.Result, _ cases: [[String: Any]],
                              masks: Bool = true) throws {
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdoutLines
        #expect(lines.count == cases.count)
        for (line, golden) in zip(lines, cases) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let expected = try #require(golden["expected"] as? [String: Any])
            #expect(object["text"] as? String == expected["text"] as? String)
            #expect(object["input_ids"] as? [Int] == expected["input_ids"] as? [Int])
            if masks { #expect(object["assistant_masks"] as? [Int] == expected["assistant_masks"] as? [Int]) }
        }
    }

    /// A `.jinja` file with `{% generation %}` blocks: text, ids and masks equal transformers'
    /// `apply_chat_template(..., return_assistant_tokens_mask=True)` on all 60 conversations.
    @Test(arguments: groups)
    func jinjaFileMatchesTransformers(_ group: Group) throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = try Self.goldenCases(group)
        #expect(cases.count == 60)
        let template = try CollateProcess.write(try Self.templateSource(group.template), to: "t.jinja", in: directory)
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/\(group.tokenizer)").path
        let result = try CollateProcess.run(
            ["chat", "--template", template, "--tokenizer", tokenizer, "--input", try Self.inputFile(cases, in: directory)])
        try Self.expectMatches(result, cases)
    }

    /// The same ChatML template WITHOUT generation tags: Collate's rule (after the generation
    /// prompt, through `<|im_end|>`, the newline after it out) gives the tagged template's masks.
    @Test func untaggedTemplateGetsTheRuleMasks() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let group = Group(template: "chatml", tokenizer: "mistral-v1-chatml")
        let cases = try Self.goldenCases(group)
        let untagged = try Self.templateSource("chatml")
            .replacingOccurrences(of: "{% generation %}", with: "")
            .replacingOccurrences(of: "{% endgeneration %}", with: "")
            // The generation prompt the rule needs (the tagged golden template has none).
            + "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
        #expect(!untagged.contains("generation %}"))
        let template = try CollateProcess.write(untagged, to: "chatml.jinja", in: directory)
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/\(group.tokenizer)").path
        let result = try CollateProcess.run(
            ["chat", "--template", template, "--tokenizer", tokenizer, "--input", try Self.inputFile(cases, in: directory)])
        try Self.expectMatches(result, cases)
    }

    /// A tokenizer_config.json with `chat_template` as a string, as a named list (`default`
    /// picked without tools), and a model folder holding `chat_template.jinja` (which wins over
    /// the config's, as in transformers 5).
    @Test func configAndFolderForms() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let group = Group(template: "mistral-inst", tokenizer: "mistral-v1")
        let cases = Array(try Self.goldenCases(group).prefix(10))
        let source = try Self.templateSource("mistral-inst")
        let tokenizerFolder = Self.fixtures.appendingPathComponent("tokenizers/\(group.tokenizer)")
        let input = try Self.inputFile(cases, in: directory)

        let stringConfig = try JSONSerialization.data(withJSONObject: [
            "chat_template": source, "bos_token": "<s>", "eos_token": ["content": "</s>", "__type": "AddedToken"],
        ])
        let stringPath = try CollateProcess.write(String(decoding: stringConfig, as: UTF8.self), to: "string.json", in: directory)
        try Self.expectMatches(try CollateProcess.run(
            ["chat", "--template", stringPath, "--tokenizer", tokenizerFolder.path, "--input", input]), cases)

        let listConfig = try JSONSerialization.data(withJSONObject: [
            "chat_template": [["name": "tool_use", "template": "{{ raise_exception('tool_use picked') }}"],
                              ["name": "default", "template": source]],
            "bos_token": "<s>", "eos_token": "</s>",
        ])
        let listPath = try CollateProcess.write(String(decoding: listConfig, as: UTF8.self), to: "list.json", in: directory)
        try Self.expectMatches(try CollateProcess.run(
            ["chat", "--template", listPath, "--tokenizer", tokenizerFolder.path, "--input", input]), cases)

        let model = directory.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        _ = try CollateProcess.write(source, to: "chat_template.jinja", in: model)
        let overridden = try JSONSerialization.data(withJSONObject: [
            "chat_template": "{{ raise_exception('the config template must lose') }}", "bos_token": "<s>", "eos_token": "</s>",
        ])
        _ = try CollateProcess.write(String(decoding: overridden, as: UTF8.self), to: "tokenizer_config.json", in: model)
        try Self.expectMatches(try CollateProcess.run(
            ["chat", "--template", model.path, "--tokenizer", tokenizerFolder.path, "--input", input]), cases)
    }

    /// A line with tools picks the `tool_use` variant, and the template's own error names the
    /// template, its line and the conversation line; nothing is printed.
    @Test func toolUseVariantAndTemplateErrors() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try JSONSerialization.data(withJSONObject: [
            "chat_template": [["name": "tool_use", "template": "\n{{ raise_exception('tools are not allowed here') }}"],
                              ["name": "default", "template": "{% for m in messages %}{{ m.content }}{% endfor %}"]],
        ])
        let path = try CollateProcess.write(String(decoding: config, as: UTF8.self), to: "tokenizer_config.json", in: directory)
        let input = try CollateProcess.write("""
            {"messages": [{"role": "user", "content": "a"}]}
            {"messages": [{"role": "user", "content": "a"}], "tools": [{"type": "function", "function": {"name": "f"}}]}

            """, to: "in.jsonl", in: directory)
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/mistral-v1").path
        let result = try CollateProcess.run(["chat", "--template", path, "--tokenizer", tokenizer, "--input", input])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("in.jsonl:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("tool_use") && result.stderr.contains("line 2"), "\(result.stderr)")
        #expect(result.stderr.contains("tools are not allowed here"), "\(result.stderr)")
    }

    /// TRL's Qwen2.5 template renders a tool-calling conversation byte for byte as transformers
    /// 5.23 does (the golden text of `qwen2_5 / tools-one-call`).
    @Test func toolCallingConversationRendersAsTransformers() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let goldens = try String(contentsOf: Self.fixtures.appendingPathComponent("chat-templates/goldens.jsonl"), encoding: .utf8)
        // Collate's own parser keeps key order (the tool schema's keys are rendered in order).
        var conversation: JSONObject?
        var expected: String?
        for line in goldens.split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(line)) else { continue }
            if object["kind"] == .string("conversation"), object["id"] == .string("tools-one-call") { conversation = object }
            if object["kind"] == .string("case"), object["template"] == .string("qwen2_5"),
               object["conversation"] == .string("tools-one-call"), case .string(let text)? = object["text"] { expected = text }
        }
        let source = try #require(conversation)
        var line = JSONObject([("messages", source["messages"] ?? .null), ("tools", source["tools"] ?? .null)])
        if case .object(let kwargs)? = source["kwargs"] { for member in kwargs.members { line[member.key] = member.value } }
        let input = try CollateProcess.write(JSONValue.object(line).jsonText + "\n", to: "in.jsonl", in: directory)
        let template = Self.fixtures.appendingPathComponent("chat-templates/templates/qwen2_5.jinja").path
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path
        let result = try CollateProcess.run(["chat", "--template", template, "--tokenizer", tokenizer, "--input", input])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(output["text"] as? String == expected)
        let masks = try #require(output["assistant_masks"] as? [Int])
        #expect(masks.contains(1) && masks.contains(0))
    }

    /// A built-in format given tools or tool calls refuses the line by name instead of dropping them.
    @Test func builtInFormatRefusesToolLines() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path
        let tools = try CollateProcess.write("""
            {"messages": [{"role": "user", "content": "a"}], "tools": [{"type": "function", "function": {"name": "f"}}]}

            """, to: "tools.jsonl", in: directory)
        let toolsResult = try CollateProcess.run(["chat", "--template", "chatml", "--tokenizer", tokenizer, "--input", tools])
        #expect(toolsResult.status == 1)
        #expect(toolsResult.stderr.contains("tools.jsonl:1: field 'tools'"), "\(toolsResult.stderr)")
        let calls = try CollateProcess.write("""
            {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {}}}]}]}

            """, to: "calls.jsonl", in: directory)
        let callsResult = try CollateProcess.run(["chat", "--template", "chatml", "--tokenizer", tokenizer, "--input", calls])
        #expect(callsResult.status == 1)
        #expect(callsResult.stderr.contains("field 'messages[1].tool_calls'"), "\(callsResult.stderr)")
        #expect(callsResult.stderr.contains("model's own chat template"), "\(callsResult.stderr)")
    }

    /// A bad conversation line is refused by file, line and field before the template runs.
    @Test func badConversationLinesNameTheField() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let template = Self.fixtures.appendingPathComponent("chat-templates/templates/qwen3.jinja").path
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path
        let cases: [(String, String)] = [
            (#"{"messages": [{"role": "user", "content": "a"}], "tools": {"f": 1}}"#, "field 'tools': expected an array"),
            (#"{"messages": [{"role": "user", "content": "a"}], "add_generation_prompt": 1}"#, "field 'add_generation_prompt': expected true or false"),
            (#"{"messages": [{"content": "a"}]}"#, "field 'messages[0].role' is missing"),
            (#"{"messages": [{"role": "user", "content": "a"}"#, "not valid JSON"),
        ]
        for (line, fragment) in cases {
            let input = try CollateProcess.write(#"{"messages": [{"role": "user", "content": "ok"}]}"# + "\n" + line + "\n",
                                                 to: "in.jsonl", in: directory)
            let result = try CollateProcess.run(["chat", "--template", template, "--tokenizer", tokenizer, "--input", input])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("in.jsonl:2: ") && result.stderr.contains(fragment), "\(result.stderr)")
        }
    }

    @Test func unknownNameOrMissingPathIsAUsageError() throws {
        let result = try CollateProcess.run(["chat", "--template", "/no/such/template.jinja", "--tokenizer", "t", "--input", "i"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown chat format '/no/such/template.jinja'"))
        #expect(result.stderr.contains("no such file"))
    }
}
