import Collate
import Foundation

/// Encodes and writes shards on a thread of its own, so that writing one batch's file overlaps
/// reading and collating the next.
///
/// ```
///   export (caller's thread)                 ShardWriter thread
///   read units ─► collate ─► submit ──queue──► encode ─► write temporary ─► group commit
///                            (blocks while      (one buffer, one write)    (syncfs, renames,
///                             `capacity` wait)                              folder syncs)
/// ```
///
/// The queue holds at most `capacity` bytes of batches (always at least one batch), so memory
/// stays bounded by a few megabytes of batches, not the dataset. The two threads hand work over
/// in bulk, not batch by batch: the writer takes everything queued at once, and a caller that
/// found the queue full waits until it is half empty — on a busy machine every wake-up waits
/// for a time slice, so a batch-by-batch hand-over would cost more than the writing. The first
/// failure stops the writer; ``submit(_:metadata:to:)`` and ``finish()`` rethrow it.
/// ``finish()`` commits what was written (also after a failure: a re-run skips those shards).
///
/// A deferred writer (the pipelined export's) takes each shard's examples and collates them on
/// its thread (the caller collates while the writer is behind), and writes into hidden folders
/// (``AtomicFile/StagedFolders``, one per rank) with a placeholder for the fingerprint;
/// ``finish(replacingPlaceholderWith:)`` hands it the fingerprint — the shards still queued
/// are written with it in place — and the two threads patch the shards already written, from
/// both ends of their list; then the folders take their names.
///
/// ```
///   export (caller's thread)                       ShardWriter thread
///   read ─► parse ─► submit examples ──queue──►  collate ─► encode ─► write into .rank-R.TOKEN.tmp/
///   (collates itself while the writer is behind)
///   end: fingerprint ─► patch ──────────────────► write the rest ─► patch from the other end
///        ─► syncfs, rename each hidden folder to rank-R, sync the folder ─► index.json
/// ```
final class ShardWriter: @unchecked Sendable {
    // @unchecked: every stored property below the condition is read and written under it,
    // except `group`, `timings`, `indexEntries` and `dtypes`, which only the writer thread
    // touches before it sets `done` (and the caller after that), `callerCollateSeconds` (the
    // caller's alone), `patching` (set before the writer reads it) and the `let`s.

    private struct Job {
        /// The batch, or `nil` to have ``collate`` build it from ``members``.
        var batch: Batch?
        /// For a deferred writer, the examples to collate.
        var members: [Example] = []
        /// The shard's metadata, or `nil` to have ``exporter`` make it from ``shard``.
        var metadata: [String: String]?
        var shard: ShardExporter.Shard?
        var folder: String
        var name: String
        var bytes: Int
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    /// In deferred mode, the jobs written, handed back for the caller to free.
    private var spent: [Job] = []
    private var queuedBytes = 0
    private var callerWaits = false
    private var writerWaits = false
    private var closed = false
    private var done = false
    private var failure: (any Error)?
    /// In deferred mode, the export's fingerprint once the caller knows it: the writer then
    /// writes it in place of the placeholder.
    private var fingerprint: [UInt8]?
    /// In deferred mode, the shards written with the placeholder (hidden folder, name and the
    /// placeholder's offset) that the caller has not yet taken to patch.
    private var unpatched: [(folder: Int, name: String, offset: Int)] = []
    /// In deferred mode, once the fingerprint is handed over: the shards to patch, shared by
    /// the caller (from `patchStart` up) and the writer (from `patchEnd` down). The list itself
    /// is set before the writer may read it and not changed after.
    private var patching: [(folder: Int, name: String, offset: Int)] = []
    private var patchStart = 0
    private var patchEnd = 0
    private let capacity: Int
    private let groupBytes: Int
    private let groupFiles: Int
    private var group = AtomicFile.Group()
    private var timings = ShardExporter.Timings()
    /// In deferred mode, the bytes every shard's header holds in place of the export's
    /// fingerprint (not known until the last example is read): no shard is named until
    /// ``finish(replacingPlaceholderWith:)`` has overwritten them all.
    private let placeholder: [UInt8]?
    /// In deferred mode, the hidden folders (one per rank) the shards are written in.
    private let staging: AtomicFile.StagedFolders?
    /// In deferred mode, builds a shard's batch from its examples (collator, structure check,
    /// batch transforms) on the writer thread.
    private let collate: (([Example], ShardExporter.Shard) throws -> Batch)?
    /// In deferred mode, each tensor's name and safetensors dtype, from the first batch built;
    /// the caller reads them once ``finish(replacingPlaceholderWith:)`` returned.
    private(set) var dtypes: [(String, String)] = []
    /// In deferred mode, the seconds the caller spent collating (only the caller's thread
    /// touches it), added to the timings at the end.
    private var callerCollateSeconds = 0.0
    /// In deferred mode, makes the metadata of shards submitted with ``submit(_:shard:folder:name:)``
    /// (its fingerprint is the placeholder).
    private let exporter: ShardExporter?
    /// In deferred mode, each rank's `index.json` entries (comma-separated JSON text) of the
    /// shards submitted with ``submit(_:shard:folder:name:)``, in submission order; the caller
    /// reads them once ``finish(replacingPlaceholderWith:)`` returned.
    private(set) var indexEntries: [[UInt8]] = []

