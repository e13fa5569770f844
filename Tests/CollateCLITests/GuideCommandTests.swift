import Foundation
import Testing

/// Every command of Guides/Pipeline.md and the README's main command, run as written (`collate ...`
/// and `swift run collate ...` lines of their `sh` blocks),
/// in a scratch folder that sees the repository's `Samples`. A trailing `# exit N` is the
/// expected status; otherwise 0.
@Suite("Guides/Pipeline.md and README.md: every command runs")
struct GuideCommandTests {
    struct Command: Sendable, CustomTestStringConvertible {
        var line: String
        var arguments: [String]
        var expectedStatus: Int32
        var testDescription: String { line }
    }

    static let documents = ["Guides/Pipeline.md", "README.md"].map { CollateProcess.repositoryRoot.appendingPathComponent($0) }

    /// The `collate` command lines of the guide's and the README's `sh` blocks.
    static let commands: [Command] = documents.flatMap(commands(in:))

    static func commands(in document: URL) -> [Command] {
        guard let text = try? String(contentsOf: document, encoding: .utf8) else { return [] }
        var commands: [Command] = []
        var inShell = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell, line.hasPrefix("collate ") || line.hasPrefix("swift run collate ") else { continue }
            var body = line.hasPrefix("swift run ") ? String(line.dropFirst("swift run ".count)) : String(line)
            var status: Int32 = 0
            if let hash = body.range(of: "# exit ") {
                status = Int32(body[hash.upperBound...].trimmingCharacters(in: .whitespaces)) ?? -1
                body = String(body[..<hash.lowerBound])
            }
            let words = body.split(separator: " ").map(String.init).dropFirst()
            commands.append(Command(line: String(line), arguments: Array(words), expectedStatus: status))
        }
        return commands
    }

    @Test func theGuideHasItsCommands() {
        let verbs = Set(Self.commands.compactMap(\.arguments.first))
        #expect(verbs.isSuperset(of: ["validate", "inspect", "export", "train", "batch"]), "\(verbs)")
        #expect(Self.commands(in: Self.documents[1]).contains { $0.arguments == ["inspect", "--config", "Samples/Data/pipeline.json"] },
                "the README's main command")
    }

    @Test(arguments: commands)
    func runs(_ command: Command) throws {
        if command.arguments.first == "validate", !PipelineCommandTests.validateReadsPipelines { return }
        let dir = try CollateProcess.temporaryDirectory()
        try FileManager.default.createSymbolicLink(
            at: dir.appendingPathComponent("Samples"), withDestinationURL: CollateProcess.repositoryRoot.appendingPathComponent("Samples"))
        let result = try CollateProcess.run(command.arguments, in: dir)
        #expect(result.status == command.expectedStatus, "\(command.line)\n\(result.stdout.prefix(2000))\n\(result.stderr)")
        if command.expectedStatus == 0 { #expect(!result.stdout.isEmpty) }
    }
}
