/// Where sequences begin in a batch: at every row start, and for padding-free batches also
/// at each boundary recorded in `cu_seq_lens_q`, `seq_idx` or (without an attention mask)
/// `position_ids`, in that order of preference.
struct SequenceStarts {
    /// Whether the batch packs several sequences into one row.
    let isPaddingFree: Bool
    private let width: Int
    private var boundaries: Set<Int> = []
    private var sequenceIndex: Tensor?
    private var positions: Tensor?

    init(_ batch: Batch) {
        width = batch["input_ids"]?.shape.last ?? batch["labels"]?.shape.last ?? 0
        if let cumulative = batch["cu_seq_lens_q"], cumulative.rank == 1 {
            isPaddingFree = true
            boundaries = Set(cumulative.scalars.map(Int.init))
        } else if let index = batch["seq_idx"], index.rank == 2 {
            isPaddingFree = true
            sequenceIndex = index
        } else if let position = batch["position_ids"], position.rank == 2, !batch.contains("attention_mask") {
            isPaddingFree = true
            positions = position
        } else {
            isPaddingFree = false
        }
    }

    /// Whether a sequence starts at (`row`, `column`).
    func isStart(row: Int, column: Int) -> Bool {
        if column == 0 { return true }
        if !boundaries.isEmpty { return boundaries.contains(row * width + column) }
        if let sequenceIndex {
            let offset = row * width + column
            return offset < sequenceIndex.scalars.count && sequenceIndex.scalars[offset] != sequenceIndex.scalars[offset - 1]
        }
        if let positions {
            let offset = row * width + column
            return offset < positions.scalars.count && positions.scalars[offset] == 0
        }
        return false
    }
}
