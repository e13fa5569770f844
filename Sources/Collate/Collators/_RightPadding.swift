// Right padding for the TRL 1.x collators (`sft`, `reward`, `unpaired-preference`), which
// always pad on the right with TRL's `pad` (`trl.trainer.utils.pad`) semantics.

/// A [rows.count, width] tensor, each row followed by `value` up to `width`.
func _rightPadded(_ rows: [[Int32]], width: Int, value: Int32) -> Tensor {
    var scalars = [Int32](repeating: value, count: rows.count * width)
    scalars.withUnsafeMutableBufferPointer { buffer in
        for (index, row) in rows.enumerated() {
            _ = row.withUnsafeBufferPointer { source in
                UnsafeMutableBufferPointer(rebasing: buffer[index * width ..< index * width + source.count]).update(fromContentsOf: source)
            }
        }
    }
    return Tensor(shape: [rows.count, width], scalars: scalars)
}

/// A [lengths.count, width] tensor of `value` over each row's first `lengths[row]` positions, 0 after.
func _rightMask(lengths: [Int], width: Int, value: Int32 = 1) -> Tensor {
    var scalars = [Int32](repeating: 0, count: lengths.count * width)
    scalars.withUnsafeMutableBufferPointer { buffer in
        for (index, length) in lengths.enumerated() {
            UnsafeMutableBufferPointer(rebasing: buffer[index * width ..< index * width + length]).update(repeating: value)
        }
    }
    return Tensor(shape: [lengths.count, width], scalars: scalars)
}

/// `length` rounded up to a multiple of `multiple`, as TRL's `pad` does.
func _rightPaddedWidth(_ length: Int, multiple: Int?) -> Int {
    guard let multiple, multiple > 0, length % multiple != 0 else { return length }
    return (length / multiple + 1) * multiple
}
