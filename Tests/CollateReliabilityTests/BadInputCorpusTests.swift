import Collate
import CollateData
import CollateTokenizers
import Foundation
import Testing

/// One malformed (or deliberately tolerated) input from `Tests/Fixtures/bad/manifest.json`.
///
/// A case names its file, the reader that takes it (`examples`: ``ExampleFile``; `dataset`:
/// ``DatasetReader`` with the case's `format`/`template`; `spec`: ``CollatorRegistry``;
/// `tokenizer`: ``PretrainedTokenizer``; `cli`: the command only), the exact outcome (an
/// error value, or the examples a lenient read accepts) and the `collate` command run on it
/// with its exit status and the message it must print.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    let id: String
    let manifest: JSONObject

    var testDescription: String { id }

    static let directory = CollateProcess.fixtures.appendingPathComponent("bad")

    static let all: [BadInputCase] = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
            guard case .array(let items) = try JSONParser.parse(String(decoding: data, as: UTF8.self)) else { return [] }
            return items.compactMap { item in
                guard case .object(let object) = item, case .string(let id)? = object["id"] else { return nil }
                return BadInputCase(id: id, manifest: object)
            }
        } catch {
            Issue.record("cannot read the bad-input manifest: \(error)")
            return []
        }
    }()

    var file: URL { Self.directory.appendingPathComponent((try? ManifestError.string(manifest, "file")) ?? id) }
    var reader: String { (try? ManifestError.string(manifest, "reader")) ?? "" }

    func option(_ key: String) -> String? {
        guard case .object(let options)? = manifest["options"], case .string(let text)? = options[key] else { return nil }
        return text
    }
}

@Suite("Malformed inputs: every file in Tests/Fixtures/bad gives its exact error or its exact lenient result")
struct BadInputCorpusTests {
    static let tokenizer: Result<PretrainedTokenizer, any Error> = Result {
        try PretrainedTokenizer(contentsOf: CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1"))
    }

    /// `COLLATE_RECORD_BAD=DIR` writes each case's actual outcome to DIR instead of checking it,
    /// to draft the manifest entry of a new file (read every message before committing it).
    static let recordDirectory = ProcessInfo.processInfo.environment["COLLATE_RECORD_BAD"].map(URL.init(fileURLWithPath:))

    @Test func theCorpusIsLargeAndEveryFileHasACase() throws {
        #expect(BadInputCase.all.count >= 50)
        #expect(Set(BadInputCase.all.map(\.id)).count == BadInputCase.all.count, "case ids must be unique")
        let listed = Set(BadInputCase.all.map { $0.file.standardizedFileURL.path })
        let enumerator = FileManager.default.enumerator(at: BadInputCase.directory, includingPropertiesForKeys: nil)
        var unlisted: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            let path = url.standardizedFileURL.path
            guard !path.contains("/support/"), !path.hasSuffix("manifest.json"), !path.hasSuffix(".py"),
                  !url.hasDirectoryPath, !listed.contains(path), !listed.contains(url.deletingLastPathComponent().standardizedFileURL.path)
            else { continue }
            unlisted.append(path)
        }
        #expect(unlisted.isEmpty, "files without a manifest case: \(unlisted)")
    }

