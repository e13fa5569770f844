/// A set of integers in `0...maximum` with O(log₆₄ *C*) insert, remove and "smallest member
/// ≥ x": a 64-ary tree of bit words (the top levels of a van Emde Boas layout).
///
/// Best-fit packing keeps the remaining capacities of its open bins here; finding the fullest
/// bin that still fits a sequence is one ``smallest(atLeast:)`` call.
struct _CapacitySet {
    /// `levels[0]` holds one bit per value; each higher level one bit per non-zero word below.
    private var levels: [[UInt64]]

    init(maximum: Int) {
        var levels: [[UInt64]] = []
        var count = maximum + 1
        repeat {
            let words = (count + 63) >> 6
            levels.append([UInt64](repeating: 0, count: words))
            count = words
        } while count > 1
        self.levels = levels
    }

    mutating func insert(_ value: Int) {
        var value = value
        for level in levels.indices {
            let word = value >> 6
            let wasEmpty = levels[level][word] == 0
            levels[level][word] |= 1 << UInt64(value & 63)
            if !wasEmpty { return }
            value = word
        }
    }

    mutating func remove(_ value: Int) {
        var value = value
        for level in levels.indices {
            let word = value >> 6
            levels[level][word] &= ~(1 << UInt64(value & 63))
            if levels[level][word] != 0 { return }
            value = word
        }
    }

    /// The smallest member ≥ `value`, or `nil`.
    func smallest(atLeast value: Int) -> Int? {
        // Climb until a word holds a set bit at or after the position, then descend to the lowest bit.
        var position = value
        var level = 0
        while level < levels.count {
            let word = position >> 6
            guard word < levels[level].count else { return nil }
            let masked = levels[level][word] & (~0 << UInt64(position & 63))
            if masked != 0 {
                position = (word << 6) | masked.trailingZeroBitCount
                while level > 0 {
                    level -= 1
                    position = (position << 6) | levels[level][position].trailingZeroBitCount
                }
                return position
            }
            // Nothing left in this word: continue from the next word, one level up.
            position = word + 1
            level += 1
        }
        return nil
    }
}