    /// Starts the writer thread.
    /// - Parameters:
    ///   - capacity: Bytes of batches (their tensors' elements) that may wait to be written.
    ///   - groupBytes: Bytes written before a group commit.
    ///   - groupFiles: Files written before a group commit.
    ///   - exporter: For a deferred writer, the export whose ``ShardExporter/fingerprint`` is
    ///     a placeholder (each header must hold it): the writer makes the shards' metadata and
    ///     index entries, and the shards are named only by ``finish(replacingPlaceholderWith:)``,
    ///     all together.
    ///   - staging: For a deferred writer, the hidden folders to write each rank's shards in
    ///     (folder *r* for rank *r*); they take their names at ``finish(replacingPlaceholderWith:)``.
    ///   - collate: For a deferred writer, builds a shard's batch from its examples; what it
    ///     throws stops the writer and is rethrown to the caller.
    init(capacity: Int = 32 << 20, groupBytes: Int, groupFiles: Int, deferring exporter: ShardExporter? = nil,
         staging: AtomicFile.StagedFolders? = nil, collate: (([Example], ShardExporter.Shard) throws -> Batch)? = nil) {
        self.capacity = max(capacity, 1)
        self.groupBytes = groupBytes
        self.groupFiles = groupFiles
        self.exporter = exporter
        self.staging = exporter == nil ? nil : staging
        self.collate = collate
        placeholder = exporter.map { Array($0.fingerprint.utf8) }
        if let exporter { indexEntries = Array(repeating: [], count: exporter.worldSize) }
        let thread = Thread { [self] in run() }
        thread.name = "collate-shard-writer"
        thread.start()
    }

    /// Queues a batch to be encoded with `metadata` and written to `url`; when the queue is
    /// full, waits until the writer has emptied half of it.
    /// - Throws: The writer's first failure (a full disk), if it has failed.
    func submit(_ batch: Batch, metadata: [String: String], to url: URL) throws {
        try submit(batch, metadata: metadata, folder: url.deletingLastPathComponent().path, name: url.lastPathComponent)
    }

    /// Queues a batch to be written to the file `name` in `folder`, as ``submit(_:metadata:to:)``.
    /// - Throws: The writer's first failure (a full disk), if it has failed.
    func submit(_ batch: Batch, metadata: [String: String], folder: String, name: String) throws {
        try submit(Job(batch: batch, metadata: metadata, shard: nil, folder: folder, name: name, bytes: 0))
    }

