/// One finding of the ``Validator``: a stable code, a severity, the example at fault and a
/// message that says what happened, why it breaks training and how to fix it.
///
/// ```swift
/// let diagnostics = Validator().validate(examples, collator: collator.contract, backend: model.contract)
/// for diagnostic in diagnostics where diagnostic.severity == .error { print(diagnostic) }
/// // error[missing-labels]: padding collator ...
/// ```
public struct Diagnostic: Sendable, Hashable {
    /// The stable identifier of a rule: its ``rawValue`` is the code string the text and JSON
    /// formats print (the Diagnostics article's table).
    ///
    /// The built-in codes are static members (`.missingLabels`, `.padMasksEOS`, ...). A
    /// third-party rule makes its own, namespaced by its package so it can never collide with a
    /// built-in or another package's code:
    ///
    /// ```swift
    /// extension Diagnostic.Code {
    ///     static let prefixTooLong = Diagnostic.Code(namespace: "prefix-lm", name: "prefix-too-long")
    /// }
    /// // prints as error[prefix-lm/prefix-too-long]: ..., and "code": "prefix-lm/prefix-too-long" in JSON
    /// ```
    public struct Code: RawRepresentable, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
        /// The code string, e.g. `"missing-labels"` or `"prefix-lm/prefix-too-long"`.
        public let rawValue: String
        /// The severity the rule reports with unless strict mode raises it.
        public let defaultSeverity: Severity

        private init(builtIn rawValue: String, _ severity: Severity = .error) {
            self.rawValue = rawValue
            self.defaultSeverity = severity
        }

        /// A third-party code, printed as `namespace/name`.
        ///
        /// Both parts should be lowercase words joined by hyphens (`prefix-lm`, `prefix-too-long`),
        /// as the built-in codes are; ``isWellFormed(_:)`` says whether a string is.
        /// - Parameters:
        ///   - namespace: The package's or collator's name, e.g. `"prefix-lm"`.
        ///   - name: The rule's name within it, e.g. `"prefix-too-long"`.
        ///   - defaultSeverity: The severity it reports with unless strict mode raises it.
        public init(namespace: String, name: String, defaultSeverity: Severity = .error) {
            self.rawValue = namespace + "/" + name
            self.defaultSeverity = defaultSeverity
        }

        /// The built-in code with this string, or a third-party code when `rawValue` is a
        /// well-formed `namespace/name` (reported at the error severity); `nil` otherwise, so a
        /// misspelt built-in code (`"missing-label"`) is not taken for a new one.
        /// - Parameter rawValue: The code string.
        public init?(rawValue: String) {
            if let builtIn = Self.allCases.first(where: { $0.rawValue == rawValue }) {
                self = builtIn
                return
            }
            guard let slash = rawValue.firstIndex(of: "/"),
                  Self.isWellFormed(String(rawValue[..<slash])), Self.isWellFormed(String(rawValue[rawValue.index(after: slash)...])) else { return nil }
            self.rawValue = rawValue
            self.defaultSeverity = .error
        }

        /// Whether `word` is lowercase ASCII letters and digits joined by single hyphens (`prefix-too-long`).
        /// - Parameter word: One part of a code (the namespace or the name).
        /// - Returns: `true` for a usable part.
        /// - Complexity: O(*n*) in the length of `word`.
        public static func isWellFormed(_ word: String) -> Bool {
            guard let first = word.unicodeScalars.first, let last = word.unicodeScalars.last, first != "-", last != "-", !word.contains("--") else { return false }
            return word.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }

        /// The code string.
        public var description: String { rawValue }

        /// Whether the text and JSON formats and strict mode can use the code: a built-in code, or
        /// a third-party `namespace/name` whose parts are both ``isWellFormed(_:)`` (so
        /// `Code(namespace: "", name: "")` or `Code(namespace: "my pkg", name: "Rule")` is not).
        /// `CollateTool` refuses extra rules whose code is not.
        /// - Complexity: O(*n*) in the length of the code.
        public var isWellFormed: Bool {
            if isBuiltIn { return true }
            let parts = rawValue.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && Self.isWellFormed(String(parts[0])) && Self.isWellFormed(String(parts[1]))
        }

        /// Whether this is one of Collate's own codes (``allCases``).
        public var isBuiltIn: Bool { Self.allCases.contains(self) }

        /// Codes are equal when their strings are.
        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.rawValue == rhs.rawValue }

        /// Hashes the code string.
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

        /// Built-in codes in table order, then third-party codes by their strings.
        public static func < (lhs: Code, rhs: Code) -> Bool {
            switch (allCases.firstIndex(of: lhs), allCases.firstIndex(of: rhs)) {
            case let (left?, right?): left < right
            case (_?, nil): true
            case (nil, _?): false
            case (nil, nil): lhs.rawValue < rhs.rawValue
            }
        }

        // MARK: - Built-in codes

        /// The backend requires `labels` and neither the examples nor the collator provide them.
        public static let missingLabels = Code(builtIn: "missing-labels")
        /// The collator or backend needs a field that an example lacks or holds as null.
        public static let missingField = Code(builtIn: "missing-field")
        /// `labels` and `input_ids` differ in length where they must be aligned.
        public static let raggedLabels = Code(builtIn: "ragged-labels")
        /// The examples' own `labels` would be replaced by the collator.
        public static let labelsOverwritten = Code(builtIn: "labels-overwritten")
        /// Labels are masked by pad id and that id is also a real token (pad == eos).
        public static let padMasksEOS = Code(builtIn: "pad-masks-eos", .warning)
        /// An example or a batch has no label other than the ignore index.
        public static let noTrainableTokens = Code(builtIn: "no-trainable-tokens")
        /// A completion template does not occur in an example.
        public static let templateNotFound = Code(builtIn: "template-not-found")
        /// A token id is negative or not below the vocabulary size.
        public static let tokenOutOfRange = Code(builtIn: "token-out-of-range")
        /// An example has no tokens.
        public static let emptyExample = Code(builtIn: "empty-example")
        /// Left padding in a pipeline that trains.
        public static let leftPaddingInTraining = Code(builtIn: "left-padding-in-training", .warning)
        /// A padding-free batch goes to a backend that cannot honour its boundaries.
        public static let packingWithoutBoundaries = Code(builtIn: "packing-without-boundaries")
        /// Labels are already shifted while the backend shifts them again.
        public static let labelsPreshifted = Code(builtIn: "labels-preshifted", .warning)
        /// A chat format's or template's marker is not one token of the tokenizer.
        public static let templateTokensMissing = Code(builtIn: "template-tokens-missing")
        /// A sequence is longer than the backend's or the padding's maximum.
        public static let exceedsMaxLength = Code(builtIn: "exceeds-max-length")
        /// A chat template has neither a generation prompt nor an end-of-turn marker after an
        /// assistant turn, so its assistant masks cannot be delimited.
        public static let templateTurnUndelimited = Code(builtIn: "template-turn-undelimited", .warning)

        /// Collate's own codes, in the order of the Diagnostics article's table; third-party codes are not listed.
        public static let allCases: [Code] = [
            .missingLabels, .missingField, .raggedLabels, .labelsOverwritten, .padMasksEOS, .noTrainableTokens,
            .templateNotFound, .tokenOutOfRange, .emptyExample, .leftPaddingInTraining, .packingWithoutBoundaries,
            .labelsPreshifted, .templateTokensMissing, .exceedsMaxLength, .templateTurnUndelimited,
        ]
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
