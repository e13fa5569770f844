import Collate
import CollateData
import Foundation
import Testing

/// A collator that throws at its `failAt`-th call: an export stopped midway.
private struct FailingCollator: Collator {
    let base = LanguageModelingCollator(padTokenID: 0)
    let failAt: Int
    let calls = Counter()
    final class Counter: @unchecked Sendable { var value = 0 }
    var contract: CollatorContract { base.contract }
    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        calls.value += 1
        if calls.value == failAt { throw .collatorFailed(collator: "failing", example: nil, reason: "stopped at call \(failAt)") }
        return try base.collate(examples)
    }
}

/// Re-exporting into a folder, concurrent exports, the index as the reader's source of truth,
/// and what an upgrade of Collate changes.
@Suite("Export integrity")
struct ExportIntegrityTests {
    static let datasetA = (0..<40).map { Example(inputIDs: [Int32($0 + 1), 2, 3]) }
    static let datasetB = (0..<40).map { Example(inputIDs: [Int32($0 + 100), 7]) }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-integrity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func exporter(_ directory: URL, _ examples: [Example]) -> ShardExporter {
        ShardExporter(directory: directory, worldSize: 2, batchSize: 1,
                      fingerprint: ShardExporter.fingerprint(examples: examples, spec: "{}", worldSize: 2, batchSize: 1))
    }

    @Test func aStoppedReExportLeavesNoIndexThatLies() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.exporter(directory, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        #expect(try ShardIndex(directory: directory).shards.count == 40)

        // Another dataset into the same folder, stopped after 10 of 40 shards.
        #expect(throws: LoaderError.collation(.collatorFailed(collator: "failing", example: nil, reason: "stopped at call 11"), example: nil)) {
            try Self.exporter(directory, Self.datasetB).export(Self.datasetB, collator: FailingCollator(failAt: 11))
        }
        // The old index would call all 40 shards of dataset A complete while 10 hold dataset B.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.json").path))
        #expect(throws: ExportError.noIndex(path: directory.appendingPathComponent("index.json").path)) {
            try ShardIndex(directory: directory)
        }
        // Finishing the export gives a consistent folder again.
        let summary = try Self.exporter(directory, Self.datasetB).export(Self.datasetB, collator: LanguageModelingCollator(padTokenID: 0))
        #expect(summary.skipped == 10 && summary.written == 30)
        let index = try ShardIndex(directory: directory)
        #expect(try index.batch(index.shards[0])["input_ids"]?.scalars == [100, 7])
    }

    @Test func theReaderRefusesAShardOfAnotherExport() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.exporter(directory, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        // An index kept from export A over a shard rewritten by export B (the old failure).
        let other = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: other) }
        _ = try Self.exporter(other, Self.datasetB).export(Self.datasetB, collator: LanguageModelingCollator(padTokenID: 0))
        let shard = "rank-00001/batch-000003.safetensors"
        try FileManager.default.removeItem(at: directory.appendingPathComponent(shard))
        try FileManager.default.copyItem(at: other.appendingPathComponent(shard), to: directory.appendingPathComponent(shard))
        let fingerprintA = ShardExporter.fingerprint(examples: Self.datasetA, spec: "{}", worldSize: 2, batchSize: 1)
        let fingerprintB = ShardExporter.fingerprint(examples: Self.datasetB, spec: "{}", worldSize: 2, batchSize: 1)
        #expect(throws: ExportError.shardMismatch(shard: directory.appendingPathComponent(shard).path,
                                                  reason: "its fingerprint \(fingerprintB) is not the index's \(fingerprintA)")) {
            try ShardIndex(directory: directory)
        }
    }

    @Test func aSecondExportOfTheSameFolderIsRefused() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Hold the lock as a running export does.
        let descriptor = open(directory.appendingPathComponent(ShardExporter.lockFileName).path, O_RDWR | O_CREAT, 0o644)
        try #require(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        #expect(throws: ExportError.locked(directory: directory.path)) {
            try Self.exporter(directory, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        }
        #expect(ExportError.locked(directory: directory.path).description.hasPrefix("another export is writing \(directory.path)"))
        _ = close(descriptor)
        #expect(throws: Never.self) {
            try Self.exporter(directory, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        }
    }

    @Test func anIndexThatIsAFolderIsNamed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let index = directory.appendingPathComponent("index.json")
        try FileManager.default.createDirectory(at: index, withIntermediateDirectories: true)
        #expect(throws: ExportError.indexNotAFile(path: index.path)) {
            try Self.exporter(directory, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        }
        #expect(throws: ExportError.indexNotAFile(path: index.path)) { try ShardIndex(directory: directory) }
    }

    @Test func anUpgradeOfCollateRewritesTheShards() throws {
        let old = ShardExporter.fingerprint(examples: Self.datasetA, spec: "{}", worldSize: 2, batchSize: 1, collateVersion: "0.4.0")
        let now = ShardExporter.fingerprint(examples: Self.datasetA, spec: "{}", worldSize: 2, batchSize: 1)
        #expect(old != now)
        #expect(now == ShardExporter.fingerprint(examples: Self.datasetA, spec: "{}", worldSize: 2, batchSize: 1, collateVersion: CollateVersion.current))
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = ShardExporter(directory: directory, worldSize: 2, batchSize: 1, fingerprint: old)
        _ = try previous.export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        let summary = try Self.exporter(directory, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
        #expect(summary.written == 40 && summary.skipped == 0)
        let text = try String(contentsOf: directory.appendingPathComponent("index.json"), encoding: .utf8)
        #expect(text.contains("\"collate_version\": \"\(CollateVersion.current)\""))
    }

    @Test func atomicWritesNameThePathAndTheCause() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("no-such-folder/file.bin")
        #expect(throws: AtomicFile.WriteError(path: missing.path, step: "creating a temporary file in its folder", code: ENOENT)) {
            try AtomicFile.write([1, 2, 3], to: missing)
        }
        let folder = directory.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let error = AtomicFile.WriteError(path: folder.path, step: "rename", code: EISDIR)
        #expect(throws: error) { try AtomicFile.write([1], to: folder) }
        #expect(error.description == "cannot write \(folder.path): rename failed: Is a directory; a folder stands where the file goes — remove it")
        #expect(AtomicFile.WriteError(path: "/x", step: "write", code: ENOSPC).description
            == "cannot write /x: write failed: No space left on device; free some space or write to another disk")
        // Nothing is left behind but the folder itself.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["folder"])
        let written = directory.appendingPathComponent("file.bin")
        try AtomicFile.write([7, 8], to: written)
        #expect(try Data(contentsOf: written) == Data([7, 8]))
    }

    @Test func anOutFolderThatIsAFileIsNamedWithoutARawError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("out")
        try "x".write(to: file, atomically: true, encoding: .utf8)
        for out in [file, file.appendingPathComponent("sub")] {
            #expect {
                try Self.exporter(out, Self.datasetA).export(Self.datasetA, collator: LanguageModelingCollator(padTokenID: 0))
            } throws: { error in
                "\(error)" == "cannot write \(file.path): it exists and is not a folder; give the export a folder path"
            }
        }
    }
}
