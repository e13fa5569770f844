import Collate
import CollateTokenizers
import Foundation

/// What ``PipelineConfiguration/exportWhileReading(to:worldSize:fingerprintSpec:minimumInputBytes:collators:transforms:)`` did.
public struct PipelinedExport: Sendable {
    /// The shards written and the index.
    public var summary: ShardExporter.Summary
    /// The export's fingerprint: the same value the two-phase export computes.
    public var fingerprint: String
    /// What reading the dataset did.
    public var report: DatasetReport
    /// What the example transforms (truncation, the spec's transforms) did.
    public var transformReport: TransformPipeline.Report
}

extension PipelineConfiguration {
    /// The input size from which ``exportWhileReading(to:worldSize:fingerprintSpec:minimumInputBytes:collators:transforms:)``
    /// pipelines by default: below it the two-phase export costs nothing worth saving, and keeps
    /// its shards named as they are written (a stopped export resumes).
    public static let pipelinedExportMinimumBytes = 64 << 20

    /// Exports the dataset's shards while reading it, when the pipeline allows it; `nil` when
    /// not (the caller then runs the two-phase export: ``prepareStreaming(spoolDirectory:collators:transforms:)``
    /// and ``ShardExporter/export(_:collator:transforms:)``).
    ///
    /// Without shuffling or packing, rank *r*'s batch *k* holds the examples at positions
    /// `r + (k·B + j)·W` (torch's `DistributedSampler`, batches of *B*, *W* ranks): each run of
    /// *B·W* examples read is one batch for every rank. So each such round is collated and
    /// handed to the shard writer as soon as it is read — reading, collating and writing
    /// overlap, and no example goes to a spool — and only the last round waits for the dataset's
    /// end (its wrap-around padding repeats the first examples, which are kept).
    ///
    /// The fingerprint covers every example, so it is known only at the end: the shards are
    /// written as hidden temporaries holding a placeholder of its length, and once the last
    /// example is read each gets the fingerprint (one `pwrite`), all become durable (one
    /// file-system flush) and take their names, and `index.json` is written last. The files are
    /// byte-identical to the two-phase export's. A stopped pipelined export leaves no shard
    /// (its temporaries are removed by the next run), so a re-run starts over.
    ///
    /// Pipelines only when every condition holds: a batch size with at most 16,384 examples per
    /// round; no shuffling and no packing; pre-tokenized data (no tokenizer or chat format:
    /// a re-run after a stop only re-parses); an input of at least `minimumInputBytes`; a
    /// built-in collator and batch transforms whose batches do not depend on the order they
    /// are built in (not the masked-LM collator, whose masks follow the shard's position);
    /// and an output folder without `index.json` or shards (a new export, or one a stopped
    /// export left without a shard: a re-run over existing shards takes the two-phase export,
    /// which skips the complete ones).
    /// - Parameters:
    ///   - directory: The output folder.
    ///   - worldSize: The number of ranks.
    ///   - fingerprintSpec: The spec text the fingerprint covers (the collator spec's text).
    ///   - minimumInputBytes: The smallest data file pipelined.
    ///   - collators: The registry that knows the collator types.
    ///   - transforms: The registry that knows the transform types.
    /// - Returns: What the export did, or `nil` when the pipeline is not one this path takes
    ///   (nothing was read or written then).
    /// - Throws: as ``prepareStreaming(spoolDirectory:collators:transforms:)`` and
    ///   ``ShardExporter/export(_:collator:transforms:)``; a batch that cannot be collated is an
    ///   ``InputError`` naming the example's line. After a failure no shard is left, and a
    ///   folder this call made is removed.
    public func exportWhileReading(
        to directory: URL, worldSize: Int, fingerprintSpec: String, minimumInputBytes: Int = pipelinedExportMinimumBytes,
        collators: CollatorRegistry = .current, transforms transformRegistry: TransformRegistry = .current
    ) throws -> PipelinedExport? {
        guard packing == nil, !shuffle, let batchSize, batchSize >= 1,
              (1...ShardExporter.maximumWorldSize).contains(worldSize), batchSize <= _ExportRounds.maximumRound / worldSize,
              let path = data.path, Self.fileSize(path) >= minimumInputBytes, _ExportRounds.isNewFolder(directory)
        else { return nil }
        // Pre-tokenized data: no model folder, tokenizer or chat template to load.
        guard model?.path == nil, tokenizer == nil, chatTemplate == nil else { return nil }
        let (collator, specTransforms) = try makeCollator(collators: collators, transforms: transformRegistry)
        guard _ExportRounds.isOrderFree(collator), specTransforms.steps.allSatisfy(_ExportRounds.isOrderFree) else { return nil }
        let exampleTransforms = TransformPipeline(truncationTransforms + specTransforms.steps).exampleTransforms
        let batchTransforms = TransformPipeline(specTransforms.steps.filter { if case .batch = $0 { true } else { false } })
        let madeFolder = !FileManager.default.fileExists(atPath: directory.path)
        let rounds: _ExportRounds
        do {
            rounds = try _ExportRounds(
                directory: directory, worldSize: worldSize, batchSize: batchSize, fingerprintSpec: fingerprintSpec,
                collator: collator, transforms: batchTransforms, file: path.path)
        } catch {
            if madeFolder { _ = rmdir(directory.path) }
            throw error
        }
        // Another export may have filled the folder between the check and the lock.
        guard rounds.isLocked else {
            rounds.abandon(removingFolder: madeFolder)
            return nil
        }
        var transformReport = TransformPipeline.Report()
        do {
            let report = try forEachTransformedExample(exampleTransforms, tokenizer: nil, chatFormat: nil, report: &transformReport) { example, line in
                try rounds.add(example, line: line)
            }
            guard rounds.count > 0 else {
                let why = transformReport.examplesIn == 0 ? "the file holds no examples" : "every example was dropped (\(transformReport))"
                throw InputError(file: path.path, line: nil, reason: why)
            }
            let (summary, fingerprint) = try rounds.finish()
            return PipelinedExport(summary: summary, fingerprint: fingerprint, report: report, transformReport: transformReport)
        } catch {
            // The writer collates: a batch it refused was read before the line that failed
            // here, so its error (once it has built what was queued) is the one to report.
            rounds.abandon(removingFolder: madeFolder)
            throw rounds.writerFailure ?? error
        }
    }