    /// For a deferred writer: queues a shard's examples, which the writer thread collates
    /// (``collate``), encodes with the metadata and index entry it makes from `shard` (work
    /// taken off the reading thread) and writes as `name` in the hidden folder of the shard's rank.
    /// - Throws: The writer's first failure (a full disk, a batch the collator refused), if it has failed.
    ///
    /// While the writer is behind (half its queue or more waits), the caller collates the
    /// examples itself instead of waiting for room: the two threads share the collation as
    /// their loads require (the writer's share grows on a machine where writing costs more).
    func submit(_ members: [Example], shard: ShardExporter.Shard, name: String) throws {
        guard let collate, isBehind else {
            try submit(Job(batch: nil, members: members, metadata: nil, shard: shard, folder: "", name: name, bytes: 0))
            return
        }
        let start = ContinuousClock.now
        let batch = try collate(members, shard)
        let duration = ContinuousClock.now - start
        callerCollateSeconds += Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        try submit(Job(batch: batch, metadata: nil, shard: shard, folder: "", name: name, bytes: 0))
    }

    /// Patches shards of ``patching`` a few at a time — from the front (the caller) or from the
    /// back (the writer, once its queue is empty) — until the two meet.
    /// - Returns: The first failure, or `nil`.
    private func patchShare(fromFront: Bool, with replacement: [UInt8], staging: AtomicFile.StagedFolders) -> (any Error)? {
        while true {
            condition.lock()
            let range = fromFront ? patchStart..<min(patchEnd, patchStart + 64) : max(patchStart, patchEnd - 64)..<patchEnd
            if fromFront { patchStart = range.upperBound } else { patchEnd = range.lowerBound }
            condition.unlock()
            if range.isEmpty { return nil }
            for index in range {
                let (folder, name, offset) = patching[index]
                do {
                    try staging.patch(name, inFolder: folder, at: offset, with: replacement)
                } catch {
                    // The other side stops too: nothing is left to take.
                    condition.lock()
                    patchStart = patchEnd
                    condition.unlock()
                    return error
                }
            }
        }
    }

    /// Whether half the queue's capacity or more waits to be written.
    private var isBehind: Bool {
        condition.lock()
        defer { condition.unlock() }
        return queuedBytes >= capacity / 2
    }

    private func submit(_ job: Job) throws {
        var job = job
        // Its encoded size (for examples not yet collated, their sequences widened to int64),
        // and at least a page: a batch of empty tensors still holds its metadata, so a flood
        // of them must fill the queue too.
        let encodedSize = job.batch.map { $0.tensors.reduce(0) { $0 + $1.count * $1.dtype.safetensorsItemSize } }
            ?? job.members.reduce(0) { total, example in
                example.values.reduce(total) { if case .sequence(let tokens) = $1 { $0 + tokens.count * 8 } else { $0 } }
            }
        let bytes = max(encodedSize, 4096)
        var written: [Job] = []
        condition.lock()
        // The writer always makes progress (or fails, which wakes us): each wait ends when it
        // has written half the queue; the timed wait only rechecks.
        if queuedBytes > 0, queuedBytes + bytes > capacity {
            while queuedBytes > capacity / 2, failure == nil, !done {
                callerWaits = true
                _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
            }
            callerWaits = false
        }
        if let failure {
            condition.unlock()
            throw failure
        }
        job.bytes = bytes
        queue.append(job)
        queuedBytes += bytes
        swap(&written, &spent)
        if writerWaits { condition.broadcast() }
        condition.unlock()
        // Freed here, on the thread that allocated the examples.
        written.removeAll()
    }

    /// Writes what is queued, commits the last group and stops the thread.
    /// - Returns: Where the writer's time went (encode, write, sync) and the bytes written.
    /// - Throws: The writer's first failure.
    func finish() throws -> ShardExporter.Timings {
        try stop()
        return timings
    }

