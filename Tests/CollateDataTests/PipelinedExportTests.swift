import Collate
@testable import CollateData
import CollateTestSupport
import Foundation
import Testing

/// The pipelined export (shards collated and written while the dataset is read) writes the
/// same files, byte for byte, as the two-phase export (spool, fingerprint, then shards); it
/// leaves nothing after a failure, and declines the pipelines it cannot stream.
@Suite("Pipelined export")
struct PipelinedExportTests {
    /// A pipeline's keys and the world size it is exported for.
    struct Layout: Sendable, CustomStringConvertible {
        var keys: String
        var worldSize: Int
        var description: String { "\(keys), world size \(worldSize)" }
    }

    /// Full rounds and a short last one, wrap-around padding (also of a dataset smaller than
    /// the world), dropped and truncated examples, batch transforms.
    static let layouts = [
        Layout(keys: #""collator": {"type": "flattening"}, "batch_size": 4"#, worldSize: 3),
        Layout(keys: #""collator": {"type": "flattening", "return_flash_attn_kwargs": true}, "batch_size": 1"#, worldSize: 4),
        Layout(keys: #""collator": {"type": "seq2seq", "pad_token_id": 0}, "max_length": 10, "truncation": "left", "train_on": "all", "batch_size": 3"#, worldSize: 7),
        Layout(keys: #""collator": {"type": "seq2seq", "pad_token_id": 0}, "max_length": 12, "truncation": "drop", "batch_size": 2"#, worldSize: 5),
        Layout(keys: #""collator": {"type": "flattening", "transforms": [{"type": "drop-empty"}, {"type": "num-items-in-batch"}, {"type": "position-ids"}]}, "batch_size": 5"#, worldSize: 2),
        Layout(keys: #""collator": {"type": "flattening"}, "batch_size": 16"#, worldSize: 64),
        Layout(keys: #""collator": {"type": "flattening"}, "batch_size": 30"#, worldSize: 1),
    ]

    /// The two-phase export `collate export` runs when it does not pipeline.
    static func twoPhase(_ configuration: PipelineConfiguration, to out: URL, worldSize: Int) throws -> String {
        let run = try configuration.prepareStreaming(spoolDirectory: out.deletingLastPathComponent())
        let fingerprint = try ShardExporter.fingerprint(run.source, spec: configuration.collator?.jsonText ?? "", worldSize: worldSize, batchSize: configuration.batchSize)
        let exporter = ShardExporter(directory: out, worldSize: worldSize, batchSize: configuration.batchSize, fingerprint: fingerprint)
        _ = try exporter.export(run.source, collator: run.collator, transforms: run.transforms)
        return fingerprint
    }

    @Test(arguments: layouts)
    func writesTheTwoPhaseExportsFiles(_ layout: Layout) throws {
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, layout.keys)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = dir.appendingPathComponent("two-phase"), pipelinedOut = dir.appendingPathComponent("pipelined")
        let fingerprint = try Self.twoPhase(configuration, to: expected, worldSize: layout.worldSize)
        let spec = configuration.collator?.jsonText ?? ""
        let result = try #require(try configuration.exportWhileReading(to: pipelinedOut, worldSize: layout.worldSize, fingerprintSpec: spec, minimumInputBytes: 0))
        #expect(result.fingerprint == fingerprint)
        let want = try FolderContents.files(in: expected), got = try FolderContents.files(in: pipelinedOut)
        #expect(got.keys.sorted() == want.keys.sorted())
        for (name, bytes) in want { #expect(got[name] == bytes, "\(name) differs") }
        #expect(result.summary.shards == result.summary.written && result.summary.skipped == 0)
        #expect(result.summary.shards == got.count - 1)
        let index = try ShardIndex(directory: pipelinedOut)
        #expect(index.fingerprint == fingerprint && index.shards.count == result.summary.shards)
        #expect(result.summary.timings.bytes == got.filter { $0.key != "index.json" }.values.reduce(0) { $0 + $1.count })
        // A re-run finds the finished export and takes the two-phase path, which skips every shard.
        #expect(try configuration.exportWhileReading(to: pipelinedOut, worldSize: layout.worldSize, fingerprintSpec: spec, minimumInputBytes: 0) == nil)
    }

    /// Shuffled, packed, masked-LM (whose masks follow the shard's position), unbatched, a
    /// folder with an export, an input under the size threshold: not pipelined, nothing touched.
    @Test(arguments: [
        #""collator": {"type": "flattening"}, "batch_size": 4, "shuffle": true"#,
        #""collator": {"type": "flattening"}, "batch_size": 2, "packing": {"strategy": "bfd", "max_tokens": 32}"#,
        #""collator": {"type": "masked-language-modeling", "mask_token_id": 4, "pad_token_id": 0, "vocab_size": 5000, "seed": 3}, "batch_size": 4"#,
        #""collator": {"type": "flattening"}"#,
    ])
    func declinesPipelinesItCannotStream(_ keys: String) throws {
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, keys)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        #expect(try configuration.exportWhileReading(to: out, worldSize: 2, fingerprintSpec: "", minimumInputBytes: 0) == nil)
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func declinesAFolderWithAnExportAndASmallInput() throws {
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, #""collator": {"type": "flattening"}, "batch_size": 4"#)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        // Under the default threshold (64 MiB): the two-phase export, which names shards as it goes.
        #expect(try configuration.exportWhileReading(to: out, worldSize: 2, fingerprintSpec: "") == nil)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        _ = try Self.twoPhase(configuration, to: out, worldSize: 2)
        let before = try FolderContents.files(in: out)
        #expect(try configuration.exportWhileReading(to: out, worldSize: 2, fingerprintSpec: "", minimumInputBytes: 0) == nil)
        #expect(try FolderContents.files(in: out) == before)
        // A folder holding only rank folders (a stopped export) too: the two-phase export resumes it.
        try FileManager.default.removeItem(at: out.appendingPathComponent("index.json"))
        #expect(try configuration.exportWhileReading(to: out, worldSize: 2, fingerprintSpec: "", minimumInputBytes: 0) == nil)
    }

    /// Regression (attack, session 6): a stopped pipelined export leaves its rank folders
    /// without a shard (SIGTERM: and the lock file; SIGKILL: also hidden temporaries, and an
    /// `index.json` temporary when killed during the index's write). Its re-run took the
    /// two-phase export (spooling the whole dataset) although nothing was reusable, and the
    /// index temporary stayed for good. Now the re-run is pipelined, clears what the stopped
    /// run left (also the empty folders of ranks the new layout lacks) and writes the
    /// two-phase export's files.
    @Test func aStoppedExportsFolderIsPipelinedAgainAndCleared() throws {
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, #""collator": {"type": "flattening"}, "batch_size": 2"#)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = dir.appendingPathComponent("two-phase"), out = dir.appendingPathComponent("stopped")
        let fingerprint = try Self.twoPhase(configuration, to: expected, worldSize: 3)
        // What a stopped export of 5 ranks leaves.
        for rank in 0..<5 {
            let folder = out.appendingPathComponent(String(format: "rank-%05d", rank))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("partial".utf8).write(to: folder.appendingPathComponent(".batch-000000.safetensors.abc-\(rank).tmp"))
        }
        try Data().write(to: out.appendingPathComponent(ShardExporter.lockFileName))
        try Data("{".utf8).write(to: out.appendingPathComponent(".index.json.0F1E2D3C.tmp"))
        let spec = configuration.collator?.jsonText ?? ""
        let result = try #require(try configuration.exportWhileReading(to: out, worldSize: 3, fingerprintSpec: spec, minimumInputBytes: 0))
        #expect(result.fingerprint == fingerprint)
        let want = try FolderContents.files(in: expected), got = try FolderContents.files(in: out)
        #expect(got.keys.sorted() == want.keys.sorted())
        for (name, bytes) in want { #expect(got[name] == bytes, "\(name) differs") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["index.json", "rank-00000", "rank-00001", "rank-00002"])
    }

    /// A rank folder holding a shard is reusable: the two-phase export takes it (it skips the
    /// complete shards), and the pipelined one leaves it untouched.
    @Test func aRankFolderWithAShardIsNotANewFolder() throws {
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, #""collator": {"type": "flattening"}, "batch_size": 2"#)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let folder = out.appendingPathComponent("rank-00001")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out.appendingPathComponent("rank-00000"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("batch-000000.safetensors"))
        #expect(try configuration.exportWhileReading(to: out, worldSize: 2, fingerprintSpec: "", minimumInputBytes: 0) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["batch-000000.safetensors"])
    }

    /// Regression (attack, session 6): `AtomicFile.write` (an export's `index.json`) created
    /// its temporary unregistered, so a SIGTERM during the index's `fsync` left
    /// `.index.json.UUID.tmp` behind for good. Its temporary is now registered with the
    /// stop-signal cleanup while it exists, and a re-run of the two-phase export removes one
    /// a SIGKILL left.
    @Test func theIndexTemporaryIsRegisteredForTheSignalCleanup() throws {
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("index.json")
        let temporary = try AtomicFile.writeTemporary(Array("{}".utf8), for: target, sync: false)
        #expect(_PendingTemporaries.isPending(temporary.path))
        unlink(temporary.path)
        _PendingTemporaries.remove(temporary.path)
        try AtomicFile.write(Array("{}".utf8), to: target)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["index.json"])
        #expect(!_PendingTemporaries.isPending(temporary.path))
        // A SIGKILL's leftover: the two-phase export's re-run removes it.
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, #""collator": {"type": "flattening"}, "batch_size": 2"#)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: out.appendingPathComponent(".index.json.0F1E2D3C.tmp"))
        _ = try Self.twoPhase(configuration, to: out, worldSize: 2)
        #expect(try !FileManager.default.contentsOfDirectory(atPath: out.path).contains { $0.hasSuffix(".tmp") })
    }

    /// A bad line after some rounds were written: the error names the line, and the folder the
    /// export made is gone again (no shard, no temporary, no lock).
    @Test func aBadLineLeavesNothing() throws {
        var lines = StreamingExportTests.tokenized.split(separator: "\n").map(String.init)
        lines[24] = #"{"input_ids": [1, 2"#
        let configuration = try PipelineRunTests.pipeline(lines.joined(separator: "\n"), #""collator": {"type": "flattening"}, "batch_size": 2"#)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        #expect {
            _ = try configuration.exportWhileReading(to: out, worldSize: 3, fingerprintSpec: "", minimumInputBytes: 0)
        } throws: { error in
            (error as? InputError)?.line == 25
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // Into an existing empty folder: the folder stays, empty.
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        #expect(throws: InputError.self) {
            _ = try configuration.exportWhileReading(to: out, worldSize: 3, fingerprintSpec: "", minimumInputBytes: 0)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }

    /// A batch the collator refuses: an InputError naming the example's line, nothing left.
    @Test func aCollationErrorNamesTheLine() throws {
        var lines = StreamingExportTests.tokenized.split(separator: "\n").map(String.init)
        lines[20] = #"{"input_ids": [1, 2, 3], "labels": [1, 2]}"#   // labels not aligned with input_ids
        let configuration = try PipelineRunTests.pipeline(lines.joined(separator: "\n"), #""collator": {"type": "flattening"}, "batch_size": 2"#)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        var pipelinedError: InputError?
        do {
            _ = try configuration.exportWhileReading(to: out, worldSize: 3, fingerprintSpec: "", minimumInputBytes: 0)
        } catch let error as InputError {
            pipelinedError = error
        }
        #expect(pipelinedError != nil)
        #expect(!FileManager.default.fileExists(atPath: out.path), "\((try? FileManager.default.subpathsOfDirectory(atPath: out.path)) ?? [])")
        // The two-phase export's message for the same batch (as `collate export` words it).
        let run = try configuration.prepareStreaming(spoolDirectory: dir)
        let exporter = ShardExporter(directory: dir.appendingPathComponent("two"), worldSize: 3, batchSize: 2, fingerprint: "0")
        var twoPhaseLine: Int?
        do {
            _ = try exporter.export(run.source, collator: run.collator, transforms: run.transforms)
        } catch LoaderError.collation(_, let example) {
            twoPhaseLine = example.flatMap { run.line(ofUnit: $0) }
        }
        #expect(twoPhaseLine == 21)
        #expect(pipelinedError?.line == twoPhaseLine, "\(String(describing: pipelinedError))")
        #expect(pipelinedError?.reason.contains("'labels' has 2 tokens but 'input_ids' has 3") == true, "\(String(describing: pipelinedError))")
    }

    /// `collate export` refuses a folder another export holds before reading its dataset.
    @Test func aLockedFolderIsRefusedAtOnce() throws {
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        try ShardExporter.checkNotLocked(dir.appendingPathComponent("not-yet"))
        try ShardExporter.checkNotLocked(dir)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(ShardExporter.lockFileName).path))
        let held = try ShardExporter.lock(dir)
        #expect(throws: ExportError.locked(directory: dir.path)) { try ShardExporter.checkNotLocked(dir) }
        ShardExporter.unlock(held, dir)
        try ShardExporter.checkNotLocked(dir)
    }

    /// The deferred writer finds its placeholder in a shard's header, and nowhere else.
    @Test func thePlaceholderIsFoundInTheHeader() throws {
        let batch = Batch(["input_ids": Tensor(shape: [1, 2], scalars: [126, 126])])
        let bytes = try SafetensorsFile(batch: batch, metadata: ["fingerprint": "~~~~~~~~~~~~~~~~", "a": "b"]).encoded()
        let placeholder = Array("~~~~~~~~~~~~~~~~".utf8)
        let offset = try ShardWriter.offset(of: placeholder, inHeaderOf: bytes, for: "/shard")
        #expect(Array(bytes[offset..<offset + 16]) == placeholder)
        #expect(String(decoding: bytes[(offset - 15)..<offset], as: UTF8.self) == #""fingerprint":""#)
        let plain = try SafetensorsFile(batch: batch, metadata: ["fingerprint": "0123456789abcdef"]).encoded()
        #expect(throws: AtomicFile.WriteError.self) { try ShardWriter.offset(of: placeholder, inHeaderOf: plain, for: "/shard") }
    }

    /// The writer's byte-level metadata entry and index entry (``ShardExporter/shardText(_:)``)
    /// equal the two-phase export's text (a metadata dictionary encoded by
    /// ``SafetensorsFile/encoded()``, and ``ShardExporter/indexEntry(_:)``'s `jsonText`).
    @Test(arguments: [nil, [3, 0, 99, 1_000_000_007]] as [[Int]?])
    func theShardTextEqualsTheDictionaryPath(_ lines: [Int]?) throws {
        let exporter = ShardExporter(directory: URL(fileURLWithPath: "/tmp/x"), worldSize: 3, batchSize: 3, fingerprint: "0123456789abcdef")
        let batch = Batch([
            "input_ids": Tensor(shape: [1, 4], scalars: [1, 2, 3, 70_000]),
            "labels": Tensor(shape: [1, 4], scalars: [-100, 2, 3, 4]),
            "cu_seq_lens_q": Tensor(shape: [3], scalars: [0, 1, 4], dtype: .int32),
        ])
        for shard in [
            ShardExporter.Shard(file: "rank-00002/batch-000013.safetensors", rank: 2, batch: 13, examples: [5, 1_234_567, 0], tokens: 42, lines: lines),
            ShardExporter.Shard(file: "rank-00000/batch-1000000.safetensors", rank: 0, batch: 1_000_000, examples: [], tokens: 0, lines: lines.map { _ in [] }),
        ] {
            let (metadataEntry, indexEntry) = exporter.shardText(shard)
            let expected = try SafetensorsFile(batch: batch, metadata: exporter.metadata(for: shard)).encoded()
            #expect(try SafetensorsFile.encode(batch, metadataEntry: metadataEntry) == expected)
            #expect(String(decoding: indexEntry, as: UTF8.self) == ShardExporter.indexEntry(shard).jsonText)
        }
        #expect(try SafetensorsFile.encode(batch, metadataEntry: []) == SafetensorsFile(batch: batch, metadata: [:]).encoded())
    }

    /// The byte-level JSON writer escapes and prints numbers as ``JSONWriter`` does.
    @Test func theByteLevelJSONMatchesJSONWriter() {
        for text in ["", "plain", "a\"b\\c\nd\re\tf\u{08}g\u{0C}h\u{01}i\u{1F}j\u{7F}", "é漢😀 mixed \u{00}"] {
            var expected = ""
            JSONWriter.writeString(text, into: &expected)
            var bytes: [UInt8] = []
            _JSONBytes.appendString(Array(text.utf8), to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(text)")
        }
        let numbers = [0, 7, -1, 10, -10, 123_456_789, Int.max, Int.min]
        var bytes: [UInt8] = []
        _JSONBytes.appendIntegers(numbers, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == JSONValue.array(numbers.map { .integer(Int64($0)) }).jsonText)
        for number in [0, 7, 999_999, 1_000_000, 12_345_678] {
            #expect(_ExportRounds.shardName(number) == String(format: "batch-%06d.safetensors", number))
        }
    }

    /// A stopped pipelined export's hidden rank folders (a SIGKILL's leftovers: complete-looking
    /// shards that never took their names) are removed by the next export, pipelined or not.
    @Test(arguments: [true, false])
    func hiddenRankFoldersAreRemovedByTheNextExport(_ pipelined: Bool) throws {
        let configuration = try PipelineRunTests.pipeline(StreamingExportTests.tokenized, #""collator": {"type": "flattening"}, "batch_size": 2"#)
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = dir.appendingPathComponent("two-phase"), out = dir.appendingPathComponent("stopped")
        _ = try Self.twoPhase(configuration, to: expected, worldSize: 2)
        for rank in 0..<2 {
            let hidden = out.appendingPathComponent(String(format: ".rank-%05d.abc.tmp", rank))
            try FileManager.default.createDirectory(at: hidden, withIntermediateDirectories: true)
            try Data("shard".utf8).write(to: hidden.appendingPathComponent("batch-000000.safetensors"))
        }
        if pipelined {
            let spec = configuration.collator?.jsonText ?? ""
            _ = try #require(try configuration.exportWhileReading(to: out, worldSize: 2, fingerprintSpec: spec, minimumInputBytes: 0))
        } else {
            _ = try Self.twoPhase(configuration, to: out, worldSize: 2)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["index.json", "rank-00000", "rank-00001"])
        #expect(try FolderContents.files(in: out) == FolderContents.files(in: expected))
    }

    /// The deferred writer's hidden folders are registered with the stop-signal cleanup while
    /// they exist, and take their names whole at the end (an empty rank folder a stopped export
    /// left is replaced); a rank folder holding a user's file is not a new folder.
    @Test func stagedFoldersAreRegisteredAndRenamedWhole() throws {
        let dir = try PipelineConfigurationTests.folder([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rank-00001"), withIntermediateDirectories: true)
        let staged = try AtomicFile.StagedFolders(in: dir.path, names: ["rank-00000", "rank-00001"])
        #expect(staged.staged.allSatisfy { _PendingTemporaries.isPending($0) && URL(fileURLWithPath: $0).lastPathComponent.hasPrefix(".") })
        try Array("abc~~".utf8).withUnsafeBytes { try staged.write($0, name: "batch-000000.safetensors", inFolder: 1) }
        try staged.patch("batch-000000.safetensors", inFolder: 1, at: 3, with: Array("de".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("rank-00001/batch-000000.safetensors").path))
        try staged.commit()
        #expect(staged.staged.allSatisfy { !_PendingTemporaries.isPending($0) })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["rank-00000", "rank-00001"])
        #expect(try Data(contentsOf: dir.appendingPathComponent("rank-00001/batch-000000.safetensors")) == Data("abcde".utf8))
        try Data("notes".utf8).write(to: dir.appendingPathComponent("rank-00000/notes.txt"))
        #expect(!_ExportRounds.isNewFolder(dir))
        // A rank folder that is a link (a rename would replace the link, not fill its folder).
        let linked = dir.appendingPathComponent("linked"), elsewhere = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: linked, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        #expect(_ExportRounds.isNewFolder(linked))
        try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent("rank-00000"), withDestinationURL: elsewhere)
        #expect(!_ExportRounds.isNewFolder(linked))
        try FileManager.default.removeItem(at: linked)
        try FileManager.default.removeItem(at: elsewhere)
        // A discarded set leaves nothing.
        let other = try AtomicFile.StagedFolders(in: dir.path, names: ["rank-00002"])
        try Array("x".utf8).withUnsafeBytes { try other.write($0, name: "f", inFolder: 0) }
        other.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["rank-00000", "rank-00001"])
    }
}
