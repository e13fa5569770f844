import Collate
@testable import CollateCommandLine
import Foundation
import Testing

extension InProcessCommandTests {
    @Suite("collate export")
    struct ExportCommandTests {
        static let spec = #"{"type": "flattening", "return_flash_attn_kwargs": true, "transforms": [{"type": "drop-empty"}, {"type": "num-items-in-batch"}]}"#
        static let examples = (0..<9).map { #"{"input_ids": [\#((1...($0 % 4 + 1)).map(String.init).joined(separator: ", "))]}"# }.joined(separator: "\n")

        @Test func writesShardsAndResumes() throws {
            let dir = try CollateProcess.temporaryDirectory()
            let spec = try CollateProcess.write(Self.spec, to: "spec.json", in: dir)
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            let out = dir.appendingPathComponent("out")
            let arguments = ["--spec", spec, "--input", input, "--out", out.path, "--world-size", "2", "--batch-size", "2"]
            #expect(ExportCommand.run(arguments: arguments) == 0)
            let index = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("index.json"), encoding: .utf8))
            guard case .object(let object) = index, case .array(let shards)? = object["shards"] else {
                Issue.record("index.json is not an object with shards")
                return
            }
            #expect(shards.count == 6)   // 9 examples over 2 ranks = 5 each (one wrapped), batches of 2 = 3 per rank
            #expect(object["tensors"]?.jsonText.contains(#""num_items_in_batch": "I64""#) == true)
            // Second run: everything is already there.
            let before = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("rank-00000/batch-000000.safetensors").path)[.modificationDate] as? Date
            #expect(ExportCommand.run(arguments: arguments) == 0)
            let after = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("rank-00000/batch-000000.safetensors").path)[.modificationDate] as? Date
            #expect(before == after)
            // A third run with one rank and bigger batches: the earlier layout's extra batches and
            // rank folder are gone, so the folder holds exactly what index.json lists.
            let smaller = ["--spec", spec, "--input", input, "--out", out.path, "--world-size", "1", "--batch-size", "5"]
            #expect(ExportCommand.run(arguments: smaller) == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["index.json", "rank-00000"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("rank-00000").path).sorted()
                == ["batch-000000.safetensors", "batch-000001.safetensors"])
        }

        /// A world size no machine has: refused before any folder is made (it used to overflow
        /// computing each rank's share, and would then have made one folder per rank).
        @Test func hugeWorldSizeIsRefused() throws {
            let dir = try CollateProcess.temporaryDirectory()
            let spec = try CollateProcess.write(Self.spec, to: "spec.json", in: dir)
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            let out = dir.appendingPathComponent("out")
            #expect(ExportCommand.run(arguments: ["--spec", spec, "--input", input, "--out", out.path, "--world-size", "9223372036854775807"]) == 1)
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(DistributedSampler.samplesPerRank(count: 9, worldSize: .max, dropLast: false) == 1)
            #expect(DistributedSampler.samplesPerRank(count: 9, worldSize: 0, dropLast: false) == 0)
        }

        @Test func usageAndInputErrors() throws {
            let dir = try CollateProcess.temporaryDirectory()
            let spec = try CollateProcess.write(Self.spec, to: "spec.json", in: dir)
            let input = try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir)
            let out = dir.appendingPathComponent("out").path
            #expect(ExportCommand.run(arguments: ["--spec", spec, "--input", input, "--out", out]) == 2, "missing --world-size")
            #expect(ExportCommand.run(arguments: ["--spec", spec, "--input", input, "--out", out, "--world-size", "0"]) == 2)
            let badSpec = try CollateProcess.write(#"{"type": "flattening", "transforms": [{"type": "nope"}]}"#, to: "bad.json", in: dir)
            #expect(ExportCommand.run(arguments: ["--spec", badSpec, "--input", input, "--out", out, "--world-size", "1"]) == 1)
            let badInput = try CollateProcess.write("{\"input_ids\": [1]}\n{\"input_ids\": [1.5]}\n", to: "bad.jsonl", in: dir)
            #expect(ExportCommand.run(arguments: ["--spec", spec, "--input", badInput, "--out", out, "--world-size", "1"]) == 1)
        }

        // Not skipped when the command is missing: a dropped `export` must fail here.
        @Test func endToEndThroughTheExecutable() throws {
            let dir = try CollateProcess.temporaryDirectory()
            let arguments = [
                "export", "--spec", try CollateProcess.write(Self.spec, to: "spec.json", in: dir),
                "--input", try CollateProcess.write(Self.examples, to: "in.jsonl", in: dir),
                "--out", dir.appendingPathComponent("out").path, "--world-size", "3",
            ]
            let first = try CollateProcess.run(arguments)
            #expect(first.status == 0, "\(first.stderr)")
            let summary = try JSONParser.parse(first.stdout)
            guard case .object(let object) = summary else { return }
            #expect(object["shards"] == .integer(3) && object["written"] == .integer(3))
            let second = try CollateProcess.run(arguments)
            guard case .object(let again) = try JSONParser.parse(second.stdout) else { return }
            #expect(again["skipped"] == .integer(3) && again["written"] == .integer(0))
        }
    }
}
