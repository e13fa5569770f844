/// The numbers that say whether a batch trains what it should, and what padding costs.
public struct BatchStatistics: Sendable, Hashable {
    /// Rows of `input_ids`.
    public var rows: Int
    /// Positions of `input_ids` (rows × width), padding included.
    public var positions: Int
    /// Positions that are real tokens.
    public var realTokens: Int
    /// Label positions that are trained (not the ignore index), before the shift.
    public var trainedLabels: Int
    /// HF's `num_items_in_batch`: trained targets after the causal shift, packing boundaries
    /// excluded; for labels of their own length (decoder targets), every trained label.
    public var numItemsInBatch: Int

    /// Computes the statistics of `batch`.
    /// - Complexity: O(*B* × *L*).
    public init(batch: Batch, ignoreIndex: Int32 = Collate.ignoreIndex) {
        let inputs = batch["input_ids"]
        rows = inputs.map { $0.rank == 2 ? $0.shape[0] : 1 } ?? 0
        positions = batch.tokenCount
        realTokens = batch.realTokenCount
        trainedLabels = batch["labels"].map { $0.scalars.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) } } ?? 0
        numItemsInBatch = batch.numItemsInBatch(ignoreIndex: ignoreIndex)
    }

    /// Padding positions over all positions: the share of compute spent on nothing.
    public var paddingWaste: Double { positions == 0 ? 0 : Double(positions - realTokens) / Double(positions) }

    /// Trained label positions over real tokens.
    public var trainableFraction: Double { realTokens == 0 ? 0 : Double(trainedLabels) / Double(realTokens) }
}
