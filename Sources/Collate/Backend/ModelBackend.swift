/// A model that takes ``Batch``es: the reference Swift LM, an external PyTorch worker, or a
/// user's own (MLX, ...).
///
/// A backend declares a ``BackendContract``; the ``Validator`` checks pipelines against it so a
/// mismatch is a diagnostic before the first step rather than a failure inside it.
public protocol ModelBackend {
    /// What the backend requires and accepts.
    var contract: BackendContract { get }

    /// Runs the model on one batch.
    ///
    /// Like an HF model, a backend returns a loss only when it can compute one (typically when
    /// the batch has `labels`); it does not throw for a missing loss — the ``Trainer`` does.
    /// - Throws: an error naming the bad input when the batch cannot be run at all.
    func forward(_ batch: Batch) throws -> ModelOutput
}

/// A backend that can be trained: it accumulates gradients over micro-batches and then takes
/// one optimizer step, as HF's `Trainer` does with gradient accumulation.
///
/// ```swift
/// var model = ReferenceLanguageModel(vocabSize: 64)
/// let items = batch.numItemsInBatch()
/// let output = try model.accumulateGradients(batch, numItemsInBatch: items)
/// model.step(learningRate: 1e-2)
/// ```
public protocol TrainableBackend: ModelBackend {
    /// Runs the model on one micro-batch and adds the gradient of its loss to the gradients
    /// accumulated since the last ``step(learningRate:)``.
    ///
    /// The loss is the *sum* of the per-token losses divided by `numItemsInBatch`, the number of
    /// trained tokens over the whole accumulation window (HF's `num_items_in_batch`), so the
    /// micro-batch losses add up to the window's mean. When the backend cannot compute a loss
    /// (no `labels`) it returns an output without one and accumulates nothing.
    /// - Parameters:
    ///   - batch: The micro-batch.
    ///   - numItemsInBatch: The window's trained-token count; `nil` means this batch's own count.
    /// - Throws: an error naming the bad input when the batch cannot be run.
    mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput

    /// Applies the accumulated gradients with the backend's optimizer and clears them.
    ///
    /// A backend whose step cannot fail (the reference model) implements it without `throws`.
    /// - Throws: an error when the optimizer step failed (a worker ran out of memory, exited,
    ///   or timed out); the ``Trainer`` stops at that step instead of reporting it as taken.
    mutating func step(learningRate: Double) throws
}
