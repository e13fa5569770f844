import Foundation
import Testing

@testable import CollateCommandLine

/// The command line judged against swift-argument-parser tools: help with USAGE / OPTIONS /
/// EXAMPLE, `--version`, did-you-mean for commands and options, repeated options, `-` for stdin.
/// Run on the built `collate`, as a user would.
@Suite("collate help, version and argument errors")
struct HelpAndArgumentsTests {
    static let commands = ["batch", "bench", "pack", "export", "tokenize", "validate", "train", "probe", "inspect", "chat"]
    static let root = CollateProcess.repositoryRoot

    /// Runs `collate` with `input` on stdin (from a file, so the write cannot block), under the
    /// shared runner's deadline.
    static func run(_ arguments: [String], stdin input: String) throws -> CollateProcess.Result {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = try CollateProcess.write(input, to: "stdin.txt", in: directory)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputFile))
        defer { try? handle.close() }
        return try CollateProcess.run(arguments, in: root, standardInput: handle)
    }

    @Test(arguments: commands)
    func helpHasUsageOptionsAndAnExample(command: String) throws {
        let viaHelp = try CollateProcess.run(["help", command])
        #expect(viaHelp.status == 0, "\(viaHelp.stderr)")
        let text = viaHelp.stdout
        #expect(text.hasPrefix("OVERVIEW: "))
        #expect(text.contains("\nUSAGE: collate \(command) "))
        #expect(text.contains("\nOPTIONS:\n"))
        #expect(text.contains("\n  -h, --help"))
        #expect(text.contains("\nEXAMPLE"))
        #expect(text.contains("\nSEE ALSO: collate "))
        let definition = try #require(Help.command(command))
        for option in definition.options {
            #expect(text.contains("  \(option.name)"), "\(command): \(option.name) is listed")
            if let value = option.value { #expect(text.contains("\(option.name) <\(value)>")) }
        }
        // Both spellings print the same text; so does -h.
        #expect(try CollateProcess.run([command, "--help"]).stdout == text)
        #expect(try CollateProcess.run([command, "-h"]).stdout == text)
        // Every line fits the width.
        #expect(text.split(separator: "\n").filter { !$0.hasPrefix("  collate ") }.allSatisfy { $0.count <= Help.width }, "\(text)")
    }

    /// Help lists every option a command accepts: the parser's own list (printed for an option
    /// far from every name) must be a subset of the help's.
    @Test(arguments: commands)
    func helpListsEveryOptionTheCommandAccepts(command: String) throws {
        let result = try CollateProcess.run([command, "--zzzzzzzzzzzz"])
        #expect(result.status == 2)
        let firstLine = result.stderr.split(separator: "\n").first.map(String.init) ?? ""
        let listed = try #require(firstLine.components(separatedBy: "expected ").last)
            .replacingOccurrences(of: "one of: ", with: "")
            .components(separatedBy: ", ").map { $0.trimmingCharacters(in: .whitespaces) }
        let documented = Set(try #require(Help.command(command)).options.map(\.name))
        #expect(!listed.isEmpty)
        for option in listed { #expect(documented.contains(option), "\(command) accepts \(option) but its help does not list it") }
    }

    @Test func optionsShowDefaultsAndAllowedValues() throws {
        // Wrapped lines read as one text.
        func unwrapped(_ text: String) -> String {
            text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
        let validate = unwrapped(try CollateProcess.run(["help", "validate"]).stdout)
        #expect(validate.contains("values: causal-lm, seq2seq-lm, sequence-classification, token-classification, masked-lm, preference"))
        #expect(validate.contains("default: causal-lm"))
        #expect(validate.contains("(default: labels: the backend is being trained)"))
        let pack = unwrapped(try CollateProcess.run(["help", "pack"]).stdout)
        #expect(pack.contains("values: bfd, bfd-split, wrapped, ffd, greedy; default: bfd"))
        #expect(pack.contains("--max-tokens <N>"))
        #expect(pack.contains("required"))
    }

    /// The data flags are listed on every command that reads a dataset.
    @Test(arguments: ["batch", "bench", "validate", "inspect", "export", "pack", "train"])
    func dataFlagsAreListed(command: String) throws {
        let names = try #require(Help.command(command)).options.map(\.name)
        for flag in ["--input", "--format", "--tokenizer", "--template", "--config", "--model"] {
            #expect(names.contains(flag), "\(command) lists \(flag)")
        }
        let format = try #require(Help.command(command)?.options.first { $0.name == "--format" })
        #expect(format.allowed?.contains("messages") == true)
    }

    @Test func rootHelpListsEveryCommand() throws {
        for arguments in [["--help"], ["-h"], ["help"]] {
            let result = try CollateProcess.run(arguments)
            #expect(result.status == 0)
            #expect(result.stdout.contains("USAGE: collate <subcommand>"))
            for command in Self.commands { #expect(result.stdout.contains("\n  \(command) ")) }
            #expect(result.stdout.contains("--version"))
        }
        #expect(try CollateProcess.run(["help", "help"]).stdout.contains("SUBCOMMANDS:"))
        #expect(try CollateProcess.run(["help", "validate", "extra"]).status == 2)
        let bare = try CollateProcess.run([])
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("SUBCOMMANDS:"))
    }

    @Test func versionPrintsTheVersion() throws {
        for arguments in [["--version"], ["version"]] {
            let result = try CollateProcess.run(arguments)
            #expect(result.status == 0)
            #expect(result.stdout == "\(Help.versionText)\n")
        }
        #expect(Help.versionText.split(separator: ".").count == 3)
        #expect(try CollateProcess.run(["version", "extra"]).status == 2)
    }

    @Test(arguments: [("bach", "batch"), ("valdate", "validate"), ("inpsect", "inspect"), ("tokenise", "tokenize"), ("hepl", "help"), ("--versio", "--version"), ("--hepl", "--help")])
    func aMistypedCommandGetsASuggestion(typed: String, meant: String) throws {
        let result = try CollateProcess.run([typed])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown command '\(typed)'. Did you mean '\(meant)'?"), "\(result.stderr)")
        #expect(try CollateProcess.run(["help", typed]).stderr.contains("Did you mean '\(meant)'?"))
    }

    @Test func aCommandFarFromEveryNameGetsNoSuggestion() throws {
        let result = try CollateProcess.run(["frobnicate"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown command 'frobnicate'"))
        #expect(!result.stderr.contains("Did you mean"))
    }

    @Test(arguments: [
        (["batch", "--spec", "s.json", "--inptu", "x"], "--input"),
        (["validate", "--spec", "s.json", "--input", "x", "--model-knd", "causal-lm"], "--model-kind"),
        (["pack", "--input", "x", "--max-token", "8"], "--max-tokens"),
        (["tokenize", "--tokeniser", "t", "--input", "x"], "--tokenizer"),
        (["train", "--spec", "s.json", "--input", "x", "--step", "2"], "--steps"),
        (["probe", "--backend", "reference", "--tolerence", "0.1"], "--tolerance"),
        (["export", "--spec", "s.json", "--input", "x", "--out", "d", "--world-szie", "2"], "--world-size"),
        (["bench", "--spec", "s.json", "--input", "x", "--batchsize", "2"], "--batch-size"),
        (["inspect", "--spec", "s.json", "--input", "x", "--hmtl", "r.html"], "--html"),
    ])
    func aMistypedOptionGetsASuggestion(arguments: [String], meant: String) throws {
        let result = try CollateProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(". Did you mean '\(meant)'?"), "\(result.stderr)")
    }

    @Test(arguments: [
        ["batch", "--spec", "a.json", "--spec", "b.json", "--input", "x"],
        ["validate", "--spec", "a.json", "--input", "x", "--input=y"],
        ["validate", "--spec", "a.json", "--input", "x", "--no-padding-free", "--no-padding-free"],
        ["pack", "--input", "x", "--max-tokens", "8", "--max-tokens", "9"],
    ])
    func aRepeatedOptionIsAnError(arguments: [String]) throws {
        let result = try CollateProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("is given twice"), "\(result.stderr)")
    }

    static let examplesText = "{\"input_ids\": [1, 2, 3]}\n{\"input_ids\": [4, 5]}\n"

    @Test func stdinReadsTheDatasetOnEveryCommand() throws {
        let spec = "Samples/Data/language-modeling.json"
        let batch = try Self.run(["batch", "--spec", spec, "--input", "-"], stdin: Self.examplesText)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout.contains(#""input_ids": [[1, 2, 3], [4, 5, 0]]"#), "\(batch.stdout)")
        let bench = try Self.run(["bench", "--spec", spec, "--input", "-", "--batch-size", "1"], stdin: Self.examplesText)
        #expect(bench.status == 0 && bench.stdout.contains(#""tokens": 5"#), "\(bench.stdout)\(bench.stderr)")
        let pack = try Self.run(["pack", "--input", "-", "--max-tokens", "8"], stdin: Self.examplesText)
        #expect(pack.status == 0 && pack.stdout.contains(#""tokens": 5"#), "\(pack.stdout)\(pack.stderr)")
        let validate = try Self.run(["validate", "--spec", spec, "--input", "-", "--format", "json"], stdin: Self.examplesText)
        #expect(validate.status == 0 && validate.stdout == "[]\n", "\(validate.stdout)\(validate.stderr)")
        let tokenize = try Self.run(["tokenize", "--tokenizer", "Samples/Data/mistral-v1", "--input", "-"], stdin: "{\"text\": \"Hello\"}\n")
        #expect(tokenize.status == 0 && tokenize.stdout.hasPrefix(#"{"ids": [1, "#), "\(tokenize.stdout)\(tokenize.stderr)")
        let dir = try CollateProcess.temporaryDirectory()
        let export = try Self.run(["export", "--spec", spec, "--input", "-", "--out", dir.path, "--world-size", "1"], stdin: Self.examplesText)
        #expect(export.status == 0, "\(export.stderr)")
        let train = try Self.run(["train", "--spec", spec, "--input", "-", "--steps", "1", "--batch-size", "2"], stdin: Self.examplesText)
        #expect(train.status == 0 && train.stdout.contains(#""step": 1"#), "\(train.stdout)\(train.stderr)")
        let inspect = try Self.run(["inspect", "--spec", spec, "--input", "-"], stdin: Self.examplesText)
        #expect(inspect.status == 0 && inspect.stdout.contains("── sequence 1"), "\(inspect.stdout)\(inspect.stderr)")
        // A spec from stdin works too; two options cannot both read it.
        let specIn = try Self.run(["batch", "--spec", "-", "--input", "Samples/Data/sft-mistral.jsonl", "--batch-size", "50"],
                                  stdin: #"{"type": "language-modeling", "pad_token_id": 0}"#)
        #expect(specIn.status == 0, "\(specIn.stderr)")
        let both = try Self.run(["batch", "--spec", "-", "--input", "-"], stdin: "")
        #expect(both.status == 2 && both.stderr.contains("both read stdin"), "\(both.stderr)")
    }

    @Test func errorsInStdinNameItStdin() throws {
        let badLine = try Self.run(["batch", "--spec", "Samples/Data/language-modeling.json", "--input", "-"],
                                   stdin: "{\"input_ids\": [1, 2]}\n{\"input_ids\": \"x\"}\n")
        #expect(badLine.status == 1)
        #expect(badLine.stderr.contains("<stdin>:2: "), "\(badLine.stderr)")
        #expect(!badLine.stderr.contains("collate-stdin"), "\(badLine.stderr)")
        let badSpec = try Self.run(["batch", "--spec", "-", "--input", "Samples/Data/sft-mistral.jsonl"],
                                   stdin: #"{"type": "language-modeling", "pad_token": 0}"#)
        #expect(badSpec.status == 1)
        #expect(badSpec.stderr.contains("<stdin>: "), "\(badSpec.stderr)")
        #expect(!badSpec.stderr.contains("collate-stdin"), "\(badSpec.stderr)")
        let inspect = try Self.run(["inspect", "--spec", "Samples/Data/language-modeling.json", "--input", "-"], stdin: Self.examplesText)
        #expect(inspect.status == 0 && inspect.stdout.hasPrefix("2 examples in <stdin>; collator "), "\(inspect.stdout)")
    }

    @Test func suggestionDistance() {
        #expect(Suggestion.editDistance(Array("--inptu"), Array("--input")) == 1)
        #expect(Suggestion.closest(to: "--inptu", among: ["--input", "--spec"]) == "--input")
        #expect(Suggestion.closest(to: "--zzzzzz", among: ["--input", "--spec"]) == nil)
        #expect(Suggestion.closest(to: "-m", among: ["-n"]) == nil, "a one-letter option is not a typo of another")
    }
}
