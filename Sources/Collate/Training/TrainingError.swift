import Foundation

/// Why a training step could not run; each case carries the values at fault and says how to fix it.
public enum TrainingError: Error, Sendable, Hashable {
    /// The backend returned no loss — HF's "The model did not return a loss from the inputs".
    case noLoss(step: Int, outputKeys: [String], inputKeys: [String])
    /// A step's accumulation window has no trained target, so its loss would be 0/0.
    case noTrainableTokens(step: Int)
    /// The loss is NaN or infinite.
    case nonFiniteLoss(Double, step: Int)
    /// There are no batches to train on.
    case noBatches
    /// A configuration value is out of range.
    case invalidConfiguration(String, value: String)
    /// The backend threw.
    case backendFailed(step: Int, message: String)
}

extension TrainingError: CustomStringConvertible {
    /// HF's exact text for a missing loss, then the cause and the fix.
    public var description: String {
        switch self {
        case let .noLoss(step, outputKeys, inputKeys):
            let hf = "The model did not return a loss from the inputs, only the following keys: \(outputKeys.joined(separator: ",")). "
                + "For reference, the inputs it received are \(inputKeys.joined(separator: ","))."
            let cause = inputKeys.contains("labels")
                ? "Cause (step \(step)): the batch has 'labels' but the backend computed no loss from them (labels null, or a model that ignores them)."
                : "Cause (step \(step)): the batch has no 'labels', so the model computed logits only — the collator made no labels for this dataset "
                    + "(e.g. DataCollatorWithPadding, or DataCollatorForSeq2Seq on examples without labels)."
            return hf + "\n" + cause + "\nFix: use the language-modeling collator (labels = input_ids with padding masked) or give every example "
                + "'labels'; run the Validator first (`collate validate --requires labels`), which reports this as missing-labels before step 1."
        case let .noTrainableTokens(step):
            return "step \(step): no label in the accumulation window differs from the ignore index, so the loss is 0/0 (NaN) and nothing is "
                + "trained. Fix: check the collator's masking (run the Validator: no-trainable-tokens, template-not-found)."
        case let .nonFiniteLoss(loss, step):
            return "step \(step): the loss is \(loss). Fix: lower the learning rate, or check the labels for out-of-range ids."
        case .noBatches:
            return "there are no batches to train on; give at least one example."
        case let .invalidConfiguration(name, value):
            return "training setting \(name) = \(value) is out of range; steps, accumulation and batch size must be at least 1 and the learning rate positive."
        case let .backendFailed(step, message):
            return "step \(step): the backend failed: \(message)"
        }
    }
}

extension TrainingError: LocalizedError {
    public var errorDescription: String? { description }
}
