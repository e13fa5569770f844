import Collate
import Foundation

/// Writes a dataset as per-rank safetensors shards, one file per batch, plus `index.json`.
///
/// ```
///   OUT/index.json
///   OUT/rank-00000/batch-000000.safetensors     rank 0's first batch
///   OUT/rank-00000/batch-000001.safetensors
///   OUT/rank-00001/batch-000000.safetensors     ...
/// ```
///
/// Ranks are assigned with ``DistributedSampler`` semantics (no shuffle, wrap-around padding), so
/// every rank has the same number of batches. Each shard is written atomically (temporary
/// file, then rename) and carries `__metadata__` with the export's fingerprint, its rank, batch
/// and example indices (plus, when ``lines`` is set, the examples' 0-based line numbers in the
/// file they were read from). A re-run skips every shard that already exists, reads back as valid
/// safetensors and has the same fingerprint — so an interrupted export resumes where it stopped,
/// and a changed dataset, spec, layout or Collate version rewrites everything it touches.
///
/// `index.json` is written last and removed first: while an export runs, or after one was
/// stopped, the folder has no index, so a reader (``ShardIndex``) never takes a half-rewritten
/// folder for a finished one. An export holds `.collate-export.lock` in the folder while it
/// runs; a second export of the same folder fails with ``ExportError/locked(directory:)``.
public struct ShardExporter: Sendable {
    /// The output folder.
    public var directory: URL
    /// The number of ranks.
    public var worldSize: Int
    /// Examples per batch; `nil` puts each rank's whole share in one batch.
    public var batchSize: Int?
    /// Identifies the export's inputs (dataset, spec, layout); see ``fingerprint(examples:spec:worldSize:batchSize:)``.
    public var fingerprint: String
    /// The 0-based line number, in the file the dataset was read from, of each example passed
    /// to ``export(_:collator:transforms:)`` (blank, skipped and dropped lines make these differ
    /// from the example indices); written as `lines` beside `examples` in each shard's metadata
    /// and in `index.json`. `nil` writes no `lines`.
    public var lines: [Int]?

    /// Creates an exporter.
    /// - Parameters:
    ///   - directory: The output folder.
    ///   - worldSize: The number of ranks.
    ///   - batchSize: Examples per batch; `nil` puts each rank's whole share in one batch.
    ///   - fingerprint: Identifies the export's inputs.
    ///   - lines: Each example's 0-based line number in its file, or `nil`.
    public init(directory: URL, worldSize: Int, batchSize: Int?, fingerprint: String, lines: [Int]? = nil) {
        self.directory = directory
        self.worldSize = worldSize
        self.batchSize = batchSize
        self.fingerprint = fingerprint
        self.lines = lines
    }

    /// What an export did.
    public struct Summary: Sendable, Hashable {
        /// Shards in the export.
        public var shards = 0
        /// Shards written by this run.
        public var written = 0
        /// Shards left as they were (already complete).
        public var skipped = 0
        /// The index file.
        public var index: URL
        /// Where the time went.
        public var timings = Timings()
    }

    /// Where an export's time went (the shards it wrote; skipped ones cost only a read).
    public struct Timings: Sendable, Hashable {
        /// Reading units and collating them, with the batch transforms (the caller's thread;
        /// encoding, writing and syncing run meanwhile on the writer thread).
        public var collateSeconds = 0.0
        /// Encoding batches as safetensors bytes.
        public var encodeSeconds = 0.0
        /// Writing the bytes to files (into the page cache; see ``syncSeconds``).
        public var writeSeconds = 0.0
        /// Waiting for written shards to reach the disk, a group at a time.
        public var syncSeconds = 0.0
        /// Shard bytes written.
        public var bytes = 0
        /// CPU time (user and system) of the calling thread while it read units and collated
        /// them: the work itself, apart from time slices lost to other processes.
        public var callerCPUSeconds = 0.0
        /// CPU time of the writer thread (encoding, writing, syncing).
        public var writerCPUSeconds = 0.0
    }

    /// Shards written before their group is made durable: at most this many bytes, ...
    static let groupBytes = 128 << 20
    /// ... or this many files.
    static let groupFiles = 1024

