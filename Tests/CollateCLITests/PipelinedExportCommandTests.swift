import Collate
@testable import CollateCommandLine
import CollateData
import CollateTestSupport
import Foundation
import Testing

extension InProcessCommandTests {
    /// `collate export` of a pre-tokenized file past the pipelined export's threshold (64 MiB):
    /// the pipelined path, whose files must equal the two-phase path's for the same input.
    @Suite("collate export, pipelined")
    struct PipelinedExportCommandTests {
        @Test func aLargePreTokenizedFileExportsToTheTwoPhaseFiles() throws {
            let dir = try CollateProcess.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let spec = try CollateProcess.write(#"{"type": "flattening"}"#, to: "spec.json", in: dir)
            // Past the threshold with few tokens: lines padded with JSON whitespace (1–9 tokens each).
            let padding = [UInt8](repeating: 0x20, count: 1000)
            var data: [UInt8] = []
            data.reserveCapacity(PipelineConfiguration.pipelinedExportMinimumBytes + 4096)
            var line = 0
            while data.count <= PipelineConfiguration.pipelinedExportMinimumBytes {
                let ids = (0...(line % 9)).map { String((line * 31 + $0 * 7) % 5000 + 1) }.joined(separator: ", ")
                data += Array(#"{"input_ids": [\#(ids)],"#.utf8) + padding + Array(#""labels": [\#(ids)]}"#.utf8) + [0x0A]
                line += 1
            }
            let input = dir.appendingPathComponent("big.jsonl")
            try Data(data).write(to: input)
            data = []
            let pipelined = dir.appendingPathComponent("pipelined"), twoPhase = dir.appendingPathComponent("two-phase")
            // A stale rank folder makes the second export take the two-phase path (which removes it).
            try FileManager.default.createDirectory(at: twoPhase.appendingPathComponent("rank-00099"), withIntermediateDirectories: true)
            for out in [pipelined, twoPhase] {
                #expect(ExportCommand.run(arguments: ["--spec", spec, "--input", input.path, "--out", out.path, "--world-size", "4", "--batch-size", "64"]) == 0)
            }
            let names = try FolderContents.paths(in: pipelined)
            #expect(names == (try FolderContents.paths(in: twoPhase)))
            #expect(names.count == 1 + 4 * (((line + 3) / 4 + 63) / 64))
            for name in names {
                let same = try Data(contentsOf: pipelined.appendingPathComponent(name)) == Data(contentsOf: twoPhase.appendingPathComponent(name))
                #expect(same, "\(name) differs")
            }
            #expect(try ShardIndex(directory: pipelined).shards.count == names.count - 1)
        }
    }
}
