/// A 4-ary min-heap of pending merges, each `rank << 32 | position`, so the smallest
/// entry is the lowest rank, leftmost first, as in HF's merge queue (also 4-ary).
struct _MergeHeap {
    private var keys: [UInt64] = []

    mutating func reserve(_ capacity: Int) {
        keys.reserveCapacity(capacity)
    }

    /// Appends without ordering; call ``heapify()`` before popping.
    /// - Parameter rank: A `_PairTable` lookup result (`rank << 32 | id`); the id is dropped.
    mutating func appendUnordered(rank: UInt64, position: Int32) {
        keys.append((rank & 0xFFFF_FFFF_0000_0000) | UInt64(UInt32(bitPattern: position)))
    }

    /// Orders the entries appended with ``appendUnordered(rank:position:)``.
    /// - Complexity: O(*n*).
    mutating func heapify() {
        let count = keys.count
        guard count > 1 else { return }
        keys.withUnsafeMutableBufferPointer { keys in
            var parent = (count - 2) / 4
            while parent >= 0 {
                Self.siftDown(keys, from: parent, count: count)
                parent -= 1
            }
        }
    }

    /// Adds an entry.
    /// - Parameter rank: A `_PairTable` lookup result (`rank << 32 | id`); the id is dropped.
    /// - Complexity: O(log *n*).
    mutating func push(rank: UInt64, position: Int32) {
        let key = (rank & 0xFFFF_FFFF_0000_0000) | UInt64(UInt32(bitPattern: position))
        keys.append(key)
        keys.withUnsafeMutableBufferPointer { keys in
            var child = keys.count - 1
            while child > 0 {
                let parent = (child - 1) / 4
                if keys[parent] <= key { break }
                keys[child] = keys[parent]
                child = parent
            }
            keys[child] = key
        }
    }

    /// Removes and returns the smallest entry.
    /// - Complexity: O(log *n*).
    mutating func pop() -> UInt64? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        let count = keys.count
        if count > 0 {
            keys.withUnsafeMutableBufferPointer { keys in
                keys[0] = last
                Self.siftDown(keys, from: 0, count: count)
            }
        }
        return top
    }

    @inline(__always)
    private static func siftDown(_ keys: UnsafeMutableBufferPointer<UInt64>, from start: Int, count: Int) {
        let key = keys[start]
        var parent = start
        while true {
            let first = 4 * parent + 1
            if first >= count { break }
            var best = first
            var bestKey = keys[first]
            let end = min(first + 4, count)
            var child = first + 1
            while child < end {
                let candidate = keys[child]
                if candidate < bestKey { best = child; bestKey = candidate }
                child += 1
            }
            if bestKey >= key { break }
            keys[parent] = bestKey
            parent = best
        }
        keys[parent] = key
    }
}