    /// The size of the file at `url` in bytes (0 when it cannot be read).
    static func fileSize(_ url: URL) -> Int {
        var status = stat()
        guard stat(url.path, &status) == 0 else { return 0 }
        return Int(status.st_size)
    }
}

/// A pipelined export's state: the round of examples being read (one batch per rank), the
/// first examples (the last round's wrap-around padding) and the fingerprint so far; the
/// shard writer makes each shard's metadata and index entry on its own thread.
final class _ExportRounds {
    /// The most examples a round (batch size × world size) may hold: the memory it takes.
    static let maximumRound = 1 << 14
    /// What each shard's header holds until the fingerprint is known: 16 characters, as the
    /// fingerprint has, and never a fingerprint (not hex digits).
    static let placeholder = String(repeating: "~", count: 16)

    let directory: URL
    let worldSize: Int
    let batchSize: Int
    let file: String
    /// Writes the shards (into hidden folders, one per rank), their metadata (with the placeholder
    /// for the fingerprint) and index entries; `nil` when the folder was not new once locked.
    private let writer: ShardWriter?
    private var lock: Int32?
    /// Each rank's folder path.
    private let rankFolders: [String]
    /// Each rank's folder name (`rank-RRRRR`).
    private let rankNames: [String]
    private var fingerprinter: ShardExporter.Fingerprinter
    private var scratch: [UInt8] = []
    /// The examples read of the current round, with their 0-based lines.
    private var window: [(example: Example, line: Int)] = []
    /// The first `worldSize` examples, with their 0-based lines.
    private var head: [(example: Example, line: Int)] = []
    private var round = 0
    private var summary: ShardExporter.Summary
    private let callerCPUStart = ShardWriter.threadCPUSeconds()
    /// Examples read.
    private(set) var count = 0

