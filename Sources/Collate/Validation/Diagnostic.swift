/// One finding of the ``Validator``: a stable code, a severity, the example at fault and a
/// message that says what happened, why it breaks training and how to fix it.
///
/// ```swift
/// let diagnostics = Validator().validate(examples, collator: collator.contract, backend: model.contract)
/// for diagnostic in diagnostics where diagnostic.severity == .error { print(diagnostic) }
/// // error[missing-labels]: padding collator ...
/// ```
public struct Diagnostic: Sendable, Hashable {
    /// The stable identifier of a rule; its raw value is the stable code string (the Diagnostics article's table).
    public enum Code: String, Sendable, Hashable, CaseIterable, Comparable {
        /// The backend requires `labels` and neither the examples nor the collator provide them.
        case missingLabels = "missing-labels"
        /// The collator or backend needs a field that an example lacks or holds as null.
        case missingField = "missing-field"
        /// `labels` and `input_ids` differ in length where they must be aligned.
        case raggedLabels = "ragged-labels"
        /// The examples' own `labels` would be replaced by the collator.
        case labelsOverwritten = "labels-overwritten"
        /// Labels are masked by pad id and that id is also a real token (pad == eos).
        case padMasksEOS = "pad-masks-eos"
        /// An example or a batch has no label other than the ignore index.
        case noTrainableTokens = "no-trainable-tokens"
        /// A completion template does not occur in an example.
        case templateNotFound = "template-not-found"
        /// A token id is negative or not below the vocabulary size.
        case tokenOutOfRange = "token-out-of-range"
        /// An example has no tokens.
        case emptyExample = "empty-example"
        /// Left padding in a pipeline that trains.
        case leftPaddingInTraining = "left-padding-in-training"
        /// A padding-free batch goes to a backend that cannot honour its boundaries.
        case packingWithoutBoundaries = "packing-without-boundaries"
        /// Labels are already shifted while the backend shifts them again.
        case labelsPreshifted = "labels-preshifted"
        /// A chat format's or template's marker is not one token of the tokenizer.
        case templateTokensMissing = "template-tokens-missing"
        /// A sequence is longer than the backend's or the padding's maximum.
        case exceedsMaxLength = "exceeds-max-length"

        /// The severity the rule reports with unless strict mode raises it.
        public var defaultSeverity: Severity {
            switch self {
            case .padMasksEOS, .leftPaddingInTraining, .labelsPreshifted: .warning
            default: .error
            }
        }

        public static func < (lhs: Code, rhs: Code) -> Bool {
            (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
        }
    }

    /// How bad a finding is.
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// Training would run but lose something (tokens never trained, wasted compute).
        case warning
        /// Training cannot produce a correct loss; the pipeline refuses to start.
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    /// The rule that fired.
    public var code: Code
    /// How bad it is.
    public var severity: Severity
    /// What happened, which example, why it breaks training, and the fix.
    public var message: String
    /// The 0-based index of the example at fault (the JSONL line index), or `nil` for findings
    /// about the whole dataset, the contracts or a batch.
    public var example: Int?

    /// Creates a diagnostic; `severity` defaults to the code's ``Code/defaultSeverity``.
    public init(_ code: Code, severity: Severity? = nil, message: String, example: Int? = nil) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.message = message
        self.example = example
    }
}

extension Diagnostic: CustomStringConvertible {
    /// The diagnostic as one human-readable line: `error[missing-labels]: ...` (the message names the example).
    public var description: String {
        "\(severity.rawValue)[\(code.rawValue)]: \(message)"
    }
}

extension Sequence where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    /// - Complexity: O(*n*).
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// The error-level diagnostics.
    /// - Complexity: O(*n*).
    public var errors: [Diagnostic] { filter { $0.severity == .error } }

    /// The warning-level diagnostics.
    /// - Complexity: O(*n*).
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
}
