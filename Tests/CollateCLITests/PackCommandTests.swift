import Collate
@testable import CollateCommandLine
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
            // TRL semantics with rows or groups: over-long sequences are truncated or split, not refused.
            ExitCase(id: "rows truncate", arguments: ["--max-tokens", "4", "--rows"], status: 0),
            ExitCase(id: "bfd-split", arguments: ["--max-tokens", "4", "--strategy", "bfd-split"], status: 0),
            ExitCase(id: "bfd_split spelled as TRL", arguments: ["--max-tokens", "4", "--strategy", "bfd_split", "--rows"], status: 0),
            ExitCase(id: "wrapped", arguments: ["--max-tokens", "4", "--strategy", "wrapped", "--group-size", "2"], status: 0),
            ExitCase(id: "grouped bfd", arguments: ["--max-tokens", "4", "--group-size", "3"], status: 0),
            ExitCase(id: "zero group size", arguments: ["--max-tokens", "8", "--group-size", "0"], status: 2),
            ExitCase(id: "rows is a flag", arguments: ["--max-tokens", "8", "--rows=yes"], status: 2),
        ]

        @Test(arguments: exitCases)
        func exitStatus(_ c: ExitCase) throws {
            let dir = try CollateProcess.temporaryDirectory()
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            #expect(PackCommand.run(arguments: ["--input", input] + c.arguments) == c.status)
        }

        @Test func reportLine() throws {
            let plan = try Packer(capacity: 8).pack(lengths: [5, 4, 3, 3, 2, 2, 1])
            let line = try JSONParser.parse(PackCommand.report(plan, seconds: 0.25))
            #expect(line == (try JSONParser.parse(#"{"bins": 3, "tokens": 20, "capacity": 8, "efficiency": 0.8333333333333334, "seconds": 0.25}"#)))
        }

        /// The statistics line without its `seconds` (a measured time), for exact comparison.
        static func statistics(_ stdout: String) throws -> JSONValue {
            guard case .object(let object) = try JSONParser.parse(stdout) else { return .null }
            switch object["seconds"] {
            case .number?, .integer?: break
            default: return .null   // `seconds` must be there, a number
            }
            return .object(JSONObject(object.members.filter { $0.key != "seconds" }))
        }

        @Test
        func rowsMatchTRLPackDataset() throws {
            // TRL 1.16 pack_dataset's docstring example, seq_length=4.
            let examples = """
                {"input_ids": [1, 2, 3, 4, 5], "attention_mask": [1, 1, 1, 0, 0]}
                {"input_ids": [6, 7], "attention_mask": [1, 0]}
                {"input_ids": [8, 9, 10], "attention_mask": [1, 1, 0]}
                {"input_ids": [11], "attention_mask": [1]}
                """
            let dir = try CollateProcess.temporaryDirectory()
            let input = try CollateProcess.write(examples, to: "rows.jsonl", in: dir)
            let bfd = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "4", "--rows"])
            #expect(bfd.status == 0, "\(bfd.stderr)")
            #expect(bfd.stdoutLines == [
                #"{"input_ids": [1, 2, 3, 4], "attention_mask": [1, 1, 1, 0], "seq_lengths": [4]}"#,
                #"{"input_ids": [8, 9, 10, 11], "attention_mask": [1, 1, 0, 1], "seq_lengths": [3, 1]}"#,
                #"{"input_ids": [6, 7], "attention_mask": [1, 0], "seq_lengths": [2]}"#,
            ])
            let split = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "4", "--rows", "--strategy", "bfd-split"])
            #expect(split.stdoutLines == [
                #"{"input_ids": [1, 2, 3, 4], "attention_mask": [1, 1, 1, 0], "seq_lengths": [4]}"#,
                #"{"input_ids": [8, 9, 10, 5], "attention_mask": [1, 1, 0, 0], "seq_lengths": [3, 1]}"#,
                #"{"input_ids": [6, 7, 11], "attention_mask": [1, 0, 1], "seq_lengths": [2, 1]}"#,
            ])
            let wrapped = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "4", "--rows", "--strategy", "wrapped", "--group-size", "2"])
            #expect(wrapped.stdoutLines == [
                #"{"input_ids": [1, 2, 3, 4], "attention_mask": [1, 1, 1, 0]}"#,
                #"{"input_ids": [5, 6, 7], "attention_mask": [0, 1, 0]}"#,
                #"{"input_ids": [8, 9, 10, 11], "attention_mask": [1, 1, 0, 1]}"#,
            ])
            let stats = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "4", "--strategy", "bfd-split"])
            #expect(try Self.statistics(stats.stdout) == (try JSONParser.parse(#"{"bins": 3, "tokens": 11, "capacity": 4, "efficiency": 0.9166666666666666}"#)))
            let scalar = try CollateProcess.write(#"{"input_ids": [1, 2], "label": 1}"#, to: "scalar.jsonl", in: dir)
            let rejected = try CollateProcess.run(["pack", "--input", scalar, "--max-tokens", "4", "--rows"])
            #expect(rejected.status == 1)
            #expect(rejected.stderr.contains("scalar.jsonl:1:") && rejected.stderr.contains("'label'"), "\(rejected.stderr)")
        }

        // Not skipped when the command is missing: a dropped `pack` must fail here.
        @Test func endToEndThroughTheExecutable() throws {
            let dir = try CollateProcess.temporaryDirectory()
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            let result = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "8", "--strategy", "ffd"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutLines.count == 1)
            #expect(try Self.statistics(result.stdout) == (try JSONParser.parse(#"{"bins": 3, "tokens": 20, "capacity": 8, "efficiency": 0.8333333333333334}"#)))
            let tooLong = try CollateProcess.run(["pack", "--input", input, "--max-tokens", "4"])
            #expect(tooLong.status == 1)
            #expect(tooLong.stderr.contains("in.jsonl:1:"), "names the file and line: \(tooLong.stderr)")
        }
    }
}
