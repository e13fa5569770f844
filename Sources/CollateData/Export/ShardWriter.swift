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
/// The queue holds at most `capacity` batches, so memory stays bounded by a few batches. The
/// first failure stops the writer; ``submit(_:metadata:to:)`` and ``finish()`` rethrow it.
/// ``finish()`` commits what was written (also after a failure: a re-run skips those shards).
final class ShardWriter: @unchecked Sendable {
    // @unchecked: every stored property below the condition is read and written under it,
    // except `group` and `timings`, which only the writer thread touches before it sets `done`.

    private struct Job {
        var batch: Batch
        var metadata: [String: String]
        var url: URL
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var closed = false
    private var done = false
    private var failure: (any Error)?
    private let capacity: Int
    private let groupBytes: Int
    private let groupFiles: Int
    private var group = AtomicFile.Group()
    private var timings = ShardExporter.Timings()

    /// Starts the writer thread.
    /// - Parameters:
    ///   - capacity: Batches that may wait to be written.
    ///   - groupBytes: Bytes written before a group commit.
    ///   - groupFiles: Files written before a group commit.
    init(capacity: Int = 4, groupBytes: Int, groupFiles: Int) {
        self.capacity = max(capacity, 1)
        self.groupBytes = groupBytes
        self.groupFiles = groupFiles
        let thread = Thread { [self] in run() }
        thread.name = "collate-shard-writer"
        thread.start()
    }

    /// Queues a batch to be encoded with `metadata` and written to `url`; waits while the queue is full.
    /// - Throws: The writer's first failure (a full disk), if it has failed.
    func submit(_ batch: Batch, metadata: [String: String], to url: URL) throws {
        condition.lock()
        defer { condition.unlock() }
        // The writer always makes progress (or fails, which wakes us): each wait ends when it
        // takes a job; the timed wait only rechecks.
        while queue.count >= capacity, failure == nil, !done { _ = condition.wait(until: Date(timeIntervalSinceNow: 1)) }
        if let failure { throw failure }
        queue.append(Job(batch: batch, metadata: metadata, url: url))
        condition.broadcast()
    }

    /// Writes what is queued, commits the last group and stops the thread.
    /// - Returns: Where the writer's time went (encode, write, sync) and the bytes written.
    /// - Throws: The writer's first failure.
    func finish() throws -> ShardExporter.Timings {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !done { _ = condition.wait(until: Date(timeIntervalSinceNow: 1)) }
        if let failure { throw failure }
        return timings
    }

    private func run() {
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        func commit() throws {
            let start = clock.now
            try group.commit()
            timings.syncSeconds += seconds(clock.now - start)
        }
        while true {
            condition.lock()
            while queue.isEmpty, !closed { _ = condition.wait(until: Date(timeIntervalSinceNow: 1)) }
            guard !queue.isEmpty else {
                condition.unlock()
                break
            }
            let job = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                let encodeStart = clock.now
                let bytes = try SafetensorsFile(batch: job.batch, metadata: job.metadata).encoded()
                let writeStart = clock.now
                try group.write(bytes, to: job.url)
                timings.encodeSeconds += seconds(writeStart - encodeStart)
                timings.writeSeconds += seconds(clock.now - writeStart)
                timings.bytes += bytes.count
                if group.bytes >= groupBytes || group.count >= groupFiles { try commit() }
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
                break
            }
        }
        // The shards written so far become durable and named even after a failure.
        do {
            try commit()
        } catch {
            condition.lock()
            if failure == nil { failure = error }
            condition.unlock()
        }
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }
}
