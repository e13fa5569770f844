import Foundation

/// Why a ``Pipeline`` did not run.
public enum PipelineError: Error, Sendable, Hashable {
    /// Validation found at least one error; carries every diagnostic, warnings included.
    case rejected(ValidationFailure)
    /// The collator threw on a batch (example indices are the dataset's).
    case collationFailed(CollateError, batch: Int)
    /// A batch transform threw.
    case transformFailed(batch: Int, message: String)
    /// The collator returned a malformed batch (``MalformedBatchError``: a ragged or non-finite
    /// tensor, a wrong dtype or batch dimension). A collator's own failure is
    /// ``CollateError/collatorFailed(collator:example:reason:)``, reported as ``collationFailed(_:batch:)``.
    case collatorFailed(batch: Int, message: String)
    /// The backend threw on a batch.
    case backendFailed(batch: Int, message: String)
    /// Training failed after validation passed.
    case training(TrainingError)
    /// The batch size is below 1.
    case invalidBatchSize(Int)

    /// The diagnostics when the pipeline was rejected, otherwise empty.
    public var diagnostics: [Diagnostic] {
        if case .rejected(let failure) = self { return failure.diagnostics }
        return []
    }
}

extension PipelineError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .rejected(let failure): failure.description
        case let .collationFailed(error, batch): "batch \(batch): \(error)"
        case let .transformFailed(batch, message): "batch \(batch): a batch transform failed: \(message)"
        case let .collatorFailed(batch, message): "batch \(batch): the collator failed: \(message)"
        case let .backendFailed(batch, message): "batch \(batch): the backend failed: \(message)"
        case .training(let error): error.description
        case .invalidBatchSize(let size): "batch size \(size) is invalid; use 1 or more"
        }
    }
}

extension PipelineError: LocalizedError {
    public var errorDescription: String? { description }
}
