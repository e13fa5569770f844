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
