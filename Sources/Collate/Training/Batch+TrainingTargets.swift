extension Batch {
    /// For every position of `input_ids`, the label its logits are trained to predict after the
    /// causal shift, or `ignoreIndex` where nothing is trained.
    ///
    /// Position *t* of a row predicts `labels[t + 1]` of the same row. A target is dropped when
    /// it is the ignore index or when position *t + 1* starts a new sequence of a packed row
    /// (`position_ids` restarting at 0 after a real token, or an offset in `cu_seq_lens_q`):
    /// the last token of one example must not be trained to predict the first of the next.
    /// With `shifted: false` (a backend that does not shift), position *t* predicts `labels[t]`.
    ///
    /// - Returns: `B × L` targets in row-major order; empty when the batch has no `labels`
    ///   aligned with `input_ids`.
    /// - Complexity: O(*B* × *L*).
    public func trainingTargets(ignoreIndex: Int32 = Collate.ignoreIndex, shifted: Bool = true) -> [Int32] {
        guard let inputs = self["input_ids"], let labels = self["labels"], labels.shape == inputs.shape, inputs.rank >= 1 else { return [] }
        let rows = inputs.rank == 2 ? inputs.shape[0] : 1
        let width = inputs.rank == 2 ? inputs.shape[1] : inputs.scalars.count
        let starts = sequenceStarts(rows: rows, width: width)
        var targets = [Int32](repeating: ignoreIndex, count: rows * width)
        for row in 0..<rows {
            let base = row * width
            for t in 0..<width {
                let source = shifted ? t + 1 : t
                guard source < width else { continue }
                let label = labels.scalars[base + source]
                if label == ignoreIndex || (shifted && starts[base + source]) { continue }
                targets[base + t] = label
            }
        }
        return targets
    }

    /// HF's `num_items_in_batch` for this batch: the number of trained targets after the shift,
    /// packing boundaries excluded (see ``trainingTargets(ignoreIndex:shifted:)``).
    ///
    /// Labels of their own length (a shape other than `input_ids`'s: an encoder-decoder's decoder
    /// targets, a span-corruption collator's `.generatedTargets`) are not shifted by the model's
    /// loss, so every label other than `ignoreIndex` counts, whatever `shifted` says — as HF's
    /// Trainer counts `labels.ne(-100)` for a model whose loss does not shift.
    /// - Complexity: O(*B* × *L*).
    public func numItemsInBatch(ignoreIndex: Int32 = Collate.ignoreIndex, shifted: Bool = true) -> Int {
        if let labels = self["labels"], let inputs = self["input_ids"], labels.shape != inputs.shape {
            return labels.scalars.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        }
        return trainingTargets(ignoreIndex: ignoreIndex, shifted: shifted).reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    }

    /// The number of real (non-padding) tokens: the ones of `attention_mask`, or every
    /// `input_ids` position when there is no mask (padding-free batches).
    /// - Complexity: O(*B* × *L*).
    public var realTokenCount: Int {
        guard let mask = self["attention_mask"], mask.shape == self["input_ids"]?.shape else { return tokenCount }
        return mask.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    }

    /// For every position, whether a new sequence starts there inside a row (never at column 0).
    ///
    /// A start is a `position_ids` value of 0 whose predecessor is a real token (so left padding,
    /// whose pads HF numbers 1, is not a boundary), or an offset listed in `cu_seq_lens_q` for a
    /// single-row batch without `position_ids`.
    /// - Complexity: O(*B* × *L*).
    public func sequenceStarts(rows: Int, width: Int) -> [Bool] {
        var starts = [Bool](repeating: false, count: rows * width)
        if let positions = self["position_ids"], positions.scalars.count == rows * width {
            let mask = self["attention_mask"].flatMap { $0.scalars.count == rows * width ? $0.scalars : nil }
            for row in 0..<rows {
                let base = row * width
                for t in 1..<max(width, 1) where positions.scalars[base + t] == 0 {
                    if mask.map({ $0[base + t - 1] != 0 }) ?? true { starts[base + t] = true }
                }
            }
        } else if rows == 1, let offsets = self["cu_seq_lens_q"] {
            for offset in offsets.scalars where offset > 0 && Int(offset) < width { starts[Int(offset)] = true }
        }
        return starts
    }
}
