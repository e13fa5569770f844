/// Adds `position_ids` to a batch that lacks them.
///
/// The positions follow the batch's layout:
/// - padding-free (`cu_seq_lens_q` or `seq_idx` present): 0, 1, 2, ... restarting at every
///   sequence boundary, as `DataCollatorWithFlattening` makes them;
/// - padded with `attention_mask`: HF's generation rule `cumsum(mask) - 1`, with masked
///   positions set to 1, so left padding still starts every sequence at 0;
/// - otherwise 0 ..< L in every row.
///
/// A batch that already has `position_ids` is returned unchanged unless `overwrite` is set.
///
/// Spec type `position-ids`; key `overwrite` (default false).
public struct PositionIDs: BatchTransform, Hashable {
    /// Whether to replace existing `position_ids`.
    public var overwrite: Bool

    /// Creates the transform.
    public init(overwrite: Bool = false) {
        self.overwrite = overwrite
    }

    public var name: String { "position-ids" }

    public var description: String { overwrite ? "position-ids(overwrite: true)" : "position-ids" }

    /// Adds the positions.
    /// - Throws: ``TransformError`` when `input_ids` is missing or not 2-D.
    /// - Complexity: O(*B* × *L*).
    public func apply(to batch: Batch) throws(TransformError) -> Batch {
        if batch.contains("position_ids"), !overwrite { return batch }
        guard let inputIDs = batch["input_ids"] else { throw .missingTensor("input_ids", transform: name) }
        guard inputIDs.rank == 2 else { throw .wrongShape("input_ids", shape: inputIDs.shape, expected: "2-D [batch, length]", transform: name) }
        let rows = inputIDs.shape[0], width = inputIDs.shape[1]
        var positions = [Int32](repeating: 0, count: rows * width)
        let sequenceIndex = batch["seq_idx"].flatMap { $0.shape == inputIDs.shape ? $0.scalars : nil }
        let isPaddingFree = batch.contains("cu_seq_lens_q") || sequenceIndex != nil
        if let mask = batch["attention_mask"], mask.shape == inputIDs.shape, !isPaddingFree {
            for row in 0..<rows {
                var running: Int32 = 0
                for column in 0..<width {
                    let offset = row * width + column
                    running += mask.scalars[offset] != 0 ? 1 : 0
                    positions[offset] = mask.scalars[offset] != 0 ? running - 1 : 1
                }
            }
        } else {
            var starts = batch.sequenceStarts(rows: rows, width: width)
            if let sequenceIndex {
                for offset in starts.indices where offset % width != 0 && sequenceIndex[offset] != sequenceIndex[offset - 1] { starts[offset] = true }
            }
            for row in 0..<rows {
                var position: Int32 = 0
                for column in 0..<width {
                    if column == 0 || starts[row * width + column] { position = 0 }
                    positions[row * width + column] = position
                    position += 1
                }
            }
        }
        var result = batch
        result["position_ids"] = Tensor(shape: [rows, width], scalars: positions)
        return result
    }
}