    /// One shard in the index.
    public struct Shard: Sendable, Hashable {
        /// Path relative to the export folder.
        public var file: String
        /// The rank.
        public var rank: Int
        /// The batch number within the rank.
        public var batch: Int
        /// Dataset indices of its examples.
        public var examples: [Int]
        /// Real tokens (the examples' `input_ids`).
        public var tokens: Int
        /// The examples' 0-based line numbers in the dataset file, when the exporter knows them;
        /// for packed rows, every member's line in row order (more lines than ``examples``).
        public var lines: [Int]? = nil
    }

    /// The largest world size an export accepts (one folder per rank).
    public static let maximumWorldSize = 1 << 16

    /// Collates and writes every shard, then the index.
    /// - Parameters:
    ///   - examples: The dataset (after example transforms).
    ///   - collator: Builds each batch.
    ///   - transforms: Batch transforms applied after collation.
    /// - Throws: ``LoaderError`` when a batch cannot be collated (naming the dataset index);
    ///   ``SamplerError`` for a bad world or batch size; ``ExportError`` when another export
    ///   holds the folder or a folder stands where `index.json` goes; ``AtomicFile/WriteError``
    ///   naming the path and cause for I/O failures (a full disk).
    /// - Complexity: O(*N*) in the dataset's tokens, plus the reads of existing shards.
    public func export(_ examples: [Example], collator: some Collator<Batch>, transforms: TransformPipeline = TransformPipeline()) throws -> Summary {
        try export(UnitSource(examples), collator: collator, transforms: transforms)
    }

    /// What an export writes, read as the shards need it: the number of units (examples or
    /// packed rows) and, for any of them, their real tokens, 0-based dataset lines and contents.
    ///
    /// An array of examples is one source (``init(_:)``); an ``ExampleSpool``-backed pipeline
    /// run (``StreamedRun/source``) is another that keeps only one batch in memory at a time.
    public struct UnitSource {
        /// The number of units.
        public var count: Int
        /// The real tokens (the `input_ids` length) of a unit.
        public var tokens: (Int) -> Int
        /// The 0-based dataset line of a unit (a packed row's first member), or `nil` when unknown.
        public var line: ((Int) -> Int)?
        /// The 0-based dataset lines of every example a unit holds (a packed row's members in
        /// row order); when set, shards record these instead of ``line``, so a packed export
        /// still names every line it holds and a run can prove it covered the dataset.
        public var memberLines: ((Int) -> [Int])?
        /// The units at the given indices, in that order.
        public var units: ([Int]) throws -> [Example]
        /// A unit's XXH64 over its ``ExampleSpool`` bytes, when the source kept it (a streamed
        /// run that does not pack): the fingerprint then reads no unit back.
        var unitHash: ((Int) -> UInt64)?

        /// Creates a source from its parts.
        /// - Parameters:
        ///   - count: The number of units.
        ///   - tokens: A unit's real tokens.
        ///   - line: A unit's 0-based dataset line, or `nil`.
        ///   - units: Reads units by index.
        public init(count: Int, tokens: @escaping (Int) -> Int, line: ((Int) -> Int)? = nil, units: @escaping ([Int]) throws -> [Example]) {
            self.count = count
            self.tokens = tokens
            self.line = line
            self.units = units
        }

        /// A source over examples in memory.
        public init(_ examples: [Example]) {
            self.init(count: examples.count, tokens: { examples[$0].inputIDs.count }, units: { $0.map { examples[$0] } })
        }
    }