    @Test(arguments: BadInputCase.all)
    func libraryReaderGivesTheExactOutcome(_ testCase: BadInputCase) throws {
        if let directory = Self.recordDirectory {
            try record(testCase, in: directory)
            return
        }
        guard testCase.reader != "cli" else { return }
        let url = testCase.file
        switch testCase.reader {
        case "examples":
            if case .object(let rejected)? = testCase.manifest["rejected"] {
                let expected = InputError(file: url.path, line: try line(rejected), reason: try ManifestError.string(rejected, "reason"))
                #expect(throws: expected) { try ExampleFile.read(url) }
                // The streaming dataset reader rejects the same line (its wording for a
                // non-object line differs: it also reads text formats).
                #expect { try DatasetReader(url: url, format: .tokenized).readAll() } throws: {
                    ($0 as? InputError)?.line == expected.line
                }
            } else {
                let records = try ExampleFile.read(url)
                #expect(encode(records.map { ($0.line, $0.example) }) == testCase.manifest["accepted"])
                let streamed = try DatasetReader(url: url, format: .tokenized).readAll().records
                #expect(encode(streamed.map { ($0.line, $0.example) }) == testCase.manifest["accepted"])
            }
        case "dataset":
            let reader = try datasetReader(testCase)
            if case .object(let rejected)? = testCase.manifest["rejected"] {
                let expected = InputError(file: url.path, line: try line(rejected), reason: try ManifestError.string(rejected, "reason"))
                #expect(throws: expected) { try reader.readAll() }
            } else {
                let records = try reader.readAll().records
                #expect(encode(records.map { ($0.line, $0.example) }) == testCase.manifest["accepted"])
            }
        case "spec":
            let bytes = [UInt8](try Data(contentsOf: url))
            if case .object(let rejected)? = testCase.manifest["rejected"] {
                #expect(throws: try ManifestError.spec(rejected)) { try CollatorRegistry.shared.makeCollator(fromJSON: bytes) }
            } else {
                let collator = try CollatorRegistry.shared.makeCollator(fromJSON: bytes)
                #expect(String(describing: type(of: collator)) == (try ManifestError.string(testCase.manifest, "accepted")))
            }
        case "tokenizer":
            guard case .object(let rejected)? = testCase.manifest["rejected"] else {
                Issue.record("tokenizer cases must be rejections")
                return
            }
            let expected = try ManifestError.tokenizer(rejected, fixtures: BadInputCase.directory.path)
            #expect(throws: expected) { try PretrainedTokenizer(contentsOf: url) }
        default:
            Issue.record("unknown reader '\(testCase.reader)'")
        }
    }

    @Test(arguments: BadInputCase.all)
    func commandExitsWithTheExactMessage(_ testCase: BadInputCase) throws {
        guard Self.recordDirectory == nil, case .object(let cli)? = testCase.manifest["cli"] else { return }
        // A deadline: a case that once hung (a catastrophic regex) fails instead of hanging the suite.
        let result = try CollateProcess.run(try ManifestError.strings(cli, "args").map(substitute(testCase)), timeout: .seconds(120))
        #expect(!result.timedOut, "collate did not finish within 120 s")
        let expectedStatus: Int32
        if case .integer(let status)? = cli["status"] { expectedStatus = Int32(status) } else { expectedStatus = -1 }
        #expect(result.status == expectedStatus, "stderr: \(result.stderr)")
        if case .string(let message)? = cli["stderr"] {
            let expected = substitute(testCase)(message)
            #expect(result.stderr.contains(expected), "stderr was: \(result.stderr)")
        }
        if case .string(let stdout)? = cli["stdout"] {
            #expect(result.stdout == substitute(testCase)(stdout))
        } else if result.status != 0 {
            #expect(result.stdout.isEmpty, "a rejected input must not leave partial output")
        }
    }

    // MARK: - Helpers

    func line(_ rejected: JSONObject) throws -> Int? {
        switch rejected["line"] {
        case .integer(let line)?: return Int(line)
        case nil, .null?: return nil
        default: throw ManifestError.Malformed(description: "manifest: line must be an integer or null")
        }
    }

    func datasetReader(_ testCase: BadInputCase) throws -> DatasetReader {
        DatasetReader(
            url: testCase.file, format: testCase.option("format").flatMap(DatasetFormat.init(rawValue:)),
            tokenizer: try Self.tokenizer.get(), chatFormat: try testCase.option("template").map(ChatFormat.named))
    }

    func encode(_ records: [(Int, Example)]) -> JSONValue {
        .array(records.map { line, example in
            .object(JSONObject([(key: "line", value: .integer(Int64(line))), (key: "example", value: ManifestError.encode(example))]))
        })
    }

    func substitute(_ testCase: BadInputCase) -> (String) -> String {
        { text in
            text.replacingOccurrences(of: "$FILE", with: testCase.file.path)
                .replacingOccurrences(of: "$BAD", with: BadInputCase.directory.path)
                .replacingOccurrences(of: "$TOKENIZERS", with: CollateProcess.fixtures.appendingPathComponent("tokenizers").path)
        }
    }

    /// Writes what the reader and the command actually do with the case's file.
    func record(_ testCase: BadInputCase, in directory: URL) throws {
        var outcome: [(key: String, value: JSONValue)] = []
        let url = testCase.file
        func rejected(_ error: any Error) -> JSONValue {
            switch error {
            case let error as InputError:
                return .object(JSONObject([(key: "line", value: error.line.map { .integer(Int64($0)) } ?? .null), (key: "reason", value: .string(error.reason))]))
            case let error as SpecError: return ManifestError.encode(error)
            case let error as TokenizerJSONError: return ManifestError.encode(error, fixtures: BadInputCase.directory.path)
            default: return .string("UNEXPECTED \(type(of: error)): \(error)")
            }
        }
        do {
            switch testCase.reader {
            case "examples":
                outcome.append((key: "accepted", value: encode(try ExampleFile.read(url).map { ($0.line, $0.example) })))
            case "dataset":
                outcome.append((key: "accepted", value: encode(try datasetReader(testCase).readAll().records.map { ($0.line, $0.example) })))
            case "spec":
                let collator = try CollatorRegistry.shared.makeCollator(fromJSON: [UInt8](try Data(contentsOf: url)))
                outcome.append((key: "accepted", value: .string(String(describing: type(of: collator)))))
            case "tokenizer":
                _ = try PretrainedTokenizer(contentsOf: url)
                outcome.append((key: "accepted", value: .bool(true)))
            default: break
            }
        } catch {
            outcome.append((key: "rejected", value: rejected(error)))
        }
        if case .object(let cli)? = testCase.manifest["cli"] {
            let result = try CollateProcess.run(try ManifestError.strings(cli, "args").map(substitute(testCase)))
            outcome.append((key: "status", value: .integer(Int64(result.status))))
            outcome.append((key: "stderr", value: .string(result.stderr.replacingOccurrences(of: testCase.file.path, with: "$FILE"))))
            outcome.append((key: "stdout", value: .string(String(result.stdout.prefix(2000)))))
        }
        let name = testCase.id.replacingOccurrences(of: "/", with: "__") + ".json"
        try JSONValue.object(JSONObject(outcome)).jsonText.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}
