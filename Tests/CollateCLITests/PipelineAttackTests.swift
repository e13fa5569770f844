import Foundation
import Testing

/// Pipeline files and data flags as a newcomer misuses them; each case was a wrong result or an
/// unhelpful error found by trying the CLI from the outside.
@Suite struct PipelineAttackTests {
    /// Runs a `sh` script with `$C` set to the built `collate`, in a fresh directory that sees the
    /// repository's `Samples` (as a user's checkout does).
    static func sh(_ script: String) throws -> CollateProcess.Result {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("Samples"), withDestinationURL: CollateProcess.repositoryRoot.appendingPathComponent("Samples"))
        let collate = CollateProcess.productsDirectory.appendingPathComponent("collate").path
        return try CollateProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", "C='\(collate)'; " + script], in: directory)
    }

    /// The sample pipeline with its paths made relative to the scratch folder (as typed in a shell).
    static let rewritten = ##"sed 's#"chat.jsonl"#"Samples/Data/chat.jsonl"#; s#"mistral-v1"#"Samples/Data/mistral-v1"#' Samples/Data/pipeline.json"##

    /// `--config -` (and `/dev/stdin`, a pipe) has no folder of its own: its relative paths are the
    /// working directory's. They used to resolve inside the temporary copy of stdin
    /// ("/tmp/collate-stdin-…/mistral-v1: not a model folder").
    @Test(arguments: ["--config -", "--config /dev/stdin"])
    func aPipelineFromStandardInputResolvesPathsAgainstTheWorkingDirectory(_ config: String) throws {
        let result = try Self.sh("\(Self.rewritten) | \"$C\" validate \(config) --format json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(!result.stderr.contains("collate-stdin"))
    }

    /// A pipeline file on disk still resolves its paths against its own folder, wherever it is run from.
    @Test func aPipelineFileResolvesPathsAgainstItsFolder() throws {
        let result = try Self.sh("mkdir elsewhere && cd elsewhere && \"$C\" validate --config ../Samples/Data/pipeline.json --format json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }
}

/// `collate pack` lists the shared data flags in its help; it used to reject every one of them
/// ("unknown option '--config'") and so could not pack chat data or read a pipeline file.
@Suite struct PackDataFlagsAttackTests {
    @Test func packReadsThePipelineFilesPackingAndData() throws {
        let result = try PipelineAttackTests.sh("\"$C\" pack --config Samples/Data/pipeline.json")
        #expect(result.status == 0, "\(result.stderr)")
        // Guides/Pipeline.md: 16 examples, 1029 tokens packed into 3 rows of 512.
        #expect(result.stdout.contains("\"bins\": 3"), "\(result.stdout)")
        #expect(result.stdout.contains("\"tokens\": 1029"), "\(result.stdout)")
        #expect(result.stdout.contains("\"capacity\": 512"), "\(result.stdout)")
    }

    @Test func flagsOverrideThePipelineFilesPacking() throws {
        let result = try PipelineAttackTests.sh("\"$C\" pack --config Samples/Data/pipeline.json --max-tokens 1024 --strategy ffd")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"capacity\": 1024"), "\(result.stdout)")
        #expect(result.stdout.contains("\"tokens\": 1029"), "\(result.stdout)")
    }

    @Test func packRowsFromChatDataWithDataFlags() throws {
        let result = try PipelineAttackTests.sh(
            "\"$C\" pack --input Samples/Data/chat.jsonl --model Samples/Data/mistral-v1 --template mistral-inst --max-tokens 512 --rows")
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.contains("\"labels\"") && $0.contains("\"seq_lengths\"") })
    }

    @Test func aPipelineWithoutPackingNeedsMaxTokens() throws {
        let result = try PipelineAttackTests.sh("""
            printf '{"data": {"path": "Samples/Data/chat.jsonl"}, "chat_template": "mistral-inst", "model": {"path": "Samples/Data/mistral-v1"}}' > p.json
            "$C" pack --config p.json
            """)
        #expect(result.status == 1)
        #expect(result.stderr.contains("p.json"))
        #expect(result.stderr.contains("--max-tokens"))
        #expect(result.stderr.contains("packing"))
    }

    @Test func packWithoutInputOrMaxTokensIsAUsageError() throws {
        let noInput = try PipelineAttackTests.sh("\"$C\" pack --max-tokens 8")
        #expect(noInput.status == 2)
        #expect(noInput.stderr.contains("--input"))
        let noSize = try PipelineAttackTests.sh("\"$C\" pack --input Samples/Data/chat.jsonl")
        #expect(noSize.status == 2)
        #expect(noSize.stderr.contains("--max-tokens"))
    }
}
