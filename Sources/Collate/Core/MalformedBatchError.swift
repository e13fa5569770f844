/// A batch a collator returned that no model, exporter or inspector can use: a tensor of the
/// wrong type, rank or batch size, a non-finite float, or a missing `input_ids`.
///
/// It is a bug in the collator, not in the data, so it names the collator and the tensor and
/// says what the tensor should have been. ``Batch/checkStructure(contract:exampleCount:)`` throws it;
/// the `collate` commands, ``Pipeline``, ``DataLoader`` and the shard exporter check every batch a
/// collator returns, so a third-party collator's mistake is an error here, not a crash or a
/// silently written shard.
public struct MalformedBatchError: Error, Sendable, Hashable {
    /// The collator's contract name.
    public var collator: String
    /// The tensor at fault, or `nil` for the batch as a whole.
    public var tensor: String?
    /// What is wrong, e.g. `"holds nan at [0, 3]"`.
    public var problem: String

    /// Creates the error.
    /// - Parameters:
    ///   - collator: The collator's contract name.
    ///   - tensor: The tensor at fault, or `nil` for the batch as a whole.
    ///   - problem: What is wrong, as a phrase that follows the tensor's name.
    public init(collator: String, tensor: String?, problem: String) {
        self.collator = collator
        self.tensor = tensor
        self.problem = problem
    }
}

extension MalformedBatchError: CustomStringConvertible {
    /// What happened and how to fix it.
    public var description: String {
        let subject = tensor.map { "'\($0)' " } ?? ""
        return "the \(collator) collator returned a malformed batch: \(subject)\(problem). "
            + "This is a bug in the collator, not in the data; CollatorConformance.verify in its tests reports it too"
    }
}
