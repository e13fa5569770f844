/// Packed rows as slices of examples: which tokens of which example fill each row, in order.
///
/// Made by ``Packer/planRows(lengths:groupSize:)`` from lengths alone, so it is cheap to build
/// and to keep; ``PackedRows`` pairs it with the examples to produce the rows themselves.
/// Stored flat (one entry per segment, `rowStarts` marking where each row begins), like
/// ``PackingPlan``.
public struct PackedRowPlan: Sendable, Hashable {
    /// The strategy that made the plan.
    public let strategy: PackingStrategy
    /// Tokens per row at most.
    public let capacity: Int
    /// The example each segment comes from, segments grouped by row in row order.
    public let segmentExamples: [Int32]
    /// The first token of each segment within its example.
    public let segmentStarts: [Int32]
    /// The number of tokens of each segment (its entry of `seq_lengths`).
    public let segmentLengths: [Int32]
    /// `segmentExamples[rowStarts[r] ..< rowStarts[r + 1]]` are row `r`'s segments;
    /// `rowStarts.count == rowCount + 1`.
    public let rowStarts: [Int]

    /// Creates a plan from its flat parts.
    public init(strategy: PackingStrategy, capacity: Int, segmentExamples: [Int32], segmentStarts: [Int32], segmentLengths: [Int32], rowStarts: [Int]) {
        self.strategy = strategy
        self.capacity = capacity
        self.segmentExamples = segmentExamples
        self.segmentStarts = segmentStarts
        self.segmentLengths = segmentLengths
        self.rowStarts = rowStarts
    }

    /// The number of rows.
    public var rowCount: Int { rowStarts.count - 1 }

    /// The segment indices of row `index`.
    /// - Complexity: O(1).
    public func segments(ofRow index: Int) -> Range<Int> {
        rowStarts[index] ..< rowStarts[index + 1]
    }

    /// The total number of tokens in all rows.
    /// - Complexity: O(*s*) in the number of segments.
    public var tokens: Int { segmentLengths.reduce(0) { $0 + Int($1) } }

    /// Tokens over rows × capacity: 1.0 means no padding at all.
    public var efficiency: Double {
        rowCount == 0 ? 0 : Double(tokens) / (Double(rowCount) * Double(capacity))
    }

    /// Whether rows carry `seq_lengths` (every strategy but `wrapped`, which ignores boundaries).
    public var hasSequenceLengths: Bool { strategy != .wrapped }
}
