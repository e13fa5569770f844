/// Decides which examples form each batch, and in what order, for every epoch.
///
/// A sampler is a pure description: ``batches(epoch:)`` is a function of its configuration
/// and the epoch alone, so any position in training is reproduced exactly from a
/// ``SamplerState`` (epoch, batches consumed) — which is what makes resuming mid-epoch exact.
/// Iterate with a ``SamplerCursor``.
///
/// ```swift
/// var cursor = SamplerCursor(ShuffleSampler(count: 3000, batchSize: 16, seed: 42))
/// while let indices = cursor.next() { ... }
/// let saved = cursor.state                    // Codable: put it in the checkpoint
/// ```
public protocol Sampler: Sendable, CustomStringConvertible {
    /// The batches of one epoch, as example indices, in order.
    /// - Parameter epoch: The 0-based epoch (seeded samplers draw a new order per epoch).
    func batches(epoch: Int) -> [[Int]]
}

extension Array where Element == Int {
    /// The indices cut into batches of `size`; the last partial batch is kept unless `dropLast`.
    /// - Complexity: O(*n*).
    func batched(_ size: Int, dropLast: Bool) -> [[Int]] {
        var result: [[Int]] = []
        result.reserveCapacity(count / Swift.max(size, 1) + 1)
        var start = 0
        while start < count {
            let end = Swift.min(start + size, count)
            if end - start < size, dropLast { break }
            result.append(Array(self[start..<end]))
            start = end
        }
        return result
    }
}

/// Rejects a negative example count or a batch size below 1.
func _checkSamplerParameters(count: Int, batchSize: Int) throws(SamplerError) {
    guard count >= 0 else { throw .invalidParameter(name: "count", value: count, reason: "must not be negative") }
    guard batchSize >= 1 else { throw .invalidParameter(name: "batch_size", value: batchSize, reason: "must be at least 1") }
}
