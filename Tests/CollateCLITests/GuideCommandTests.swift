import Foundation
import Testing

/// Every command of Guides/Pipeline.md, run as written (`collate ...` lines of its `sh` blocks),
/// in a scratch folder that sees the repository's `Samples`. A trailing `# exit N` is the
/// expected status; otherwise 0.
@Suite("Guides/Pipeline.md: every command runs")
struct GuideCommandTests {
    struct Command: Sendable, CustomTestStringConvertible {
        var line: String
        var arguments: [String]
        var expectedStatus: Int32
        var testDescription: String { line }
    }

    static let guide = CollateProcess.repositoryRoot.appendingPathComponent("Guides/Pipeline.md")

    /// The `collate` command lines of the guide's `sh` blocks.
    static let commands: [Command] = {
        guard let text = try? String(contentsOf: guide, encoding: .utf8) else { return [] }
        var commands: [Command] = []
        var inShell = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inShell = line == "```sh"
                continue
            }
            guard inShell, line.hasPrefix("collate ") else { continue }
            var body = String(line)
            var status: Int32 = 0
            if let hash = body.range(of: "# exit ") {
                status = Int32(body[hash.upperBound...].trimmingCharacters(in: .whitespaces)) ?? -1
                body = String(body[..<hash.lowerBound])
            }
            let words = body.split(separator: " ").map(String.init).dropFirst()
            commands.append(Command(line: String(line), arguments: Array(words), expectedStatus: status))
        }
        return commands
    }()

    @Test func theGuideHasItsCommands() {
        let verbs = Set(Self.commands.compactMap(\.arguments.first))
        #expect(verbs.isSuperset(of: ["validate", "inspect", "export", "train", "batch"]), "\(verbs)")
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
