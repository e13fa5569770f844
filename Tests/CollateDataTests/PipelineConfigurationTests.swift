import Collate
import CollateData
import CollateTokenizers
import Foundation
import Testing

/// The pipeline file: every key read, every bad key, type and value refused with the key named.
@Suite("Pipeline file: keys, types, values")
struct PipelineConfigurationTests {
    static let fixtures = Fixtures.root

    /// A fresh folder holding `files` (name → text).
    static func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return url
    }

    static func parse(_ text: String) throws(PipelineFileError) -> PipelineConfiguration {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw .notAnObject(file: "p.json", found: "\(error)") }
        return try PipelineConfiguration(json: value, file: "p.json", baseDirectory: URL(fileURLWithPath: "/base"))
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try Self.parse("""
            {"data": {"path": "chat.jsonl", "format": "messages", "bad_lines": "skip"},
             "tokenizer": "models/m", "chat_template": "chatml", "train_on": "last-assistant",
             "max_length": 2048, "truncation": "left", "packing": {"strategy": "ffd", "max_tokens": 4096},
             "collator": {"type": "flattening"}, "batch_size": 16, "shuffle": true, "seed": 7,
             "model": {"path": "models/m", "kind": "seq2seq-lm", "vocab_size": 32000, "max_length": 4096, "padding_free": false}}
            """)
        #expect(configuration.data.path?.path == "/base/chat.jsonl")
        #expect(configuration.data.format == .messages)
        #expect(configuration.data.badLines == .skip)
        #expect(configuration.tokenizer?.path == "/base/models/m")
        #expect(configuration.chatTemplate == "chatml")
        #expect(configuration.trainOn == .lastAssistant)
        #expect(configuration.maxLength == 2048)
        #expect(configuration.truncation == .left)
        #expect(configuration.packing == PipelineConfiguration.Packing(strategy: .ffd, maxTokens: 4096))
        #expect(configuration.collator == .object(JSONObject([("type", .string("flattening"))])))
        #expect(configuration.batchSize == 16)
        #expect(configuration.shuffle)
        #expect(configuration.seed == 7)
        #expect(configuration.model == PipelineConfiguration.Model(
            path: URL(fileURLWithPath: "/base/models/m"), kind: "seq2seq-lm", vocabSize: 32000, maxLength: 4096, paddingFree: false))
    }

    @Test func defaultsWhenKeysAreAbsent() throws {
        let configuration = try Self.parse(#"{"data": {"path": "/abs/train.jsonl"}}"#)
        #expect(configuration.data.path?.path == "/abs/train.jsonl")
        #expect(configuration.data.format == nil)
        #expect(configuration.data.badLines == .reject)
        #expect(configuration.tokenizer == nil && configuration.chatTemplate == nil && configuration.trainOn == nil)
        #expect(configuration.maxLength == nil && configuration.truncation == nil && configuration.packing == nil)
        #expect(configuration.collator == nil && configuration.batchSize == nil && configuration.model == nil)
        #expect(!configuration.shuffle)
        #expect(configuration.seed == 0)
        #expect(try Self.parse(#"{"packing": {"max_tokens": 8}}"#).packing?.strategy == .bfd)
    }

    @Test func pathValuedTemplateAndCollatorAreRelativeToTheFile() throws {
        let configuration = try Self.parse(#"{"chat_template": "m/tokenizer_config.json", "collator": "specs/sft.json"}"#)
        #expect(configuration.chatTemplate == "/base/m/tokenizer_config.json")
        #expect(configuration.collatorFile?.path == "/base/specs/sft.json")
        #expect(configuration.collator == nil)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var json: String
        var expected: PipelineFileError
        var testDescription: String { json }
    }

    static let badCases: [BadCase] = [
        BadCase(json: #"{"dat": {}}"#, expected: .unknownKey(file: "p.json", path: "dat", allowed: PipelineConfiguration.keys)),
        BadCase(json: #"{"batchsize": 4}"#, expected: .unknownKey(file: "p.json", path: "batchsize", allowed: PipelineConfiguration.keys)),
        BadCase(json: #"{"packing": {"max_token": 4}}"#, expected: .unknownKey(file: "p.json", path: "packing.max_token", allowed: PipelineConfiguration.packingKeys)),
        BadCase(json: #"{"data": {"file": "x"}}"#, expected: .unknownKey(file: "p.json", path: "data.file", allowed: PipelineConfiguration.dataKeys)),
        BadCase(json: #"{"model": {"vocab": 3}}"#, expected: .unknownKey(file: "p.json", path: "model.vocab", allowed: PipelineConfiguration.modelKeys)),
        BadCase(json: #"[1]"#, expected: .notAnObject(file: "p.json", found: "array [1]")),
        BadCase(json: #"{"data": "x.jsonl"}"#, expected: .wrongType(file: "p.json", path: "data", expected: "an object with keys path, format, bad_lines", found: "string \"x.jsonl\"")),
        BadCase(json: #"{"data": {"path": 3}}"#, expected: .wrongType(file: "p.json", path: "data.path", expected: "a string", found: "integer 3")),
        BadCase(json: #"{"data": {"format": "chat"}}"#, expected: .invalidValue(file: "p.json", path: "data.format", value: "\"chat\"", reason: "must be one of tokenized, text, prompt-completion, alpaca, messages")),
        BadCase(json: #"{"data": {"bad_lines": "ignore"}}"#, expected: .invalidValue(file: "p.json", path: "data.bad_lines", value: "\"ignore\"", reason: "must be one of reject, skip")),
        BadCase(json: #"{"tokenizer": ["a"]}"#, expected: .wrongType(file: "p.json", path: "tokenizer", expected: "a string", found: "array [\"a\"]")),
        BadCase(json: #"{"tokenizer": ""}"#, expected: .invalidValue(file: "p.json", path: "tokenizer", value: "\"\"", reason: "must not be empty")),
        BadCase(json: #"{"chat_template": 1}"#, expected: .wrongType(file: "p.json", path: "chat_template", expected: "a string", found: "integer 1")),
        BadCase(json: #"{"train_on": "assistants"}"#, expected: .invalidValue(file: "p.json", path: "train_on", value: "\"assistants\"", reason: "must be one of assistant, last-assistant, all, completion (did you mean \"assistant\"?)")),
        BadCase(json: #"{"max_length": "2048"}"#, expected: .wrongType(file: "p.json", path: "max_length", expected: "an integer", found: "string \"2048\"")),
        BadCase(json: #"{"max_length": 0}"#, expected: .invalidValue(file: "p.json", path: "max_length", value: "0", reason: "must be a positive integer")),
        BadCase(json: #"{"truncation": "middle"}"#, expected: .invalidValue(file: "p.json", path: "truncation", value: "\"middle\"", reason: "must be one of right, left, drop")),
        BadCase(json: #"{"packing": true}"#, expected: .wrongType(file: "p.json", path: "packing", expected: "an object with keys strategy, max_tokens", found: "boolean true")),
        BadCase(json: #"{"packing": {"strategy": "bfd"}}"#, expected: .missingKey(file: "p.json", path: "packing.max_tokens", reason: "packing needs the tokens per row, e.g. \"max_tokens\": 4096")),
        BadCase(json: #"{"packing": {"strategy": "bdf", "max_tokens": 8}}"#, expected: .invalidValue(file: "p.json", path: "packing.strategy", value: "\"bdf\"", reason: "must be one of \(PackingStrategy.allCases.map(\.rawValue).joined(separator: ", ")) (did you mean \"bfd\"?)")),
        BadCase(json: #"{"packing": {"max_tokens": 2.5}}"#, expected: .wrongType(file: "p.json", path: "packing.max_tokens", expected: "an integer", found: "number 2.5")),
        BadCase(json: #"{"packing": {"max_tokens": 99999999999}}"#, expected: .invalidValue(file: "p.json", path: "packing.max_tokens", value: "99999999999", reason: "must be at most \(Packer.maximumCapacity)")),
        BadCase(json: #"{"collator": 5}"#, expected: .wrongType(file: "p.json", path: "collator", expected: "a collator spec object or the path of a spec file", found: "integer 5")),
        BadCase(json: #"{"batch_size": -1}"#, expected: .invalidValue(file: "p.json", path: "batch_size", value: "-1", reason: "must be a positive integer")),
        BadCase(json: #"{"shuffle": "yes"}"#, expected: .wrongType(file: "p.json", path: "shuffle", expected: "true or false", found: "string \"yes\"")),
        BadCase(json: #"{"seed": -3}"#, expected: .invalidValue(file: "p.json", path: "seed", value: "-3", reason: "must be a non-negative integer")),
        BadCase(json: #"{"model": "m"}"#, expected: .wrongType(file: "p.json", path: "model", expected: "an object with keys path, kind, vocab_size, max_length, padding_free", found: "string \"m\"")),
        BadCase(json: #"{"model": {"kind": "causal"}}"#, expected: .invalidValue(file: "p.json", path: "model.kind", value: "\"causal\"", reason: "must be one of causal-lm, seq2seq-lm, sequence-classification, token-classification, masked-lm, preference (did you mean \"causal-lm\"?)")),
        BadCase(json: #"{"model": {"vocab_size": 0}}"#, expected: .invalidValue(file: "p.json", path: "model.vocab_size", value: "0", reason: "must be a positive integer")),
        BadCase(json: #"{"model": {"max_length": true}}"#, expected: .wrongType(file: "p.json", path: "model.max_length", expected: "an integer", found: "boolean true")),
        BadCase(json: #"{"model": {"padding_free": 1}}"#, expected: .wrongType(file: "p.json", path: "model.padding_free", expected: "true or false", found: "integer 1")),
        BadCase(json: #"{"model": {"path": null, "kind": null}}"#, expected: .missingKey(file: "never", path: "", reason: "")),
    ]

    @Test(arguments: badCases.dropLast())
    func badKeyTypeOrValueIsRefusedNamingTheKey(_ bad: BadCase) {
        #expect(throws: bad.expected) { try Self.parse(bad.json) }
    }

    @Test func nullKeysAreAbsentKeys() throws {
        let configuration = try Self.parse(Self.badCases.last!.json)
        #expect(configuration.model == PipelineConfiguration.Model())
    }

    @Test func messagesNameTheKeyAndSuggestTheIntendedOne() {
        let typo = PipelineFileError.unknownKey(file: "p.json", path: "packing.max_token", allowed: PipelineConfiguration.packingKeys)
        #expect(typo.description == #"p.json: unknown key "packing.max_token" (did you mean "max_tokens"?); allowed keys here: strategy, max_tokens"#)
        let top = PipelineFileError.unknownKey(file: "p.json", path: "colator", allowed: PipelineConfiguration.keys)
        #expect(top.description.contains(#"(did you mean "collator"?)"#))
    }

    @Test func unreadableAndInvalidFilesAreNamed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/pipeline.json")
        #expect(throws: PipelineFileError.unreadable(file: missing.path)) { try PipelineConfiguration(contentsOf: missing) }
        let dir = try Self.folder(["p.json": "{\"data\": "])
        let url = dir.appendingPathComponent("p.json")
        #expect(throws: PipelineFileError.self) { try PipelineConfiguration(contentsOf: url) }
        do {
            _ = try PipelineConfiguration(contentsOf: url)
        } catch {
            #expect(error.description.hasPrefix("\(url.path): a pipeline file must be a JSON object"))
            #expect(error.description.contains("invalid JSON"))
        }
    }

    @Test func aFileResolvesPathsAgainstItsFolder() throws {
        let dir = try Self.folder(["configs/p.json": #"{"data": {"path": "../data/train.jsonl"}, "tokenizer": "tok"}"#])
        let configuration = try PipelineConfiguration(contentsOf: dir.appendingPathComponent("configs/p.json"))
        #expect(configuration.data.path == dir.appendingPathComponent("data/train.jsonl").standardizedFileURL)
        #expect(configuration.tokenizer == dir.appendingPathComponent("configs/tok").standardizedFileURL)
        #expect(configuration.file == dir.appendingPathComponent("configs/p.json").path)
    }
}