    /// For a deferred writer: hands the writer `replacement` (the fingerprint, as long as the
    /// placeholder) for the shards still queued, overwrites the placeholder of those already
    /// written on this thread meanwhile, then — once the writer is done — makes all the shards
    /// durable and gives the hidden folders their names; after a failure, removes the hidden
    /// folders instead (no shard is named).
    /// - Returns: Where the writer's time went; the patching and naming count as syncing.
    /// - Throws: The writer's first failure, or the patch's or commit's.
    func finish(replacingPlaceholderWith replacement: [UInt8]) throws -> ShardExporter.Timings {
        guard let staging, let placeholder, replacement.count == placeholder.count else {
            abandon()
            throw AtomicFile.WriteError(path: staging?.parent ?? "", step: "finish", code: EINVAL, detail: "not a deferred shard writer, or a fingerprint unlike its placeholder (a bug)")
        }
        let start = ContinuousClock.now
        condition.lock()
        fingerprint = replacement
        swap(&patching, &unpatched)
        patchEnd = patching.count
        closed = true
        condition.broadcast()
        condition.unlock()
        do {
            // The writer patches from the other end once it has written what is queued.
            let patchFailure = patchShare(fromFront: true, with: replacement, staging: staging)
            try stop()
            if let patchFailure { throw patchFailure }
            try staging.commit()
            timings.collateSeconds += callerCollateSeconds
            let duration = ContinuousClock.now - start
            timings.syncSeconds += Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            return timings
        } catch {
            staging.discard()
            throw error
        }
    }

    /// The writer's first failure, if it has failed (once ``abandon()`` returned: the first
    /// failure over everything that was queued).
    var failed: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Stops the thread without naming anything: the temporaries (or hidden folders) written are removed.
    func abandon() {
        _ = try? stop()
        group.discard()
        staging?.discard()
    }

    /// Lets the writer write what is queued (nothing more is submitted) and waits for its end.
    private func stop() throws {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !done { _ = condition.wait(until: Date(timeIntervalSinceNow: 1)) }
        if let failure { throw failure }
    }

