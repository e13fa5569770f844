import Foundation

/// Why a ``BoundaryProbe`` could not measure, or why a ``ProbedBackend`` refused a batch.
public enum BoundaryProbeError: Error, Sendable, Hashable {
    /// The probe's sequences cannot be packed (fewer than two, or one shorter than two tokens).
    case invalidSequences(String)
    /// The backend threw on one of the probe's runs.
    case backendFailed(run: String, message: String)
    /// The backend returned neither logits nor a `token_losses` output; carries its output keys.
    case noComparableOutput(keys: [String])
    /// The backend returned NaN or an infinity where the probe compares (`value` is `nan`,
    /// `inf` or `-inf`; `position` is the token position within the run's sequence, counted
    /// from the sequence's start in the packed run too).
    case nonFiniteOutput(output: String, run: String, position: Int, value: String)
    /// An output's shape does not match the batch it was computed for.
    case unexpectedShape(output: String, shape: [Int], expected: String)
    /// A padding-free batch was sent to a backend that failed the probe; carries the
    /// `packing-without-boundaries` diagnostic with the measured difference.
    case refused(Diagnostic)
}

extension BoundaryProbeError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidSequences(let reason):
            "boundary probe: \(reason); give at least two sequences of two or more tokens"
        case let .backendFailed(run, message):
            "boundary probe: the backend failed on \(run): \(message)"
        case .noComparableOutput(let keys):
            "boundary probe: the backend returned only \(keys) — it needs logits or a 'token_losses' output to compare "
                + "(for the external worker, request token_losses)"
        case let .nonFiniteOutput(output, run, position, value):
            "boundary probe: the backend's \(output) for \(run) is \(value) at position \(position); a non-finite output cannot show "
                + "whether packed sequences stay apart, so the probe fails — check the model's dtype (float16 overflows), its weights "
                + "and the worker's loss"
        case let .unexpectedShape(output, shape, expected):
            "boundary probe: the backend's \(output) has shape \(shape), expected \(expected); the backend does not return one value per input position"
        case .refused(let diagnostic):
            diagnostic.description
        }
    }
}

extension BoundaryProbeError: LocalizedError {
    public var errorDescription: String? { description }
}
