/// An open-addressing hash table from a pair of token ids to a merge (rank, new id):
/// the BPE hot path looks pairs up here millions of times.
struct _PairTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private var shift: UInt64
    private var mask: Int
    /// Number of pairs stored.
    private(set) var count = 0

    private static let empty = UInt64.max
    /// Returned by ``lookup(_:_:)`` when the pair is absent.
    static let notFound = UInt64.max

    /// A table sized for `capacity` pairs.
    init(capacity: Int) {
        var size = 16
        var bits: UInt64 = 4
        while size < capacity * 2 { size <<= 1; bits += 1 }
        keys = Array(repeating: Self.empty, count: size)
        values = Array(repeating: 0, count: size)
        shift = 64 - bits
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: left)) << 32) | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Stores (or overwrites) the merge of `left` and `right`.
    mutating func insert(_ left: Int32, _ right: Int32, rank: Int32, newID: Int32) {
        let key = Self.key(left, right)
        var index = slot(for: key)
        while keys[index] != Self.empty && keys[index] != key { index = (index + 1) & mask }
        if keys[index] == Self.empty { count += 1 }
        keys[index] = key
        values[index] = (UInt64(UInt32(bitPattern: rank)) << 32) | UInt64(UInt32(bitPattern: newID))
    }

    /// The merge of `left` and `right` packed as `rank << 32 | newID`, or ``notFound``.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 {
        let key = Self.key(left, right)
        return keys.withUnsafeBufferPointer { keys in
            var index = slot(for: key)
            while true {
                let stored = keys[index]
                if stored == key { return values[index] }
                if stored == Self.empty { return Self.notFound }
                index = (index + 1) & mask
            }
        }
    }
}
