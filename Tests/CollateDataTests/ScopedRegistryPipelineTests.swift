import Collate
import CollateData
import Foundation
import Testing

/// A pipeline file naming a third-party collator type builds it from the registry it is given
/// (or the task's current one), never requiring the shared registry to be touched.
struct ScopedRegistryPipelineTests {
    struct Echo: Collator {
        var contract: CollatorContract {
            CollatorContract(name: "test-pipeline/echo", reference: "test", requiredFields: ["input_ids"], producedFields: ["input_ids"],
                             labelSource: .none, layout: .paddingFree)
        }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            let ids = examples.flatMap(\.inputIDs)
            return Batch(["input_ids": Tensor(shape: [1, ids.count], scalars: ids)])
        }
    }

    static func configuration() throws -> PipelineConfiguration {
        let json = try JSONParser.parse(#"{"data": {"path": "train.jsonl"}, "collator": {"type": "test-pipeline/echo"}}"#)
        return try PipelineConfiguration(json: json, file: "p.json", baseDirectory: URL(fileURLWithPath: "/base"))
    }

    static func registry() throws -> CollatorRegistry {
        let registry = CollatorRegistry(copying: .shared)
        try registry.register("test-pipeline/echo", keys: []) { _ in Echo() }
        return registry
    }

    @Test func theRegistryIsAParameter() throws {
        let configuration = try Self.configuration()
        #expect(try configuration.makeCollator(collators: try Self.registry()).collator.contract.name == "test-pipeline/echo")
        // The shared registry never heard of it.
        #expect(throws: PipelineFileError.self) { try configuration.makeCollator() }
    }

    @Test func orTheTasksCurrentOne() throws {
        let configuration = try Self.configuration()
        let name = try CollatorRegistry.$current.withValue(try Self.registry()) { () throws -> String in
            try configuration.makeCollator().collator.contract.name
        }
        #expect(name == "test-pipeline/echo")
    }

    @Test func aRunIsPreparedWithTheGivenRegistry() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("collate-scoped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"input_ids\": [5, 6, 7]}\n{\"input_ids\": [8]}\n".utf8).write(to: dir.appendingPathComponent("train.jsonl"))
        let json = try JSONParser.parse(#"{"data": {"path": "train.jsonl"}, "collator": {"type": "test-pipeline/echo"}, "batch_size": 2}"#)
        let configuration = try PipelineConfiguration(json: json, file: "p.json", baseDirectory: dir)
        let run = try configuration.prepare(collators: try Self.registry())
        #expect(try run.batches().map { $0["input_ids"]?.scalars } == [[5, 6, 7, 8]])
    }
}