    /// Collates and writes every shard of a source, then the index, holding one batch (and the
    /// index's text) in memory at a time.
    /// - Parameters:
    ///   - source: The units, read batch by batch.
    ///   - collator: Builds each batch.
    ///   - transforms: Batch transforms applied after collation.
    /// - Throws: as ``export(_:collator:transforms:)``.
    /// - Complexity: O(*N*) in the dataset's tokens, plus the reads of existing shards.
    public func export(_ source: UnitSource, collator: some Collator<Batch>, transforms: TransformPipeline = TransformPipeline()) throws -> Summary {
        // Checked before any folder is made: one folder per rank, and torch pads every rank to
        // the same share, so a typo'd world size would otherwise write millions of shards.
        guard (1...Self.maximumWorldSize).contains(worldSize) else {
            throw SamplerError.invalidParameter(name: "world_size", value: worldSize, reason: "must be in 1...\(Self.maximumWorldSize)")
        }
        if let batchSize, batchSize < 1 { throw SamplerError.invalidParameter(name: "batch_size", value: batchSize, reason: "must be at least 1") }
        let fileManager = FileManager.default
        try Self.makeFolder(directory)
        // One export at a time per folder: two would delete each other's temporary files.
        let lock = try Self.lock(directory)
        defer { Self.unlock(lock, directory) }
        Self.removeStaleIndexTemporaries(in: directory)
        // A killed pipelined export's hidden rank folders (their shards were never named).
        AtomicFile.StagedFolders.removeStale(in: directory.path)
        // The old index goes before the first shard is touched: a run stopped midway must not
        // leave an index that calls shards of another dataset complete.
        let indexURL = directory.appendingPathComponent("index.json")
        try Self.invalidateIndex(indexURL)
        let count = source.count
        let perRank = DistributedSampler.samplesPerRank(count: count, worldSize: worldSize, dropLast: false)
        let size = batchSize ?? max(perRank, 1)
        var summary = Summary(index: indexURL)
        // The index's shard entries, as text: far smaller than the entries themselves.
        var shardEntries: [UInt8] = []
        var shardCount = 0
        var dtypes: [(String, String)] = []
        var batchCounts: [(folder: URL, count: Int)] = []
        // Shards are encoded and written on a thread of their own while the next batch is
        // collated, and become durable a group at a time (one file system flush per group, not
        // two fsyncs per shard); a shard's name only ever holds a complete, durable file.
        let writer = ShardWriter(groupBytes: Self.groupBytes, groupFiles: Self.groupFiles)
        let callerCPUStart = ShardWriter.threadCPUSeconds()
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        // A failure keeps the shards already written: a re-run skips them.
        do {
            for rank in 0..<worldSize {
                let sampler = try DistributedSampler(count: count, rank: rank, worldSize: worldSize, batchSize: size, shuffle: false)
                let rankFolder = String(format: "rank-%05d", rank)
                let rankURL = directory.appendingPathComponent(rankFolder, isDirectory: true)
                let rankPath = rankURL.path
                try Self.makeFolder(rankURL)
                // One listing per rank: a shard that is not there is not read (a fresh export
                // tries no file), and temporary files of a run killed mid-write are cleared.
                var present: Set<String> = []
                for name in (try? fileManager.contentsOfDirectory(atPath: rankURL.path)) ?? [] {
                    if name.hasPrefix(".") && name.hasSuffix(".tmp") {
                        try? fileManager.removeItem(at: rankURL.appendingPathComponent(name))
                    } else if name.hasPrefix("batch-") {
                        present.insert(name)
                    }
                }
                let rankBatches = sampler.batches(epoch: 0)
                batchCounts.append((rankURL, rankBatches.count))
                for (number, indices) in rankBatches.enumerated() {
                    let name = String(format: "batch-%06d.safetensors", number)
                    let file = rankFolder + "/" + name
                    var shard = Shard(file: file, rank: rank, batch: number, examples: indices, tokens: indices.reduce(0) { $0 + source.tokens($1) })
                    if let memberLines = source.memberLines {
                        shard.lines = indices.flatMap(memberLines)
                    } else if let line = source.line {
                        shard.lines = indices.map(line)
                    } else if let lines, lines.count == count {
                        shard.lines = indices.map { lines[$0] }
                    }
                    if shardCount > 0 { shardEntries += Array(", ".utf8) }
                    shardEntries += Array(Self.indexEntry(shard).jsonText.utf8)
                    shardCount += 1
                    summary.shards += 1
                    let metadata = metadata(for: shard)
                    if present.contains(name), let existing = try? SafetensorsFile(contentsOf: rankURL.appendingPathComponent(name, isDirectory: false)),
                       existing.metadata == metadata {
                        summary.skipped += 1
                        if dtypes.isEmpty { dtypes = zip(existing.batch.names, existing.batch.tensors).map { ($0, $1.dtype.safetensorsName) } }
                        continue
                    }
                    var batch: Batch
                    let collateStart = clock.now
                    do {
                        // A seeded collator gets the shard's position in the export, not its own call
                        // count: a resumed run skips the complete shards, and the rest must still get
                        // the masks of an uninterrupted run.
                        if let seeded = collator as? any StepSeededCollator<Batch> {
                            batch = try seeded.collate(try source.units(indices), step: UInt64(shardCount - 1))
                        } else {
                            batch = try collator.collate(try source.units(indices))
                        }
                        try batch.checkStructure(contract: collator.contract, exampleCount: indices.count)
                    } catch let error as CollateError {
                        throw LoaderError.collation(error, example: error.exampleIndex.map { indices[$0] })
                    }
                    batch = try transforms.applyBatchTransforms(batch)
                    if dtypes.isEmpty { dtypes = zip(batch.names, batch.tensors).map { ($0, $1.dtype.safetensorsName) } }
                    summary.timings.collateSeconds += seconds(clock.now - collateStart)
                    try writer.submit(batch, metadata: metadata, folder: rankPath, name: name)
                    summary.written += 1
                }
            }
        } catch {
            _ = try? writer.finish()
            throw error
        }
        summary.timings.callerCPUSeconds = ShardWriter.threadCPUSeconds() - callerCPUStart
        let written = try writer.finish()
        summary.timings.writerCPUSeconds = written.writerCPUSeconds
        summary.timings.encodeSeconds = written.encodeSeconds
        summary.timings.writeSeconds = written.writeSeconds
        summary.timings.syncSeconds = written.syncSeconds
        summary.timings.bytes = written.bytes
        let indexText = indexText(examples: count, shards: shardCount, dtypes: dtypes, entries: shardEntries)
        shardEntries = []
        try AtomicFile.write(indexText, to: summary.index)
        // Only now, with the new index in place, go the shards of an earlier export of this
        // folder that the new layout does not have: fewer batches per rank, or fewer ranks.
        for (folder, count) in batchCounts { Self.removeStaleShards(in: folder, keeping: count) }
        for name in (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix("rank-") {
            guard let rank = Int(name.dropFirst(5)), rank >= worldSize else { continue }
            let rankURL = directory.appendingPathComponent(name)
            Self.removeStaleShards(in: rankURL, keeping: 0)
            if (try? fileManager.contentsOfDirectory(atPath: rankURL.path))?.isEmpty == true { try? fileManager.removeItem(at: rankURL) }
        }
        return summary
    }

    /// The text of `index.json`: the export's head, then `entries` (the shards' entries as JSON
    /// text, comma-separated, rank by rank) as `"shards"` — the same text as the whole index
    /// written as one JSON value, without building it.
    func indexText(examples count: Int, shards shardCount: Int, dtypes: [(String, String)], entries: [UInt8]) -> [UInt8] {
        let head = JSONValue.object(JSONObject([
            ("format", .string("collate-safetensors-shards")),
            ("version", .integer(1)),
            ("fingerprint", .string(fingerprint)),
            ("collate_version", .string(CollateVersion.current)),
            ("world_size", .integer(Int64(worldSize))),
            ("batch_size", batchSize.map { .integer(Int64($0)) } ?? .null),
            ("examples", .integer(Int64(count))),
            ("batches_per_rank", .integer(Int64(shardCount / max(worldSize, 1)))),
            ("tensors", .object(JSONObject(dtypes.map { ($0.0, JSONValue.string($0.1)) }))),
        ])).jsonText
        var indexText = Array(head.utf8.dropLast())
        indexText += Array(#", "shards": ["#.utf8)
        indexText += entries
        indexText += Array("]}\n".utf8)
        return indexText
    }

    /// Removes the shard files `batch-NNNNNN.safetensors` numbered `keeping` or more from a rank
    /// folder: a re-run with fewer batches must not leave an earlier run's batches beside its own.
    /// Files not named like shards are left alone.
    private static func removeStaleShards(in rankURL: URL, keeping count: Int) {
        let fileManager = FileManager.default
        for name in (try? fileManager.contentsOfDirectory(atPath: rankURL.path)) ?? []
        where name.hasPrefix("batch-") && name.hasSuffix(".safetensors") {
            guard let number = Int(name.dropFirst(6).dropLast(12)), number >= count else { continue }
            try? fileManager.removeItem(at: rankURL.appendingPathComponent(name))
        }
    }

    /// Removes the hidden temporaries of `index.json` (`.index.json.*.tmp`) an export killed
    /// while writing its index left in `directory` (call holding the folder's lock).
    static func removeStaleIndexTemporaries(in directory: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix(".index.json.") && name.hasSuffix(".tmp") {
            _ = unlink(directory.path + "/" + name)
        }
    }

    /// Removes the hidden temporaries (`.NAME.*.tmp`) in every `rank-*` folder of `directory`,
    /// and the folders of ranks `worldSize` and up when that leaves them empty (call holding
    /// the folder's lock, for a folder whose rank folders hold no shard).
    static func removeTemporaries(inRankFoldersOf directory: URL, removingEmptyFrom worldSize: Int) {
        let fileManager = FileManager.default
        for name in (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix("rank-") {
            let folder = directory.path + "/" + name
            for inner in (try? fileManager.contentsOfDirectory(atPath: folder)) ?? [] where inner.hasPrefix(".") && inner.hasSuffix(".tmp") {
                _ = unlink(folder + "/" + inner)
            }
            if let rank = Int(name.dropFirst(5)), rank >= worldSize { _ = rmdir(folder) }
        }
    }

    /// The lock file an export holds in its folder while it runs (removed when it ends).
    public static let lockFileName = ".collate-export.lock"

    /// Takes the folder's export lock (`flock` on ``lockFileName``, released when the
    /// descriptor closes or the process ends, even by SIGKILL) and returns its descriptor.
    /// - Throws: ``ExportError/locked(directory:)`` when another export holds it.
    static func lock(_ directory: URL) throws(ExportError) -> Int32 {
        let path = directory.appendingPathComponent(lockFileName).path
        for _ in 0..<8 {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw .cannotLock(path: path, cause: String(cString: strerror(errno))) }
            var code: Int32 = 0
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                code = errno
                if code != EINTR { break }
                code = 0
            }
            if code != 0 {
                _ = close(descriptor)
                if code == EWOULDBLOCK { throw .locked(directory: directory.path) }
                throw .cannotLock(path: path, cause: String(cString: strerror(code)))
            }
            // The export that held it may have removed the file between our open and flock:
            // the lock counts only if the path still names the file locked.
            var held = stat(), named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
                return descriptor
            }
            _ = close(descriptor)
        }
        throw .locked(directory: directory.path)
    }

