import Collate
import Foundation
import Testing

/// `collate chat` on the attack templates (`Tests/Fixtures/chat-templates-attack`), as a user with
/// their own model runs it: a model folder (tokenizer.json + tokenizer_config.json holding the
/// template and its special tokens), that tokenizer_config.json, and a `.jinja` file. The text of
/// every conversation transformers 5.23 renders equals the golden; one it refuses is exit 1
/// naming the input line.
@Suite struct ChatTemplateAttackCommandTests {
    static let fixtures = CollateProcess.fixtures
    static let tokenizerFile = fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml/tokenizer.json")

    struct Golden {
        var templates: [String: [String: Any]] = [:]
        var conversations: [String: [String: Any]] = [:]
        var order: [String] = []
        var cases: [String: [[String: Any]]] = [:]
    }

    static func golden() throws -> Golden {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("chat-templates-attack/goldens.jsonl"))
        var golden = Golden()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            switch object["kind"] as? String {
            case "conversation":
                let id = try #require(object["id"] as? String)
                golden.conversations[id] = object
                golden.order.append(id)
            case "template":
                golden.templates[try #require(object["name"] as? String)] = object
            case "case":
                golden.cases[try #require(object["template"] as? String), default: []].append(object)
            default:
                continue
            }
        }
        return golden
    }

