import Collate
import Foundation

/// One way a collator breaks the ``CollatorConformance`` requirements: which requirement,
/// on which sample batch, and what was seen.
public struct ConformanceViolation: Sendable, Hashable, CustomStringConvertible {
    /// The requirement broken.
    public enum Requirement: String, Sendable, Hashable, CaseIterable {
        /// The contract is inconsistent, or the batch holds other fields than it declares.
        case contract
        /// The collator threw on examples that satisfy its contract.
        case acceptsValidExamples = "accepts-valid-examples"
        /// Collating changed the examples passed in.
        case noMutation = "no-mutation"
        /// Collating the same examples twice gave different batches.
        case deterministic
        /// Padding (or the padding-free layout) does not follow ``Collate/CollatorContract/layout``.
        case layout
        /// `labels` do not follow ``Collate/CollatorContract/labelSource`` and the masking it declares.
        case labels
        /// A tensor no model can read: a NaN or infinite float, token ids or token labels that are
        /// not integers, an `input_ids` that is not `[rows, L]`, or tensors whose batch
        /// dimensions disagree (``Collate/Batch/structuralProblems(contract:exampleCount:)``,
        /// which the `collate` commands also check).
        case tensors
        /// An example missing a required field, or an empty batch, was not rejected with a
        /// ``Collate/CollateError`` naming the example and field.
        case errors
    }

    /// The requirement broken.
    public var requirement: Requirement
    /// The index of the sample batch it was seen on, or `nil` for the contract or error checks.
    public var sample: Int?
    /// What was seen, with tensor, row and position where they apply.
    public var message: String

    /// Creates a violation.
    public init(_ requirement: Requirement, sample: Int? = nil, _ message: String) {
        self.requirement = requirement
        self.sample = sample
        self.message = message
    }

    /// `[labels] sample 2: labels row 1, position 3: ...`.
    public var description: String {
        "[\(requirement.rawValue)]" + (sample.map { " sample \($0)" } ?? "") + ": " + message
    }
}

/// Thrown by ``CollatorConformance/verify(_:options:)``: the collator's name and every violation.
public struct ConformanceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The collator's contract name.
    public var collator: String
    /// Every violation found.
    public var violations: [ConformanceViolation]

    /// Creates a failure.
    public init(collator: String, violations: [ConformanceViolation]) {
        self.collator = collator
        self.violations = violations
    }

    /// Every violation under a one-line summary naming the collator.
    public var description: String {
        let count = violations.count
        return (["collator '\(collator)' breaks \(count) conformance requirement\(count == 1 ? "" : "s"):"]
            + violations.map { "  " + $0.description }).joined(separator: "\n")
    }
}

extension ConformanceFailure: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }
}
