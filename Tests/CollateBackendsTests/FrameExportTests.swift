import Collate
import CollateData
import Foundation
import Testing

/// Opt-in tool, not a test: writes the exact request frames ``ExternalBackend`` sends — the
/// Swift collators' batches in the Swift safetensors codec — so a machine without a Swift
/// toolchain (a GPU box) can drive collate_worker.py with them (Benchmarks/worker_gpu.py).
///
///     COLLATE_EXPORT_FRAMES=DIR COLLATE_WORKLOAD=examples.jsonl swift test --filter FrameExportTests
@Suite("Frame export", .enabled(if: ProcessInfo.processInfo.environment["COLLATE_EXPORT_FRAMES"] != nil,
                                "opt-in: set COLLATE_EXPORT_FRAMES=DIR and COLLATE_WORKLOAD=EXAMPLES.jsonl"))
struct FrameExportTests {
    static func frame(_ batch: Batch, _ metadata: [String: String]) throws -> Data {
        let body = try batch.safetensorsBytes(metadata: metadata)
        let length = UInt64(body.count)
        return Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + body)
    }

    @Test func exportFrames() throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = URL(fileURLWithPath: try #require(environment["COLLATE_EXPORT_FRAMES"]))
        let examples = try ExampleFile.read(URL(fileURLWithPath: try #require(environment["COLLATE_WORKLOAD"]))).map(\.example)
        let batchSize = Int(environment["COLLATE_BATCH_SIZE"] ?? "16") ?? 16
        let vocabSize = Int(environment["COLLATE_VOCAB_SIZE"] ?? "32000") ?? 32_000
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        // Per layout: every batch as an accumulate frame (throughput), the first four as forward frames (loss).
        let layouts: [(String, any Collator<Batch>)] = [
            ("padded", LanguageModelingCollator(padTokenID: 0)),
            ("flattened", FlatteningCollator()),
        ]
        for (name, collator) in layouts {
            var data = Data(), forward = Data()
            var tokens = 0
            for (index, start) in stride(from: 0, to: examples.count - batchSize + 1, by: batchSize).enumerated() {
                let batch = try collator.collate(Array(examples[start..<start + batchSize]))
                tokens += batch.realTokenCount
                data += try Self.frame(batch, ["op": "accumulate", "num_items_in_batch": String(batch.numItemsInBatch())])
                if index < 4 { forward += try Self.frame(batch, ["op": "forward"]) }
            }
            try data.write(to: directory.appendingPathComponent("\(name).frames"))
            try forward.write(to: directory.appendingPathComponent("loss-\(name).frames"))
            try Data("\(tokens)\n".utf8).write(to: directory.appendingPathComponent("\(name).tokens"))
        }

        // The boundary probe's requests: each sequence alone, then packed (position_ids), then packed (cu_seq_lens).
        let probe = BoundaryProbe(vocabSize: vocabSize)
        var data = Data()
        for sequence in probe.sequences {
            data += try Self.frame(BoundaryProbe.aloneBatch(sequence), ["op": "forward", "return": "token_losses"])
        }
        data += try Self.frame(try probe.packedBatch(), ["op": "forward", "return": "token_losses"])
        let flash = BoundaryProbe(sequences: probe.sequences, collator: FlatteningCollator(returnPositionIDs: false, returnFlashAttentionKwargs: true))
        data += try Self.frame(try flash.packedBatch(), ["op": "forward", "return": "token_losses"])
        try data.write(to: directory.appendingPathComponent("probe.frames"))
        try Data(probe.sequences.map { $0.map(String.init).joined(separator: " ") }.joined(separator: "\n").utf8)
            .write(to: directory.appendingPathComponent("probe.sequences"))
    }
}