    private func run() {
        let clock = ContinuousClock()
        func commit() throws {
            let start = clock.now
            try group.commit()
            timings.syncSeconds += Self.seconds(clock.now - start)
        }
        var jobs: [Job] = []
        // In deferred mode, the fingerprint once the caller handed it over.
        var known: [UInt8]?
        writing: while true {
            condition.lock()
            while queue.isEmpty, !closed {
                writerWaits = true
                _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
            }
            writerWaits = false
            guard !queue.isEmpty else {
                condition.unlock()
                break
            }
            swap(&jobs, &queue)
            known = fingerprint
            condition.unlock()
            for index in jobs.indices {
                do {
                    try write(jobs[index], fingerprint: known, clock: clock)
                    if placeholder == nil, group.bytes >= groupBytes || group.count >= groupFiles { try commit() }
                } catch {
                    condition.lock()
                    failure = error
                    queue.removeAll()
                    queuedBytes = 0
                    condition.broadcast()
                    condition.unlock()
                    break writing
                }
                condition.lock()
                queuedBytes -= jobs[index].bytes
                // While the writer is behind, the examples go back to the caller's thread, which
                // allocated them, to be freed there (a free from another thread costs malloc
                // more: here, and in the caller's next allocations); while it keeps up, it has
                // the time to free them itself, off the caller's thread.
                let handBack = exporter != nil && queuedBytes >= capacity / 4
                if handBack { spent.append(jobs[index]) }
                if callerWaits, queuedBytes <= capacity / 2 { condition.broadcast() }
                condition.unlock()
                jobs[index] = Job(batch: nil, metadata: nil, shard: nil, folder: "", name: "", bytes: 0)
            }
            jobs.removeAll(keepingCapacity: true)
        }
        // A deferred writer that wrote everything helps the caller patch the shards written
        // before the fingerprint was known.
        condition.lock()
        let replacement = failure == nil ? fingerprint : nil
        condition.unlock()
        if let replacement, let staging, let patchFailure = patchShare(fromFront: false, with: replacement, staging: staging) {
            condition.lock()
            if failure == nil { failure = patchFailure }
            condition.unlock()
        }
        // The shards written so far become durable and named even after a failure (a deferred
        // writer's wait for their placeholder: ``finish(replacingPlaceholderWith:)``).
        do {
            if placeholder == nil { try commit() }
        } catch {
            condition.lock()
            if failure == nil { failure = error }
            condition.unlock()
        }
        timings.writerCPUSeconds = ShardWriter.threadCPUSeconds()
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Encodes and writes one job (on the writer thread); in deferred mode, collates it first
    /// when the caller did not, and writes `fingerprint` in place of the placeholder once known.
    private func write(_ job: Job, fingerprint known: [UInt8]?, clock: ContinuousClock) throws {
        var encodeStart = clock.now
        var bytes: [UInt8]
        if let shard = job.shard, let exporter {
            let batch: Batch
            if let given = job.batch {
                batch = given
            } else if let collate {
                batch = try collate(job.members, shard)
                let collated = clock.now
                timings.collateSeconds += Self.seconds(collated - encodeStart)
                encodeStart = collated
            } else {
                throw AtomicFile.WriteError(path: job.name, step: "collate", code: EINVAL, detail: "a deferred shard writer without a collator (a bug)")
            }
            if dtypes.isEmpty { dtypes = zip(batch.names, batch.tensors).map { ($0, $1.dtype.safetensorsName) } }
            let (metadataEntry, indexEntry) = exporter.shardText(shard)
            if !indexEntries[shard.rank].isEmpty { indexEntries[shard.rank] += Array(", ".utf8) }
            indexEntries[shard.rank] += indexEntry
            bytes = try SafetensorsFile.encode(batch, metadataEntry: metadataEntry)
        } else {
            bytes = try SafetensorsFile(batch: job.batch ?? Batch(), metadata: job.metadata ?? [:]).encoded()
        }
        let writeStart = clock.now
        if let placeholder, let staging, let rank = job.shard?.rank {
            let offset = try Self.offset(of: placeholder, inHeaderOf: bytes, for: staging.targets[rank] + "/" + job.name)
            if let known { bytes.replaceSubrange(offset..<(offset + known.count), with: known) }
            try bytes.withUnsafeBytes { try staging.write($0, name: job.name, inFolder: rank) }
            if known == nil {
                // Patched by the caller once it knows the fingerprint — or now, if it handed
                // the fingerprint over while this shard was written.
                condition.lock()
                let late = fingerprint
                if late == nil { unpatched.append((rank, job.name, offset)) }
                condition.unlock()
                if let late { try staging.patch(job.name, inFolder: rank, at: offset, with: late) }
            }
        } else {
            try group.write(bytes, folder: job.folder, name: job.name)
        }
        timings.encodeSeconds += Self.seconds(writeStart - encodeStart)
        timings.writeSeconds += Self.seconds(clock.now - writeStart)
        timings.bytes += bytes.count
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Where `placeholder` starts in the safetensors header of `bytes` (the first occurrence).
    /// - Throws: ``AtomicFile/WriteError`` when the header does not hold it (a bug, not bad input).
    static func offset(of placeholder: [UInt8], inHeaderOf bytes: [UInt8], for path: String) throws -> Int {
        let found = bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard buffer.count >= 8, !placeholder.isEmpty else { return nil }
            let headerLength = Int(truncatingIfNeeded: UnsafeRawBufferPointer(buffer).loadUnaligned(as: UInt64.self).littleEndian)
            let end = min(buffer.count, 8 &+ max(headerLength, 0)) - placeholder.count
            guard end >= 8 else { return nil }
            let first = placeholder[0]
            var position = 8
            while position <= end {
                if buffer[position] == first, placeholder.indices.allSatisfy({ buffer[position + $0] == placeholder[$0] }) { return position }
                position += 1
            }
            return nil
        }
        guard let found else {
            throw AtomicFile.WriteError(path: path, step: "encode", code: EINVAL, detail: "its header lacks the fingerprint's placeholder")
        }
        return found
    }

    /// The CPU time the calling thread has used (user and system), in seconds: what the work
    /// cost, apart from the time slices a busy machine gives to other processes.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
