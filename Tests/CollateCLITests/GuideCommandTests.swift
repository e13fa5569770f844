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

/// Guides/Pipeline.md "7. Into PyTorch": the `sh` block's lines run in order in one folder
/// through `/bin/sh`, with `collate` the built executable and `python3` / `torchrun` those of
/// `COLLATE_PYTHON` (default `python3`), as a user runs them from the repository root.
extension GuideCommandTests {
    /// The lines of the `sh` block under the heading that starts with `heading`.
    static func block(under heading: String, in document: URL) -> [String] {
        guard let text = try? String(contentsOf: document, encoding: .utf8) else { return [] }
        var inSection = false, inShell = false
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                if inSection, !lines.isEmpty { break }
                inSection = line.hasPrefix(heading)
                continue
            }
            guard inSection else { continue }
            if line.hasPrefix("```") {
                if inShell { break }
                inShell = line == "```sh"
                continue
            }
            if inShell, !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(String(line)) }
        }
        return lines
    }

    static let road = block(under: "## 7. Into PyTorch", in: documents[0])

    /// A folder seeing the repository's `Samples` and `Sources`, and one of programs named as
    /// the guide names them.
    static func roadFolders() throws -> (work: URL, bin: URL) {
        let dir = try CollateProcess.temporaryDirectory()
        let work = dir.appendingPathComponent("work"), bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for name in ["Samples", "Sources"] {
            try FileManager.default.createSymbolicLink(
                at: work.appendingPathComponent(name), withDestinationURL: CollateProcess.repositoryRoot.appendingPathComponent(name))
        }
        try FileManager.default.createSymbolicLink(
            at: bin.appendingPathComponent("collate"), withDestinationURL: CollateProcess.productsDirectory.appendingPathComponent("collate"))
        if let python = TorchPython.interpreter {
            // Scripts, not links: a virtual environment's python finds its packages by its own path.
            for (name, command) in [("python3", [python]), ("torchrun", TorchPython.torchrun)] {
                let script = "#!/bin/sh\nexec " + command.map { "'\($0)'" }.joined(separator: " ") + " \"$@\"\n"
                guard FileManager.default.createFile(atPath: bin.appendingPathComponent(name).path, contents: Data(script.utf8),
                                                     attributes: [.posixPermissions: 0o755]) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: bin.appendingPathComponent(name).path])
                }
            }
        }
        return (work, bin)
    }

    /// Runs `line` with `/bin/sh` in `work`, the programs of `bin` first on the PATH.
    static func runRoadLine(_ line: String, work: URL, bin: URL) throws -> TimedProcess.Result {
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try TimedProcess.run("/bin/sh", ["-c", "cd '\(work.path)' && exec \(line)"], timeout: 300, environment: ["PATH": path])
    }

    @Test func theRoadHasItsSteps() {
        #expect(Self.road.count == 4, "\(Self.road)")
        #expect(Self.road.first?.hasPrefix("collate export --config ") == true)
        #expect(Self.road.contains { $0.hasPrefix("python3 ") && $0.contains("collate_shards") })
        #expect(Self.road.contains { $0.hasPrefix("torchrun --standalone --nproc-per-node 2 Samples/TorchDDP/train.py --shards shards") && !$0.contains("--fsdp") })
        #expect(Self.road.contains { $0.hasPrefix("torchrun ") && $0.contains("--fsdp") })
    }

    /// Without torch: the road's `collate` lines, in one folder, write the shards the rest reads.
    @Test func theRoadsCollateLinesRun() throws {
        let (work, bin) = try Self.roadFolders()
        let collateLines = Self.road.filter { $0.hasPrefix("collate ") }
        #expect(!collateLines.isEmpty)
        for line in collateLines {
            let result = try Self.runRoadLine(line, work: work, bin: bin)
            #expect(result.status == 0, "\(line)\n\(result.stdout)\n\(result.stderr)")
        }
        let index = try String(contentsOf: work.appendingPathComponent("shards/index.json"), encoding: .utf8)
        #expect(index.contains(#""world_size": 2"#))
    }

    /// The whole road, torch included: the reader prints the batch, both ranks of both runs
    /// print their steps with one global loss per step.
    @Test("the road to torchrun", .enabled(if: TorchPython.hasTorch, Comment(rawValue: TorchPython.skipMessage)), .timeLimit(.minutes(10)))
    func theRoadToTorchrun() throws {
        let (work, bin) = try Self.roadFolders()
        for line in Self.road {
            let result = try Self.runRoadLine(line, work: work, bin: bin)
            #expect(result.status == 0 && !result.timedOut, "\(line)\n\(result.stdout)\n\(result.stderr)")
            if line.hasPrefix("python3 ") {
                #expect(result.stdout.contains("'input_ids'") && result.stdout.contains("'cu_seq_lens_q'"), "\(result.stdout)")
            }
            if line.hasPrefix("torchrun ") {
                let records = try TorchDDPSampleTests.records(result)
                #expect(Set(records.map(\.rank)) == [0, 1], "\(result.stdout)")
                for step in Set(records.map(\.step)) {
                    let losses = records.filter { $0.step == step }.map(\.loss)
                    #expect(losses.count == 2 && losses.allSatisfy { $0.isFinite && abs($0 - losses[0]) < 1e-6 }, "\(result.stdout)")
                }
            }
        }
    }
}
