/// A segment tree over bins holding each bin's remaining capacity, answering "the first bin
/// with at least *x* left" in O(log *n*): first-fit packing's index.
struct _MaxTree {
    private var nodes: [Int32]
    private let leaves: Int

    /// A tree for up to `count` bins, all with 0 remaining.
    init(count: Int) {
        var leaves = 1
        while leaves < max(count, 1) { leaves <<= 1 }
        self.leaves = leaves
        nodes = [Int32](repeating: 0, count: 2 * leaves)
    }

    /// Sets bin `index`'s remaining capacity.
    mutating func set(_ index: Int, _ value: Int32) {
        var node = index + leaves
        nodes[node] = value
        node >>= 1
        while node >= 1 {
            nodes[node] = max(nodes[2 * node], nodes[2 * node + 1])
            node >>= 1
        }
    }

    /// The remaining capacity of bin `index`.
    func value(_ index: Int) -> Int32 { nodes[index + leaves] }

    /// The lowest-numbered bin with remaining capacity ≥ `needed`, or `nil`.
    func first(atLeast needed: Int32) -> Int? {
        guard nodes[1] >= needed else { return nil }
        var node = 1
        while node < leaves {
            node = nodes[2 * node] >= needed ? 2 * node : 2 * node + 1
        }
        return node - leaves
    }
}