    /// Fails at once when another export holds `directory`'s lock (takes and releases it), so
    /// a command can refuse a busy folder before it reads the dataset; a folder that does not
    /// exist yet is not checked. The export itself still takes the lock for its whole run.
    /// - Throws: ``ExportError/locked(directory:)`` when another export holds it.
    public static func checkNotLocked(_ directory: URL) throws(ExportError) {
        var status = stat()
        guard stat(directory.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return }
        unlock(try lock(directory), directory)
    }

    /// Removes the lock file (while still holding it) and releases the lock.
    static func unlock(_ descriptor: Int32, _ directory: URL) {
        _ = unlink(directory.appendingPathComponent(lockFileName).path)
        _ = close(descriptor)
    }

    /// Makes `url` and its missing parents, as `mkdir -p`.
    /// - Throws: ``AtomicFile/WriteError`` naming the path and the cause (a file stands there,
    ///   permissions, a full disk) — never a raw `NSError` domain and code.
    static func makeFolder(_ url: URL) throws {
        var status = stat()
        if stat(url.path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw AtomicFile.WriteError(path: url.path, step: "making the folder", code: ENOTDIR,
                                            detail: "it exists and is not a folder; give the export a folder path")
            }
            return
        }
        let parent = url.deletingLastPathComponent()
        if parent.path != url.path, !parent.path.isEmpty { try makeFolder(parent) }
        if mkdir(url.path, 0o755) != 0 {
            let code = errno
            guard code == EEXIST else { throw AtomicFile.WriteError(path: url.path, step: "making the folder", code: code) }
            // The name exists but did not stat: a symbolic link to nothing (unless another
            // process made the folder meanwhile).
            guard stat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw AtomicFile.WriteError(path: url.path, step: "making the folder", code: ENOENT,
                                            detail: "it is a symbolic link to a missing path; remove the link or give the export a real folder")
            }
        }
    }

    /// Removes `index.json` (durably) before any shard changes.
    /// - Throws: ``ExportError/indexNotAFile(path:)`` when a folder or device stands there.
    static func invalidateIndex(_ url: URL) throws {
        var status = stat()
        guard lstat(url.path, &status) == 0 else { return }
        let type = status.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFLNK else { throw ExportError.indexNotAFile(path: url.path) }
        try AtomicFile.remove(url)
    }

    func metadata(for shard: Shard) -> [String: String] {
        var metadata = [
            "format": "collate-safetensors-shards",
            "fingerprint": fingerprint,
            "rank": String(shard.rank),
            "batch": String(shard.batch),
            "examples": JSONValue.array(shard.examples.map { .integer(Int64($0)) }).jsonText,
        ]
        for (key, value) in Self.linesEntry(shard) { metadata[key] = value.jsonText }
        return metadata
    }

    /// A shard's entry in `index.json`.
    static func indexEntry(_ shard: Shard) -> JSONValue {
        .object(JSONObject([
            ("file", .string(shard.file)), ("rank", .integer(Int64(shard.rank))), ("batch", .integer(Int64(shard.batch))),
            ("examples", .array(shard.examples.map { .integer(Int64($0)) })), ("tokens", .integer(Int64(shard.tokens))),
        ] + linesEntry(shard)))
    }

    /// `[("lines", [...])]` when the shard knows its examples' line numbers, else empty.
    private static func linesEntry(_ shard: Shard) -> [(key: String, value: JSONValue)] {
        shard.lines.map { [("lines", .array($0.map { .integer(Int64($0)) }))] } ?? []
    }

    /// A fingerprint of everything that decides the shards' contents: Collate's version (a
    /// collator fixed in an upgrade writes other shards), the spec text, the layout, and every
    /// unit's fields and values in order — 16 hex digits of XXH64.
    ///
    /// Each unit is hashed over its binary form (the bytes ``ExampleSpool`` stores), and the
    /// units' hashes are chained in order; so a spooled dataset is fingerprinted from the hashes
    /// its spool took while writing, without reading a unit back, and gives the same value as
    /// the examples in memory.
    /// - Parameter collateVersion: The version that writes the shards; the running one by default.
    /// - Complexity: O(*N*) in the dataset's tokens.
    public static func fingerprint(
        examples: [Example], spec: String, worldSize: Int, batchSize: Int?, collateVersion: String = CollateVersion.current
    ) -> String {
        var fingerprinter = Fingerprinter(spec: spec, worldSize: worldSize, batchSize: batchSize, collateVersion: collateVersion)
        var bytes: [UInt8] = []
        for example in examples { fingerprinter.mix(example, scratch: &bytes) }
        return fingerprinter.value
    }

    /// The same fingerprint as ``fingerprint(examples:spec:worldSize:batchSize:collateVersion:)``
    /// over a source's units: from the units' spooled hashes when the source has them (a
    /// streamed run that does not pack), else reading the units a chunk at a time.
    /// - Throws: whatever reading the units throws.
    /// - Complexity: O(*U*) in the units with spooled hashes, else O(*N*) in the dataset's
    ///   tokens; memory: one chunk of units.
    public static func fingerprint(
        _ source: UnitSource, spec: String, worldSize: Int, batchSize: Int?, collateVersion: String = CollateVersion.current
    ) throws -> String {
        var fingerprinter = Fingerprinter(spec: spec, worldSize: worldSize, batchSize: batchSize, collateVersion: collateVersion)
        if let unitHash = source.unitHash {
            for unit in 0..<source.count { fingerprinter.mix(unitHash: unitHash(unit)) }
            return fingerprinter.value
        }
        var bytes: [UInt8] = []
        for start in stride(from: 0, to: source.count, by: 256) {
            for unit in try source.units(Array(start..<min(start + 256, source.count))) { fingerprinter.mix(unit, scratch: &bytes) }
        }
        return fingerprinter.value
    }

    /// XXH64 chained over the version, spec and layout, then one unit hash at a time.
    struct Fingerprinter {
        var hash: UInt64

        init(spec: String, worldSize: Int, batchSize: Int?, collateVersion: String) {
            let head = "collate=\(collateVersion)\u{0}\(spec)\u{0}world_size=\(worldSize) batch_size=\(batchSize.map(String.init) ?? "all")\u{0}"
            hash = XXHash64.hash(Array(head.utf8))
        }

        /// 16 lowercase hex digits.
        var value: String {
            let digits = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }

        /// Chains one unit's hash (XXH64 of its ``ExampleSpool`` bytes) after the units before it.
        mutating func mix(unitHash: UInt64) {
            let pair = (hash.littleEndian, unitHash.littleEndian)
            hash = withUnsafeBytes(of: pair) { XXHash64.hash($0, seed: XXHash64.prime5) }
        }

        /// Chains one unit, hashed over its ``ExampleSpool`` bytes (built in `scratch`).
        mutating func mix(_ example: Example, scratch: inout [UInt8]) {
            scratch.removeAll(keepingCapacity: true)
            ExampleSpool.encode(example, into: &scratch)
            mix(unitHash: XXHash64.hash(scratch))
        }
    }
}
