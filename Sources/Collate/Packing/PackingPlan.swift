/// The result of packing: which sequences share each bin.
///
/// Stored flat (`members` grouped by bin, `binStarts` marking where each bin begins) so a
/// million-sequence plan is three arrays rather than a hundred thousand small ones.
public struct PackingPlan: Sendable, Hashable {
    /// Sequence indices grouped by bin, each bin's members in the order they were placed.
    public let members: [Int]
    /// `members[binStarts[b] ..< binStarts[b + 1]]` are bin `b`'s sequences; `binStarts.count == binCount + 1`.
    public let binStarts: [Int]
    /// Tokens in each bin.
    public let loads: [Int]
    /// The bin capacity in tokens.
    public let capacity: Int

    /// Creates a plan from its flat parts.
    public init(members: [Int], binStarts: [Int], loads: [Int], capacity: Int) {
        self.members = members
        self.binStarts = binStarts
        self.loads = loads
        self.capacity = capacity
    }

    /// The number of bins.
    public var binCount: Int { loads.count }

    /// The sequence indices of bin `index`.
    /// - Complexity: O(1).
    public subscript(bin index: Int) -> ArraySlice<Int> {
        members[binStarts[index] ..< binStarts[index + 1]]
    }

    /// Every bin's sequence indices.
    /// - Complexity: O(*n*).
    public var bins: [[Int]] {
        (0..<binCount).map { Array(self[bin: $0]) }
    }

    /// The total number of tokens packed.
    public var tokens: Int { loads.reduce(0, +) }

    /// Tokens over bins × capacity: 1.0 means no padding at all.
    public var efficiency: Double {
        binCount == 0 ? 0 : Double(tokens) / (Double(binCount) * Double(capacity))
    }
}
