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
    }

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
        /// The examples' 0-based line numbers in the dataset file, when the exporter knows them.
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
        // The old index goes before the first shard is touched: a run stopped midway must not
        // leave an index that calls shards of another dataset complete.
        let indexURL = directory.appendingPathComponent("index.json")
        try Self.invalidateIndex(indexURL)
        let perRank = DistributedSampler.samplesPerRank(count: examples.count, worldSize: worldSize, dropLast: false)
        let size = batchSize ?? max(perRank, 1)
        var summary = Summary(index: indexURL)
        var shards: [Shard] = []
        var dtypes: [(String, String)] = []
        var batchCounts: [(folder: URL, count: Int)] = []
        for rank in 0..<worldSize {
            let sampler = try DistributedSampler(count: examples.count, rank: rank, worldSize: worldSize, batchSize: size, shuffle: false)
            let rankFolder = String(format: "rank-%05d", rank)
            let rankURL = directory.appendingPathComponent(rankFolder)
            try Self.makeFolder(rankURL)
            // Temporary files of a run that was killed mid-write are never renamed: clear them.
            for name in (try? fileManager.contentsOfDirectory(atPath: rankURL.path)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                try? fileManager.removeItem(at: rankURL.appendingPathComponent(name))
            }
            let rankBatches = sampler.batches(epoch: 0)
            batchCounts.append((rankURL, rankBatches.count))
            for (number, indices) in rankBatches.enumerated() {
                let file = rankFolder + "/" + String(format: "batch-%06d.safetensors", number)
                let url = directory.appendingPathComponent(file)
                var shard = Shard(file: file, rank: rank, batch: number, examples: indices, tokens: indices.reduce(0) { $0 + examples[$1].inputIDs.count })
                if let lines, lines.count == examples.count { shard.lines = indices.map { lines[$0] } }
                shards.append(shard)
                summary.shards += 1
                if let existing = try? SafetensorsFile(contentsOf: url), existing.metadata == metadata(for: shard) {
                    summary.skipped += 1
                    if dtypes.isEmpty { dtypes = zip(existing.batch.names, existing.batch.tensors).map { ($0, $1.dtype.safetensorsName) } }
                    continue
                }
                var batch: Batch
                do {
                    // A seeded collator gets the shard's position in the export, not its own call
                    // count: a resumed run skips the complete shards, and the rest must still get
                    // the masks of an uninterrupted run.
                    if let seeded = collator as? any StepSeededCollator<Batch> {
                        batch = try seeded.collate(indices.map { examples[$0] }, step: UInt64(shards.count - 1))
                    } else {
                        batch = try collator.collate(indices.map { examples[$0] })
                    }
                } catch {
                    throw LoaderError.collation(error, example: error.exampleIndex.map { indices[$0] })
                }
                batch = try transforms.applyBatchTransforms(batch)
                if dtypes.isEmpty { dtypes = zip(batch.names, batch.tensors).map { ($0, $1.dtype.safetensorsName) } }
                try SafetensorsFile(batch: batch, metadata: metadata(for: shard)).write(to: url)
                summary.written += 1
            }
        }
        let index = JSONValue.object(JSONObject([
            ("format", .string("collate-safetensors-shards")),
            ("version", .integer(1)),
            ("fingerprint", .string(fingerprint)),
            ("collate_version", .string(CollateVersion.current)),
            ("world_size", .integer(Int64(worldSize))),
            ("batch_size", batchSize.map { .integer(Int64($0)) } ?? .null),
            ("examples", .integer(Int64(examples.count))),
            ("batches_per_rank", .integer(Int64(shards.count / max(worldSize, 1)))),
            ("tensors", .object(JSONObject(dtypes.map { ($0.0, JSONValue.string($0.1)) }))),
            ("shards", .array(shards.map { shard in
                .object(JSONObject([
                    ("file", .string(shard.file)), ("rank", .integer(Int64(shard.rank))), ("batch", .integer(Int64(shard.batch))),
                    ("examples", .array(shard.examples.map { .integer(Int64($0)) })), ("tokens", .integer(Int64(shard.tokens))),
                ] + Self.linesEntry(shard)))
            })),
        ]))
        try AtomicFile.write(Array((index.jsonText + "\n").utf8), to: summary.index)
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
        if mkdir(url.path, 0o755) != 0, errno != EEXIST {
            throw AtomicFile.WriteError(path: url.path, step: "making the folder", code: errno)
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

    private func metadata(for shard: Shard) -> [String: String] {
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

    /// `[("lines", [...])]` when the shard knows its examples' line numbers, else empty.
    private static func linesEntry(_ shard: Shard) -> [(key: String, value: JSONValue)] {
        shard.lines.map { [("lines", .array($0.map { .integer(Int64($0)) }))] } ?? []
    }

    /// A fingerprint of everything that decides the shards' contents: FNV-1a over Collate's
    /// version (a collator fixed in an upgrade writes other shards), the examples' fields and
    /// values, the spec text and the layout.
    /// - Parameter collateVersion: The version that writes the shards; the running one by default.
    /// - Complexity: O(*N*) in the dataset's tokens.
    public static func fingerprint(
        examples: [Example], spec: String, worldSize: Int, batchSize: Int?, collateVersion: String = CollateVersion.current
    ) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mixByte(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        func mix(_ text: String) {
            for byte in text.utf8 { mixByte(byte) }
            mixByte(0)
        }
        func mix(_ value: Int32) {
            withUnsafeBytes(of: value.littleEndian) { for byte in $0 { mixByte(byte) } }
        }
        mix("collate=\(collateVersion)")
        mix(spec)
        mix("world_size=\(worldSize) batch_size=\(batchSize.map(String.init) ?? "all")")
        for example in examples {
            for (name, value) in zip(example.names, example.values) {
                mix(name)
                switch value {
                case .sequence(let tokens):
                    mixByte(1)
                    mix(Int32(clamping: tokens.count))
                    for token in tokens { mix(token) }
                case .scalar(let scalar):
                    mixByte(2)
                    mix(scalar)
                case .null:
                    mixByte(3)
                case .float(let value):
                    mixByte(4)
                    mix(Int32(bitPattern: value.bitPattern))
                case .bool(let flag):
                    mixByte(5)
                    mixByte(flag ? 1 : 0)
                }
            }
            mixByte(0xFF)
        }
        return String(hash, radix: 16)
    }
}
