import Foundation
import PackagePlugin

/// `swift package collate-lint`: runs `collate validate` over every pipeline file, dataset and
/// spec a package lists in its `collate.json`, and fails with the diagnostics when any check has errors.
///
/// `collate.json` at the package root:
///
/// ```json
/// {
///   "pipelines": ["pipelines/sft.json"],
///   "checks": [
///     {"spec": "specs/sft.json", "input": "data/train.jsonl",
///      "requires": ["labels"], "vocab_size": 32000, "max_length": 4096, "padding_free": true,
///      "model_kind": "causal-lm"}
///   ]
/// }
/// ```
///
/// A pipeline file describes a whole run (data, tokenizer, chat template, packing, collator,
/// model; see Guides/Pipeline.md) and is checked with `collate validate --config FILE`, exactly
/// as the command line and a Swift program see it. Paths are relative to the package root.
/// `requires`, `vocab_size`, `max_length`, `padding_free` and `model_kind` (`causal-lm`,
/// `seq2seq-lm`, ... — an encoder-decoder's targets have a length of their own) of a check describe
/// the model backend, as `collate validate`'s flags do.
///
/// `"tool": "my-collate"` names an executable product of the package to run instead of the
/// stock `collate`: a `collate`-compatible tool built from the CollateCommandLine library with the
/// package's own collator types and rules registered (see Guides/Collators.md). The plugin builds
/// it first, then runs the same `validate` commands with it.
@main
struct CollateLint: CommandPlugin {
    struct Configuration: Decodable {
        struct Check: Decodable {
            var spec: String
            var input: String
            var requires: [String]?
            var vocab_size: Int?
            var max_length: Int?
            var padding_free: Bool?
            var model_kind: String?
        }
        var checks: [Check]?
        var pipelines: [String]?
        var tool: String?
    }

    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let configName = extractor.extractOption(named: "config").last ?? "collate.json"
        let root = context.package.directoryURL
        let configURL = root.appendingPathComponent(configName)
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            Diagnostics.error("collate-lint: no \(configName) at the package root; list the specs and datasets to check there (see Guides/Validation.md)")
            return
        }
        // JSONDecoder ignores keys it does not know, so a typo ("paddingFree") would silently
        // check something else than the author meant.
        // JSONDecoder also keeps one of two equal keys without a word: a repeated key is an error.
        let duplicates = Self.duplicateKeys(in: data)
        guard duplicates.isEmpty else {
            Diagnostics.error("collate-lint: \(configURL.path): " + duplicates.joined(separator: "; "))
            return
        }
        let unknown = Self.unknownKeys(in: data)
        guard unknown.isEmpty else {
            Diagnostics.error("collate-lint: \(configURL.path): " + unknown.joined(separator: "; "))
            return
        }
        let configuration: Configuration
        do {
            configuration = try JSONDecoder().decode(Configuration.self, from: data)
        } catch {
            Diagnostics.error("collate-lint: \(configURL.path) is not a valid configuration: \(error)")
            return
        }
        let toolURL: URL
        if let name = configuration.tool {
            // The package's own collate-compatible executable, which knows its collator types.
            let result = try packageManager.build(.product(name), parameters: .init(configuration: .debug, logging: .concise))
            guard result.succeeded else {
                Diagnostics.error("collate-lint: cannot build the tool '\(name)' that \(configName) names (\"tool\"); it must be an "
                    + "executable product of this package:\n\(result.logText)")
                return
            }
            guard let artifact = result.builtArtifacts.first(where: { $0.kind == .executable }) else {
                Diagnostics.error("collate-lint: '\(name)' that \(configName) names (\"tool\") is not an executable product of this package; "
                    + "name the product of a main.swift that runs CollateTool (see Guides/Collators.md)")
                return
            }
            toolURL = artifact.url
        } else {
            toolURL = try context.tool(named: "CollateCLI").url  // the executable target behind the `collate` product
        }
        var failures = 0
        var runs: [(label: String, arguments: [String])] = []
        for pipeline in configuration.pipelines ?? [] {
            runs.append((pipeline, ["validate", "--config", root.appendingPathComponent(pipeline).path]))
        }
        for check in configuration.checks ?? [] {
            var toolArguments = [
                "validate",
                "--spec", root.appendingPathComponent(check.spec).path,
                "--input", root.appendingPathComponent(check.input).path,
            ]
            if let requires = check.requires, !requires.isEmpty { toolArguments += ["--requires", requires.joined(separator: ",")] }
            if let vocabSize = check.vocab_size { toolArguments += ["--vocab-size", String(vocabSize)] }
            if let maxLength = check.max_length { toolArguments += ["--max-length", String(maxLength)] }
            if check.padding_free == false { toolArguments.append("--no-padding-free") }
            if let kind = check.model_kind { toolArguments += ["--model-kind", kind] }   // an unknown kind is the tool's usage error
            runs.append(("\(check.input) with \(check.spec)", toolArguments))
        }
        for (label, toolArguments) in runs {
            let process = Process()
            process.executableURL = toolURL
            process.arguments = toolArguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                Diagnostics.remark("collate-lint: \(label): ok")
                if !text.isEmpty { print(text, terminator: "") }
            } else if process.terminationStatus == 2 {
                failures += 1
                Diagnostics.error("collate-lint: the check of \(label) has invalid settings (collate validate usage error):\n\(text)")
            } else {
                failures += 1
                Diagnostics.error("collate-lint: \(label) failed validation:\n\(text)")
            }
        }
        if runs.isEmpty {
            Diagnostics.error("collate-lint: \(configURL.path) lists nothing to check; add \"pipelines\": [\"pipeline.json\"] or \"checks\"")
        } else if failures == 0 {
            print("collate-lint: \(runs.count) check(s) passed")
        }
    }

    static let knownCheckKeys: Set<String> = ["spec", "input", "requires", "vocab_size", "max_length", "padding_free", "model_kind"]

    /// One message per key an object repeats, naming the key, its line and the fix.
    static func duplicateKeys(in data: Data) -> [String] {
        let bytes = [UInt8](data)
        var messages: [String] = []
        // One entry per open container: the keys an object has seen (nil for an array), and
        // whether the next string in it is a key.
        var stack: [(keys: Set<String>?, expectsKey: Bool)] = []
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: "{"): stack.append((keys: [], expectsKey: true))
            case UInt8(ascii: "["): stack.append((keys: nil, expectsKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","): if let last = stack.indices.last, stack[last].keys != nil { stack[last].expectsKey = true }
            case UInt8(ascii: ":"): if let last = stack.indices.last { stack[last].expectsKey = false }
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                if let last = stack.indices.last, stack[last].expectsKey, var keys = stack[last].keys {
                    let key = String(decoding: bytes[(index + 1)..<min(end, bytes.count)], as: UTF8.self)
                    if keys.contains(key) {
                        messages.append("duplicate key \"\(key)\" on line \(line): remove one of the two \"\(key)\" keys; "
                                        + "JSON readers would silently keep only one of them")
                    }
                    keys.insert(key)
                    stack[last].keys = keys
                }
                index = end
            default: break
            }
            index += 1
        }
        return messages
    }

    /// One message per key the configuration format does not have, naming where it is.
    static func unknownKeys(in data: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        var messages = root.keys.filter { !["checks", "pipelines", "tool"].contains($0) }.sorted().map {
            "unknown key '\($0)' at the top level; the keys are 'pipelines' (pipeline files), 'checks' and 'tool' (an executable product to run)"
        }
        if let tool = root["tool"], !(tool is String) {
            messages.append("'tool' must be the name of an executable product (a string), got \(tool)")
        }
        for (index, check) in ((root["checks"] as? [Any]) ?? []).enumerated() {
            guard let check = check as? [String: Any] else { continue }
            for key in check.keys.sorted() where !knownCheckKeys.contains(key) {
                messages.append("unknown key '\(key)' in checks[\(index)]; known keys: \(knownCheckKeys.sorted().joined(separator: ", "))")
            }
        }
        return messages
    }
}
