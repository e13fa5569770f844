/// Adds `num_items_in_batch`: the number of label positions the loss trains, as a 0-d int64
/// tensor (what HF's Trainer passes to a model's loss so that gradient accumulation averages
/// over tokens, not over micro-batches).
///
/// A position counts when its label is not the ignore index *after the causal shift*: the
/// first label of every row is never predicted, and in a padding-free (flattened or packed)
/// batch neither is the first label of every sequence in the row (the boundaries come from
/// `position_ids` restarting at 0 after a real token, or `cu_seq_lens_q`). The count is the
/// training loop's ``Batch/numItemsInBatch(ignoreIndex:shifted:)``, which backends call directly.
///
/// Spec type `num-items-in-batch`; key `ignore_index` (default -100).
public struct NumItemsInBatch: BatchTransform, Hashable {
    /// The label value that is not trained.
    public var ignoreIndex: Int32

    /// Creates the transform.
    public init(ignoreIndex: Int32 = Collate.ignoreIndex) {
        self.ignoreIndex = ignoreIndex
    }

    public var name: String { "num-items-in-batch" }

    public var description: String {
        ignoreIndex == Collate.ignoreIndex ? "num-items-in-batch" : "num-items-in-batch(ignore_index: \(ignoreIndex))"
    }

    /// Adds (or replaces) `num_items_in_batch`.
    /// - Throws: ``TransformError`` when the batch has no 2-D `labels`.
    /// - Complexity: O(*B* × *L*).
    public func apply(to batch: Batch) throws(TransformError) -> Batch {
        var result = batch
        result["num_items_in_batch"] = Tensor(scalar: Int32(clamping: try Self.count(in: batch, ignoreIndex: ignoreIndex)))
        return result
    }

    /// The number of trained label positions of `batch` after the causal shift: the
    /// training loop's own count (``Batch/numItemsInBatch(ignoreIndex:shifted:)``), after checking
    /// that there are labels to count.
    /// - Parameters:
    ///   - batch: A batch with 2-D `labels`.
    ///   - ignoreIndex: The label value that is not trained.
    /// - Returns: The count of labels other than `ignoreIndex`, excluding every sequence's first label.
    /// - Throws: ``TransformError`` when the batch has no 2-D `labels`.
    /// - Complexity: O(*B* × *L*).
    public static func count(in batch: Batch, ignoreIndex: Int32 = Collate.ignoreIndex) throws(TransformError) -> Int {
        guard let labels = batch["labels"] else { throw .missingTensor("labels", transform: "num-items-in-batch") }
        guard labels.rank == 2, labels.shape == batch["input_ids"]?.shape else {
            throw .wrongShape("labels", shape: labels.shape, expected: "2-D [batch, length] token labels aligned with input_ids", transform: "num-items-in-batch")
        }
        return batch.numItemsInBatch(ignoreIndex: ignoreIndex)
    }
}
