import Collate
@testable import CollateCLI
import Foundation
import Testing

/// Commands run inside the test process (no dependency on main.swift's dispatch table).
@Suite("in-process commands")
enum InProcessCommandTests {}

extension InProcessCommandTests {
    @Suite("collate pack")
    struct PackCommandTests {
        static let examples = """
            {"input_ids": [1, 2, 3, 4, 5]}
            {"input_ids": [1, 2, 3, 4]}

            {"input_ids": [1, 2, 3]}
            {"input_ids": [1, 2, 3]}
            {"input_ids": [1, 2]}
            {"input_ids": [1, 2]}
            {"input_ids": [1]}
            """

        struct ExitCase: Sendable, CustomTestStringConvertible {
            var id: String
            var arguments: [String]
            var status: Int32
            var testDescription: String { id }
        }

        static let exitCases: [ExitCase] = [
            ExitCase(id: "bfd", arguments: ["--max-tokens", "8"], status: 0),
            ExitCase(id: "greedy", arguments: ["--max-tokens", "8", "--strategy", "greedy"], status: 0),
            ExitCase(id: "too long", arguments: ["--max-tokens", "4"], status: 1),
            ExitCase(id: "unknown strategy", arguments: ["--max-tokens", "8", "--strategy", "best"], status: 2),
            ExitCase(id: "missing max-tokens", arguments: [], status: 2),
            ExitCase(id: "zero max-tokens", arguments: ["--max-tokens", "0"], status: 2),
            // Beyond Packer.maximumCapacity: a usage error, not gigabytes of bucket arrays.
            ExitCase(id: "huge max-tokens", arguments: ["--max-tokens", "268435456"], status: 2),
        ]

        @Test(arguments: exitCases)
        func exitStatus(_ c: ExitCase) throws {
            let dir = try CollateProcess.temporaryDirectory()
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            #expect(PackCommand.run(arguments: ["--input", input] + c.arguments) == c.status)
        }

        @Test func reportLine() throws {
            let plan = try Packer(capacity: 8).pack(lengths: [5, 4, 3, 3, 2, 2, 1])
            let line = try JSONParser.parse(PackCommand.report(plan))
            #expect(line == (try JSONParser.parse(#"{"bins": 3, "tokens": 20, "capacity": 8, "efficiency": 0.8333333333333334}"#)))
        }

        // Not skipped when the command is missing: a dropped `pack` must fail here.
        @Test func endToEndThroughTheExecutable() throws {
            let dir = try CollateProcess.temporaryDirectory()
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            let result = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "8", "--strategy", "ffd"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutLines.count == 1)
            #expect(try JSONParser.parse(result.stdout) == (try JSONParser.parse(#"{"bins": 3, "tokens": 20, "capacity": 8, "efficiency": 0.8333333333333334}"#)))
            let tooLong = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "4"])
            #expect(tooLong.status == 1)
            #expect(tooLong.stderr.contains("in.jsonl:1:"), "names the file and line: \(tooLong.stderr)")
        }
    }
}
