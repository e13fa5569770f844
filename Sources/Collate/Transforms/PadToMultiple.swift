/// Pads every token-level tensor of a batch so its length is a multiple of `multiple`
/// (tensor-core friendly shapes, or a packed row padded to the full capacity).
///
/// Token-level tensors are the 2-D ones as wide as `input_ids`. Padding values: `input_ids`
/// the pad id, `labels` the label pad id (ignored by the loss), `attention_mask` 0,
/// `position_ids` 0, 1, 2, ... (the padding forms its own pseudo-sequence), `seq_idx` one more
/// than the row's last sequence, anything else 0. For a padding-free batch, `cu_seq_lens_q/k`
/// gain the padding run as one more sequence (a final boundary on the right; on the left a
/// leading one, the others shifted) in either layout (transformers' [n], TRL's [1, n]), and
/// `max_length_q/k` cover it, so flash-attention varlen kernels treat the padding as a separate
/// sequence that attends to nothing real.
///
/// Spec type `pad-to-multiple`; keys `multiple` (required), `pad_token_id` (default 0),
/// `label_pad_token_id` (default -100), `padding_side` (default `"right"`).
public struct PadToMultiple: BatchTransform, Hashable {
    /// The length every row is rounded up to a multiple of.
    public var multiple: Int
    /// The id written into padded `input_ids`.
    public var padTokenID: Int32
    /// The value written into padded `labels`.
    public var labelPadTokenID: Int32
    /// Which side the padding goes on.
    public var side: PaddingSide

    /// Creates the transform.
    /// - Precondition: `multiple > 0` (the registry checks spec values before calling this).
    public init(multiple: Int, padTokenID: Int32 = 0, labelPadTokenID: Int32 = ignoreIndex, side: PaddingSide = .right) {
        precondition(multiple > 0, "PadToMultiple needs a positive multiple")
        self.multiple = multiple
        self.padTokenID = padTokenID
        self.labelPadTokenID = labelPadTokenID
        self.side = side
    }

    public var name: String { "pad-to-multiple" }

    public var description: String {
        var text = "pad-to-multiple(multiple: \(multiple), pad_token_id: \(padTokenID)"
        if labelPadTokenID != ignoreIndex { text += ", label_pad_token_id: \(labelPadTokenID)" }
        if side != .right { text += ", padding_side: \(side.rawValue)" }
        return text + ")"
    }

    /// Pads the batch.
    /// - Throws: ``TransformError`` when `input_ids` is missing or not 2-D.
    /// - Complexity: O(*B* × *L*) for each token-level tensor.
    public func apply(to batch: Batch) throws(TransformError) -> Batch {
        guard let inputIDs = batch["input_ids"] else { throw .missingTensor("input_ids", transform: name) }
        guard inputIDs.rank == 2 else { throw .wrongShape("input_ids", shape: inputIDs.shape, expected: "2-D [batch, length]", transform: name) }
        let rows = inputIDs.shape[0], width = inputIDs.shape[1]
        let target = (width + multiple - 1) / multiple * multiple
        let extra = target - width
        guard extra > 0 else { return batch }

        var result = batch
        // Names first: a [1, n] `cu_seq_lens_*` (TRL's layout) can be exactly as wide as the row.
        let paddingFree = rows == 1 && batch.contains("cu_seq_lens_q")
        for (name, tensor) in zip(batch.names, batch.tensors) {
            if name.hasPrefix("cu_seq_lens_") {
                if paddingFree, let offsets = paddedOffsets(tensor, width: width, extra: extra) { result[name] = offsets }
            } else if name.hasPrefix("max_length_") {
                // Rank 0 (transformers) or [1] (TRL); the padding run is one more sequence.
                if paddingFree, tensor.scalars.count == 1, tensor.rank <= 1 {
                    result[name] = Tensor(shape: tensor.shape, scalars: [max(tensor.scalars[0], Int32(extra))], dtype: tensor.dtype)
                }
            } else if tensor.rank == 2, tensor.shape == [rows, width] {
                result[name] = padRows(tensor, name: name, rows: rows, width: width, extra: extra)
            }
        }
        return result
    }

    /// Sequence offsets `[0, ..., width]` (shape [n] or [1, n]) with the padding run as one more
    /// sequence: at the end on the right, at the front on the left; `nil` when they are not the
    /// offsets of this row.
    private func paddedOffsets(_ tensor: Tensor, width: Int, extra: Int) -> Tensor? {
        guard tensor.rank == 1 || (tensor.rank == 2 && tensor.shape[0] == 1),
              tensor.scalars.first == 0, tensor.scalars.last == Int32(width) else { return nil }
        let offsets = side == .right
            ? tensor.scalars + [Int32(width + extra)]
            : [0] + tensor.scalars.map { $0 + Int32(extra) }
        return Tensor(shape: tensor.rank == 1 ? [offsets.count] : [1, offsets.count], scalars: offsets, dtype: tensor.dtype)
    }

    private func padRows(_ tensor: Tensor, name: String, rows: Int, width: Int, extra: Int) -> Tensor {
        var scalars = [Int32]()
        scalars.reserveCapacity(rows * (width + extra))
        for row in 0..<rows {
            let values = tensor[row: row]
            let padding: [Int32]
            switch name {
            case "input_ids": padding = Array(repeating: padTokenID, count: extra)
            case "labels": padding = Array(repeating: labelPadTokenID, count: extra)
            case "position_ids": padding = (0..<extra).map { Int32($0) }
            case "seq_idx": padding = Array(repeating: (values.max() ?? -1) + 1, count: extra)
            default: padding = Array(repeating: 0, count: extra)
            }
            if side == .right {
                scalars.append(contentsOf: values)
                scalars.append(contentsOf: padding)
            } else {
                scalars.append(contentsOf: padding)
                scalars.append(contentsOf: values)
            }
        }
        return Tensor(shape: [rows, width + extra], scalars: scalars, dtype: tensor.dtype)
    }
}