    /// Makes the folder, takes the export lock, makes a hidden folder per rank (renamed to
    /// `rank-RRRRR` at the end) and starts the writer.
    init(directory: URL, worldSize: Int, batchSize: Int, fingerprintSpec: String,
         collator: any Collator<Batch>, transforms: TransformPipeline, file: String) throws {
        self.directory = directory
        self.worldSize = worldSize
        self.batchSize = batchSize
        self.file = file
        fingerprinter = ShardExporter.Fingerprinter(spec: fingerprintSpec, worldSize: worldSize, batchSize: batchSize, collateVersion: CollateVersion.current)
        summary = ShardExporter.Summary(index: directory.appendingPathComponent("index.json"))
        let names = (0..<worldSize).map { String(format: "rank-%05d", $0) }
        rankNames = names
        rankFolders = names.map { directory.path + "/" + $0 }
        window.reserveCapacity(batchSize * worldSize)
        try ShardExporter.makeFolder(directory)
        let lock = try ShardExporter.lock(directory)
        guard Self.isNewFolder(directory) else {
            ShardExporter.unlock(lock, directory)
            writer = nil
            return
        }
        // What a stopped export left (no shard, or it would not be a new folder): its
        // temporaries and hidden folders, and the empty folders of ranks this layout does not have.
        ShardExporter.removeStaleIndexTemporaries(in: directory)
        ShardExporter.removeTemporaries(inRankFoldersOf: directory, removingEmptyFrom: worldSize)
        AtomicFile.StagedFolders.removeStale(in: directory.path)
        let staging: AtomicFile.StagedFolders
        do {
            staging = try AtomicFile.StagedFolders(in: directory.path, names: names)
        } catch {
            ShardExporter.unlock(lock, directory)
            throw error
        }
        self.lock = lock
        let exporter = ShardExporter(directory: directory, worldSize: worldSize, batchSize: batchSize, fingerprint: Self.placeholder)
        // Collation runs on the writer thread, or on the reading thread while the writer is behind.
        let collate = { (members: [Example], shard: ShardExporter.Shard) throws -> Batch in
            var batch: Batch
            do {
                batch = try collator.collate(members)
                try batch.checkStructure(contract: collator.contract, exampleCount: members.count)
            } catch let error as CollateError {
                let line = error.exampleIndex.flatMap { index in shard.lines.flatMap { $0.indices.contains(index) ? $0[index] : nil } }
                throw InputError(file: file, line: line.map { $0 + 1 }, reason: error.description)
            }
            return try transforms.applyBatchTransforms(batch)
        }
        writer = ShardWriter(groupBytes: ShardExporter.groupBytes, groupFiles: ShardExporter.groupFiles, deferring: exporter, staging: staging, collate: collate)
    }

    /// The writer's first failure (a batch the collator refused, a full disk), if it failed.
    var writerFailure: (any Error)? { writer?.failed }

    /// Whether this export holds the folder's lock: `false` when, once locked, the folder held
    /// another export's files (the caller then runs the two-phase export).
    var isLocked: Bool { lock != nil }

    /// Whether `directory` holds no export to reuse: it does not exist, or holds no `index.json`
    /// and no `rank-*` entry but rank folders that hold only hidden temporaries (`.NAME.*.tmp`).
    ///
    /// A stopped export may leave such a folder (its hidden folders or temporaries, empty rank
    /// folders, the lock file, which the next export's lock takes over): nothing there is
    /// reusable, so its re-run is pipelined too and starts over, instead of spooling the whole
    /// dataset for a two-phase export that would write every shard anyway. A rank folder
    /// holding anything else (a shard, a user's file), or a `rank-*` entry that is not a
    /// folder (a link), goes to the two-phase export: the pipelined one replaces each rank
    /// folder whole, which only an empty folder allows.
    static func isNewFolder(_ directory: URL) -> Bool {
        var status = stat()
        guard stat(directory.path, &status) == 0 else { return errno == ENOENT }
        let fileManager = FileManager.default
        guard status.st_mode & S_IFMT == S_IFDIR, let names = try? fileManager.contentsOfDirectory(atPath: directory.path) else { return false }
        for name in names {
            if name == "index.json" { return false }
            guard name.hasPrefix("rank-") else { continue }
            // A real folder (a link or mount elsewhere cannot be replaced by a rename).
            var entry = stat()
            guard lstat(directory.path + "/" + name, &entry) == 0, entry.st_mode & S_IFMT == S_IFDIR else { return false }
            guard let inner = try? fileManager.contentsOfDirectory(atPath: directory.path + "/" + name),
                  inner.allSatisfy({ $0.hasPrefix(".") && $0.hasSuffix(".tmp") }) else { return false }
        }
        return true
    }

    /// Whether a collator's batches depend only on their examples (not on how many batches it
    /// built before): the built-in collators but the masked-LM one.
    static func isOrderFree(_ collator: any Collator<Batch>) -> Bool {
        collator is FlatteningCollator || collator is PaddingCollator || collator is LanguageModelingCollator
            || collator is SFTCollator || collator is CompletionOnlyCollator || collator is Seq2SeqCollator
            || collator is TokenClassificationCollator || collator is PreferenceCollator || collator is RewardCollator
            || collator is UnpairedPreferenceCollator
    }

