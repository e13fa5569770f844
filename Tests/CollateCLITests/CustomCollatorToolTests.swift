import Collate
import Foundation
import Testing
@testable import CollateCommandLine

/// Samples/CustomCollatorTool: a third-party package's own `collate`, built from the
/// CollateCommandLine library with the sample `prefix-lm` type (Samples/PrefixLM) and its
/// `prefix-lm/prefix-too-long` rule registered. Every command, flag and format is the stock tool's.
@Suite("A third-party collate built from CollateCommandLine")
struct CustomCollatorToolTests {
    static let spec = #"{"type": "prefix-lm", "pad_token_id": 0}"#

    /// Runs the custom tool, as a user of that package would.
    static func tool(_ arguments: [String]) throws -> CollateProcess.Result {
        try CollateProcess.run(executable: CollateProcess.productsDirectory.appendingPathComponent("CustomCollatorTool"), arguments)
    }

    /// A folder with a prefix-LM dataset (`data.jsonl`) and spec file (`prefix-lm.json`).
    static func workspace(_ lines: [String] = [
        #"{"input_ids": [11, 12, 13, 14], "prefix_length": 2}"#,
        #"{"input_ids": [21, 22, 23], "prefix_length": 1}"#,
    ]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-custom-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("data.jsonl"), atomically: true, encoding: .utf8)
        try spec.write(to: directory.appendingPathComponent("prefix-lm.json"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func batchCollatesThePrefixLMSpecFromAFileAndInline() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let expected = try JSONParser.parse(#"{"input_ids": [[11, 12, 13, 14], [21, 22, 23, 0]], "attention_mask": [[1, 1, 1, 1], [1, 1, 1, 0]], "labels": [[-100, -100, 13, 14], [-100, 22, 23, -100]]}"#)
        for spec in [directory.appendingPathComponent("prefix-lm.json").path, Self.spec] {
            let result = try Self.tool(["batch", "--spec", spec, "--input", directory.appendingPathComponent("data.jsonl").path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutLines.count == 1)
            #expect(try JSONParser.parse(try #require(result.stdoutLines.first)) == expected)
        }
    }

    @Test func theStockToolRejectsTheTypeTheCustomToolAccepts() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["validate", "--spec", Self.spec, "--input", directory.appendingPathComponent("data.jsonl").path]
        let stock = try CollateProcess.run(arguments)
        #expect(stock.status == 1)
        #expect(stock.stderr.contains(#"unknown collator type "prefix-lm""#), "\(stock.stderr)")
        let custom = try Self.tool(arguments)
        #expect(custom.status == 0, "\(custom.stdout)\(custom.stderr)")
        #expect(!custom.stderr.contains("unknown collator type"))
    }

    @Test func validateRunsTheLabelRuleAndThePackagesOwnRuleInBothFormats() throws {
        let directory = try Self.workspace([
            #"{"input_ids": [11, 12, 13, 14], "prefix_length": 2}"#,
            #"{"input_ids": [21, 22], "prefix_length": 2}"#,
            #"{"input_ids": [31, 32, 33], "prefix_length": 9}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("data.jsonl").path
        let text = try Self.tool(["validate", "--spec", Self.spec, "--input", input])
        #expect(text.status == 1)
        #expect(text.stdout.contains("error[no-trainable-tokens]: example 1 has no trainable token"), "\(text.stdout)")
        #expect(text.stdout.contains("error[prefix-lm/prefix-too-long]: example 2 has prefix_length 9 but only 3 tokens"), "\(text.stdout)")

        let json = try Self.tool(["validate", "--spec", Self.spec, "--input", input, "--format", "json"])
        #expect(json.status == 1)
        guard case .array(let diagnostics) = try JSONParser.parse(json.stdout) else {
            Issue.record("validate --format json printed no array: \(json.stdout)")
            return
        }
        let codes = diagnostics.compactMap { diagnostic -> String? in
            guard case .object(let object) = diagnostic, case .string(let code)? = object["code"] else { return nil }
            return code
        }
        #expect(codes.contains("prefix-lm/prefix-too-long"))
        #expect(codes.contains("no-trainable-tokens"))
    }

    @Test func inspectShowsTheMaskedPrefix() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.tool(["inspect", "--spec", Self.spec, "--input", directory.appendingPathComponent("data.jsonl").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("collator prefix-lm (labels = input_ids with the first prefix_length tokens masked)"))
        #expect(result.stdout.contains("── sequence 0 (row 0): 4 tokens, 2 trained, 0 padding"), "\(result.stdout)")
        #expect(result.stdout.contains("── sequence 1 (row 1): 3 tokens, 2 trained, 1 padding"), "\(result.stdout)")
    }

    @Test func exportWritesShardsOfThePrefixLMBatches() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("shards")
        let result = try Self.tool([
            "export", "--spec", Self.spec, "--input", directory.appendingPathComponent("data.jsonl").path,
            "--out", out.path, "--world-size", "1", "--batch-size", "2",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""written": 1"#), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("rank-00000").path))
    }

    @Test func trainRunsTheReferenceBackendOnPrefixLMBatches() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.tool([
            "train", "--backend", "reference", "--spec", Self.spec, "--input", directory.appendingPathComponent("data.jsonl").path,
            "--steps", "2", "--vocab-size", "32",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == 2, "\(result.stdout)")
        // 2 + 2 trained tokens per batch: the prefix is masked.
        #expect(result.stdoutLines.allSatisfy { $0.contains(#""num_items": 4"#) }, "\(result.stdout)")
    }

    @Test func helpAndVersionAreTheStockToolsUnderItsOwnName() throws {
        for arguments in [["--help"], ["--version"]] {
            let stock = try CollateProcess.run(arguments)
            let custom = try Self.tool(arguments)
            #expect(custom.status == stock.status)
            // The same text, with the tool's own name where the stock tool names itself.
            let renamed = stock.stdout
                .replacingOccurrences(of: "USAGE: collate ", with: "USAGE: CustomCollatorTool ")
                .replacingOccurrences(of: "'collate help ", with: "'CustomCollatorTool help ")
            #expect(custom.stdout == renamed, "\(arguments)")
        }
        let root = try Self.tool(["--help"])
        #expect(root.stdout.contains("USAGE: CustomCollatorTool <subcommand> [options]\n"), "\(root.stdout)")
        #expect(root.stdout.contains("See 'CustomCollatorTool help <subcommand>' for detailed help."))
        let batchHelp = try Self.tool(["batch", "--help"])
        #expect(batchHelp.stdout.contains("USAGE: CustomCollatorTool batch "), "\(batchHelp.stdout)")
        #expect(batchHelp.stdout.contains("\n  CustomCollatorTool batch --spec Samples/Data/language-modeling.json"), "\(batchHelp.stdout)")
        #expect(batchHelp.stdout.contains("SEE ALSO: CustomCollatorTool validate, CustomCollatorTool inspect, CustomCollatorTool export"))
        #expect(!batchHelp.stdout.contains("collate batch"), "\(batchHelp.stdout)")
        #expect(try Self.tool(["help", "batch"]).stdout == batchHelp.stdout)
        let unknown = try Self.tool(["bacth"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "CustomCollatorTool: unknown command 'bacth'. Did you mean 'batch'?\nSee 'CustomCollatorTool --help' for the list of commands.\n",
                "\(unknown.stderr)")
    }

    @Test func usageAndErrorsNameTheTool() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let usage = try Self.tool(["batch", "--bogus"])
        #expect(usage.status == 2)
        #expect(usage.stderr.hasPrefix("CustomCollatorTool batch: "), "\(usage.stderr)")
        #expect(usage.stderr.contains("usage: CustomCollatorTool batch --spec"), "\(usage.stderr)")
        #expect(!usage.stderr.contains("collate batch"), "\(usage.stderr)")
        let rejected = try Self.tool(["validate", "--spec", #"{"type": "prefix-lm", "pad_token": 0}"#, "--input", directory.appendingPathComponent("data.jsonl").path])
        #expect(rejected.status == 1)
        #expect(rejected.stderr.hasPrefix("CustomCollatorTool validate: "), "\(rejected.stderr)")
        // The stock tool still names itself collate.
        let stock = try CollateProcess.run(["batch", "--bogus"])
        #expect(stock.stderr.hasPrefix("collate batch: ") && stock.stderr.contains("usage: collate batch --spec"), "\(stock.stderr)")
    }

    @Test func aToolCreatedWithANameUsesIt() {
        let tool = CollateTool(name: "my-collate", registry: CollatorRegistry())
        #expect(tool.run(["bacth"]) == 2)
        #expect(Console.transcript.contains("my-collate: unknown command 'bacth'. Did you mean 'batch'?\nSee 'my-collate --help' for the list of commands.\n"))
        #expect(CollateTool().name == "collate")
        #expect(Tool.name == "collate", "the name is the running tool's only")
    }
}

/// `--spec` takes the spec itself: a value starting with `{` is JSON, on every command that takes `--spec`.
@Suite("collate --spec with inline JSON")
struct InlineSpecTests {

    static func workspace() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-inline-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #"{"input_ids": [1, 2, 3]}"#.appending("\n").appending(#"{"input_ids": [4, 5]}"#).appending("\n")
            .write(to: directory.appendingPathComponent("data.jsonl"), atomically: true, encoding: .utf8)
        try #"{"type": "language-modeling", "pad_token_id": 0}"#.write(to: directory.appendingPathComponent("lm.json"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test(arguments: ["batch", "bench", "validate", "inspect", "export"])
    func inlineAndFileSpecsGiveTheSameResult(command: String) throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("data.jsonl").path
        func run(_ spec: String, out: String) throws -> CollateProcess.Result {
            var arguments = [command, "--spec", spec, "--input", input]
            if command == "export" { arguments += ["--out", directory.appendingPathComponent(out).path, "--world-size", "1"] }
            if command == "bench" { arguments += ["--batch-size", "2"] }
            return try CollateProcess.run(arguments)
        }
        let fromFile = try run(directory.appendingPathComponent("lm.json").path, out: "a")
        let inline = try run(#"  {"type": "language-modeling", "pad_token_id": 0}"#, out: "b")
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(inline.status == 0, "\(inline.stderr)")
        if command != "bench" && command != "export" {  // bench prints timings; export prints its own folder
            #expect(inline.stdout.replacingOccurrences(of: directory.appendingPathComponent("lm.json").path, with: "")
                    == fromFile.stdout.replacingOccurrences(of: directory.appendingPathComponent("lm.json").path, with: ""))
        }
    }

    @Test func invalidInlineJSONNamesTheFlagAndThePosition() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CollateProcess.run(["batch", "--spec", #"{"type": "language-modeling""#, "--input", directory.appendingPathComponent("data.jsonl").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--spec: the inline spec is not valid JSON: invalid JSON at byte"), "\(result.stderr)")
    }

    @Test func anInlineSpecWithAnUnknownKeyIsRejectedWithTheKey() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CollateProcess.run(["batch", "--spec", #"{"type": "language-modeling", "pad_token": 0}"#, "--input", directory.appendingPathComponent("data.jsonl").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("pad_token"), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("collate batch: --spec (inline JSON): "), "\(result.stderr)")
        #expect(!result.stderr.contains("command line"), "\(result.stderr)")
    }

    @Test func aSpecFilesErrorStillNamesTheFile() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = directory.appendingPathComponent("bad.json")
        try #"{"type": "language-modeling", "pad_token": 0}"#.write(to: spec, atomically: true, encoding: .utf8)
        let result = try CollateProcess.run(["batch", "--spec", spec.path, "--input", directory.appendingPathComponent("data.jsonl").path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("collate batch: \(spec.path): "), "\(result.stderr)")
    }
}
