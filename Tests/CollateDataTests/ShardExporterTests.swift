import Collate
import CollateData
import Foundation
import Testing

@Suite("Shard export")
struct ShardExporterTests {
    static let examples = (0..<7).map { Example(inputIDs: Array(1...Int32($0 + 2))) }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func roundTripsEveryRanksBatches() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collator = FlatteningCollator.packed
        let transforms = TransformPipeline { NumItemsInBatch() }
        let exporter = ShardExporter(directory: directory, worldSize: 2, batchSize: 2, fingerprint: "f1")
        let summary = try exporter.export(Self.examples, collator: collator, transforms: transforms)
        #expect(summary.shards == 4 && summary.written == 4 && summary.skipped == 0)

        for rank in 0..<2 {
            let sampler = try DistributedSampler(count: 7, rank: rank, worldSize: 2, batchSize: 2, shuffle: false)
            for (number, indices) in sampler.batches(epoch: 0).enumerated() {
                let url = directory.appendingPathComponent(String(format: "rank-%05d/batch-%06d.safetensors", rank, number))
                let file = try SafetensorsFile(contentsOf: url)
                #expect(file.batch == (try transforms.applyBatchTransforms(try collator.collate(indices.map { Self.examples[$0] }))))
                #expect(file.metadata["rank"] == String(rank))
                #expect(file.metadata["examples"] == "[\(indices.map(String.init).joined(separator: ", "))]")
            }
        }
        // Rank 1 wraps around to example 0 so both ranks run two steps.
        let index = try JSONParser.parse(String(contentsOf: summary.index, encoding: .utf8))
        guard case .object(let object) = index, case .array(let shards)? = object["shards"] else {
            Issue.record("index.json is not an object with shards")
            return
        }
        #expect(shards.count == 4)
        #expect(object["world_size"] == .integer(2))
        #expect(object["batches_per_rank"] == .integer(2))
        #expect(object["tensors"]?.jsonText.contains(#""cu_seq_lens_q": "I32""#) == true)
        #expect(shards.last?.jsonText.contains(#""examples": [5, 0]"#) == true)
    }

    @Test func rerunSkipsCompleteShardsAndRedoesMissingOrStaleOnes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collator = LanguageModelingCollator(padTokenID: 0)
        let exporter = ShardExporter(directory: directory, worldSize: 3, batchSize: nil, fingerprint: "f1")
        #expect(try exporter.export(Self.examples, collator: collator).written == 3)
        #expect(try exporter.export(Self.examples, collator: collator).skipped == 3)

        let leftover = directory.appendingPathComponent("rank-00001/.batch-000000.safetensors.0000.tmp")
        try Data([1, 2, 3]).write(to: leftover)
        let victim = directory.appendingPathComponent("rank-00001/batch-000000.safetensors")
        try FileManager.default.removeItem(at: victim)
        let resumed = try exporter.export(Self.examples, collator: collator)
        #expect(resumed.written == 1 && resumed.skipped == 2)
        #expect(!FileManager.default.fileExists(atPath: leftover.path), "a killed run's temporary file is cleared")

        // A truncated shard (an interrupted copy) is rewritten, not trusted.
        let bytes = try Data(contentsOf: victim)
        try bytes.prefix(bytes.count - 3).write(to: victim)
        #expect(try exporter.export(Self.examples, collator: collator).written == 1)

        var changed = exporter
        changed.fingerprint = "f2"
        #expect(try changed.export(Self.examples, collator: collator).written == 3)
    }

    @Test func fingerprintFollowsDataSpecAndLayout() {
        let base = ShardExporter.fingerprint(examples: Self.examples, spec: "{}", worldSize: 2, batchSize: 4)
        #expect(base == ShardExporter.fingerprint(examples: Self.examples, spec: "{}", worldSize: 2, batchSize: 4))
        #expect(base != ShardExporter.fingerprint(examples: Self.examples, spec: "{ }", worldSize: 2, batchSize: 4))
        #expect(base != ShardExporter.fingerprint(examples: Self.examples, spec: "{}", worldSize: 3, batchSize: 4))
        #expect(base != ShardExporter.fingerprint(examples: Array(Self.examples.dropLast()), spec: "{}", worldSize: 2, batchSize: 4))
    }

    @Test func collationErrorsNameTheDatasetIndex() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var examples = Self.examples
        examples[5] = Example(inputIDs: [])
        let exporter = ShardExporter(directory: directory, worldSize: 2, batchSize: 2, fingerprint: "x")
        #expect(throws: LoaderError.collation(.emptyExample(example: 0), example: 5)) {
            try exporter.export(examples, collator: FlatteningCollator())
        }
    }
}