    /// Whether a transform works on each example or batch alone: the built-in ones.
    static func isOrderFree(_ transform: Transform) -> Bool {
        switch transform {
        case .example(let step): step is AddEOS || step is DropEmpty || step is DropUntrainable || step is Truncate
        case .batch(let step): step is NumItemsInBatch || step is PadToMultiple || step is PositionIDs
        }
    }

    /// `batch-BBBBBB.safetensors` for batch `number` (at least six digits, as `%06d` writes it).
    static func shardName(_ number: Int) -> String {
        var digits = Array(String(number).utf8)
        if digits.count < 6 { digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: 6 - digits.count), at: 0) }
        return "batch-" + String(decoding: digits, as: UTF8.self) + ".safetensors"
    }

    /// Takes the next example (its 1-based line); a full round is queued for the writer.
    func add(_ example: Example, line: Int) throws {
        fingerprinter.mix(example, scratch: &scratch)
        if head.count < worldSize { head.append((example, line - 1)) }
        window.append((example, line - 1))
        count += 1
        if window.count == batchSize * worldSize { try flush(last: false) }
    }

    /// Queues the current round — batch `round` of every rank — for the writer, which collates
    /// and writes each shard; the last round takes its ranks' shares as torch pads them
    /// (positions past the dataset wrap around to its start).
    private func flush(last: Bool) throws {
        let base = round * batchSize * worldSize
        let first = round * batchSize
        let end = last ? DistributedSampler.samplesPerRank(count: count, worldSize: worldSize, dropLast: false) : first + batchSize
        guard end > first else { return }
        let name = Self.shardName(round)
        for rank in 0..<worldSize {
            var indices: [Int] = [], members: [Example] = [], lines: [Int] = []
            indices.reserveCapacity(end - first)
            members.reserveCapacity(end - first)
            lines.reserveCapacity(end - first)
            var tokens = 0
            for position in first..<end {
                let place = rank + position * worldSize
                let index = place % count
                let (example, line) = place < count ? window[place - base] : head[index]
                indices.append(index)
                members.append(example)
                lines.append(line)
                tokens += example.sequence("input_ids")?.count ?? 0
            }
            let shard = ShardExporter.Shard(file: rankNames[rank] + "/" + name, rank: rank, batch: round, examples: indices, tokens: tokens, lines: lines)
            try writer?.submit(members, shard: shard, name: name)
            summary.shards += 1
            summary.written += 1
        }
        window.removeAll(keepingCapacity: true)
        round += 1
    }

    /// Queues the last round, puts the fingerprint in every shard, names them (durably) and
    /// writes `index.json`.
    /// - Returns: What the export did, and the fingerprint.
    func finish() throws -> (ShardExporter.Summary, String) {
        guard let writer else { throw ExportError.locked(directory: directory.path) }
        try flush(last: true)
        summary.timings.callerCPUSeconds = ShardWriter.threadCPUSeconds() - callerCPUStart
        let fingerprint = fingerprinter.value
        let written = try writer.finish(replacingPlaceholderWith: Array(fingerprint.utf8))
        summary.timings.writerCPUSeconds = written.writerCPUSeconds
        summary.timings.collateSeconds = written.collateSeconds
        summary.timings.encodeSeconds = written.encodeSeconds
        summary.timings.writeSeconds = written.writeSeconds
        summary.timings.syncSeconds = written.syncSeconds
        summary.timings.bytes = written.bytes
        var text: [UInt8] = []
        for entries in writer.indexEntries where !entries.isEmpty {
            if !text.isEmpty { text += Array(", ".utf8) }
            text += entries
        }
        let final = ShardExporter(directory: directory, worldSize: worldSize, batchSize: batchSize, fingerprint: fingerprint)
        try AtomicFile.write(final.indexText(examples: count, shards: summary.shards, dtypes: writer.dtypes, entries: text), to: summary.index)
        if let lock { ShardExporter.unlock(lock, directory) }
        lock = nil
        return (summary, fingerprint)
    }

    /// Stops after a failure: removes the hidden folders, the (empty) rank folders and, when
    /// `removingFolder`, the (empty) output folder; releases the lock.
    func abandon(removingFolder: Bool) {
        writer?.abandon()
        for path in rankFolders { _ = rmdir(path) }
        if let lock { ShardExporter.unlock(lock, directory) }
        lock = nil
        if removingFolder { _ = rmdir(directory.path) }
    }

    deinit {
        if let lock { ShardExporter.unlock(lock, directory) }
    }
}