    /// One input line: the conversation's messages, tools and kwargs, as a dataset holds it, keys
    /// in the golden's order (a tool schema's key order shows in `tojson`).
    static func line(_ conversation: [String: Any]) throws -> String {
        let id = try #require(conversation["id"] as? String)
        let text = try String(contentsOf: fixtures.appendingPathComponent("chat-templates-attack/goldens.jsonl"), encoding: .utf8)
        for raw in text.split(separator: "\n") {
            guard case .object(let object) = try JSONParser.parse(String(raw)), object["id"] == .string(id),
                  object["kind"] == .string("conversation") else { continue }
            var line = JSONObject([("messages", object["messages"] ?? .array([]))])
            if let tools = object["tools"], tools != .null { line["tools"] = tools }
            if case .object(let kwargs)? = object["kwargs"] { for member in kwargs.members { line[member.key] = member.value } }
            return JSONValue.object(line).jsonText
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    static let names = ["mistral_v7_tekken", "command_r", "llama3_3", "qwq", "qwen2_vl", "granite3", "smollm3", "phi4",
                        "phi4_mini", "gemma3n", "glm4", "hermes"]

    /// The model folder a user would have: tokenizer.json, and tokenizer_config.json with the
    /// special tokens and the template (a string, or Command-R's named list as it is).
    static func modelFolder(_ name: String, _ golden: Golden, in directory: URL) throws -> URL {
        let template = try #require(golden.templates[name])
        let path = try #require(template["path"] as? String)
        let folder = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: tokenizerFile, to: folder.appendingPathComponent("tokenizer.json"))
        let source = fixtures.appendingPathComponent(path)
        if source.pathExtension == "json" {
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("tokenizer_config.json"))
        } else {
            var config = template["special_tokens"] as? [String: Any] ?? [:]
            config["chat_template"] = try String(contentsOf: source, encoding: .utf8)
            try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: folder.appendingPathComponent("tokenizer_config.json"))
            try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent("own.jinja"))
        }
        return folder
    }

    @Test(arguments: names)
    func modelFolderConfigAndJinjaRenderAsTransformers(_ name: String) throws {
        let golden = try Self.golden()
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = try Self.modelFolder(name, golden, in: directory)
        let cases = try #require(golden.cases[name])
        let rendered = cases.filter { $0["text"] is String }
        var input = ""
        for golden in rendered { input += try Self.line(try #require(Self.golden().conversations[golden["conversation"] as? String ?? ""])) + "\n" }
        let inputPath = try CollateProcess.write(input, to: "conversations.jsonl", in: directory)
        // strftime_now reads the clock: those templates' texts hold today's date, not the goldens'.
        let source = try String(contentsOf: Self.fixtures.appendingPathComponent(try #require(golden.templates[name]?["path"] as? String)), encoding: .utf8)
        let dated = source.contains("strftime_now")
        var templates = [folder.path, folder.appendingPathComponent("tokenizer_config.json").path]
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("own.jinja").path) {
            templates.append(folder.appendingPathComponent("own.jinja").path)
        }
        for template in templates {
            let result = try CollateProcess.run(["chat", "--template", template, "--tokenizer", folder.path, "--input", inputPath])
            #expect(result.status == 0, "\(template): \(result.stderr)")
            let lines = result.stdoutLines
            #expect(lines.count == rendered.count, "\(template)")
            for (line, expected) in zip(lines, rendered) {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let text = try #require(object["text"] as? String)
                let ids = try #require(object["input_ids"] as? [Int])
                let masks = try #require(object["assistant_masks"] as? [Int])
                #expect(ids.count == masks.count)
                if !dated { #expect(text == expected["text"] as? String, "\(template) / \(expected["conversation"] ?? "")") }
            }
        }
        // A conversation transformers refuses is refused, naming the line.
        if let refused = cases.first(where: { $0["error"] is String }), let id = refused["conversation"] as? String {
            let bad = try CollateProcess.write(try Self.line(try #require(golden.conversations[id])) + "\n", to: "bad.jsonl", in: directory)
            let result = try CollateProcess.run(["chat", "--template", folder.path, "--tokenizer", folder.path, "--input", bad])
            #expect(result.status == 1, "\(id): \(result.stdout)")
            #expect(result.stderr.contains("bad.jsonl:1"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    /// A template that does not parse is reported once, as the template's error (it was reported
    /// as the first input line's), before any line is read.
    @Test func aSyntaxErrorIsTheTemplatesNotTheLines() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try CollateProcess.write("{% for m in messages %}\n{{ m.content }\n{% endfor %}", to: "bad.jinja", in: directory)
        _ = try CollateProcess.write(#"{"messages": [{"role": "user", "content": "Hi"}]}"# + "\n", to: "chat.jsonl", in: directory)
        let tokenizer = Self.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path
        let result = try CollateProcess.run(["chat", "--template", "bad.jinja", "--tokenizer", tokenizer, "--input", "chat.jsonl"], in: directory)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("collate chat: --template bad.jinja: "), "\(result.stderr)")
        #expect(result.stderr.contains("bad.jinja, line 2"), "\(result.stderr)")
        #expect(!result.stderr.contains("chat.jsonl:1"), "\(result.stderr)")
    }

    /// `--template mymodel` without a slash names the folder on every data command too (it was
    /// "unknown chat format 'mymodel'" on validate and inspect while `chat` took it).
    @Test func aFolderNamedWithoutASlashIsATemplateEverywhere() throws {
        let golden = try Self.golden()
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.modelFolder("phi4", golden, in: directory)
        let conversation = try Self.line(try #require(golden.conversations["sys-three-turns"]))
        _ = try CollateProcess.write(conversation + "\n", to: "chat.jsonl", in: directory)
        _ = try CollateProcess.write(#"{"type": "sft", "pad_token_id": 0}"#, to: "spec.json", in: directory)
        for command in ["chat", "validate", "inspect", "batch"] {
            var arguments = [command, "--template", "phi4", "--tokenizer", "phi4", "--input", "chat.jsonl"]
            if command != "chat" { arguments += ["--spec", "spec.json"] }
            let result = try CollateProcess.run(arguments, in: directory, environment: ["NO_COLOR": "1"])
            #expect(result.status != 2 && !result.stderr.contains("unknown chat format"), "\(command): \(result.stderr)")
            // The folder's template was loaded: chat renders it; the data commands check its
            // markers (`<|im_sep|>` is not a token of this tokenizer: template-tokens-missing).
            if command == "chat" || command == "batch" {
                #expect(result.status == 0, "\(result.stderr)")
                if command == "chat" { #expect(result.stdout.contains("<|im_sep|>")) }
            } else {
                #expect((result.stdout + result.stderr).contains("template-tokens-missing"), "\(command): \(result.stdout)\(result.stderr)")
            }
        }
    }
}
