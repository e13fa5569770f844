/// Throughput of a ``DataLoader`` so far, as batches are handed to the consumer.
public struct LoaderProgress: Sendable, Hashable, CustomStringConvertible {
    /// Batches delivered.
    public var batches = 0
    /// Examples delivered.
    public var examples = 0
    /// Real tokens delivered: the examples' `input_ids`, before padding.
    public var tokens = 0
    /// Token slots delivered: the batches' `input_ids` elements, padding included.
    public var paddedTokens = 0
    /// Seconds since the first batch was requested.
    public var seconds = 0.0

    /// Creates empty progress.
    public init() {}

    /// Examples per second.
    public var examplesPerSecond: Double { seconds > 0 ? Double(examples) / seconds : 0 }
    /// Real tokens per second.
    public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    /// The fraction of token slots that are padding (0 for padding-free batches).
    public var paddingWaste: Double { paddedTokens > 0 ? 1 - Double(tokens) / Double(paddedTokens) : 0 }

    public var description: String {
        let waste = (paddingWaste * 1000).rounded() / 10
        return "\(batches) batches, \(examples) examples, \(Int(examplesPerSecond)) examples/s, \(Int(tokensPerSecond)) tokens/s, \(waste)% padding"
    }
}
