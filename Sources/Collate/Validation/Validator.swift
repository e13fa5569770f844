/// Checks a training pipeline — examples, collator, batch transforms, backend — and reports
/// every mismatch as a ``Diagnostic`` before a batch reaches the model.
///
/// Validation runs in two phases. ``validate(_:collator:backend:)`` reads the examples'
/// schema and both contracts without building a batch; per-example rules report every
/// offending example, not just the first. ``validate(batch:index:exampleIndices:collator:backend:)``
/// checks a produced batch, catching what a contract did not declare (a third-party collator,
/// a batch transform). ``Pipeline`` runs both and refuses to start on any error.
///
/// ```
///   examples ──► schema + contract rules ──► collator ──► transforms ──► batch rules ──► backend
///                 (no batch built yet)                                   (each batch)
/// ```
///
/// ```swift
/// let validator = Validator(options: .init(strict: [.padMasksEOS]))
/// let diagnostics = validator.validate(examples, collator: collator.contract, backend: model.contract)
/// if diagnostics.containsErrors { diagnostics.forEach { print($0) } }
/// ```
public struct Validator: Sendable {
    /// Settings that change what the rules report.
    public struct Options: Sendable, Hashable {
        /// Warning codes reported as errors (strict mode), e.g. `[.padMasksEOS]`.
        public var strict: Set<Diagnostic.Code>
        /// The length examples are truncated to before collation, when an example transform
        /// truncates; sequences are then measured after truncation.
        public var truncation: Int?

        /// Creates options.
        public init(strict: Set<Diagnostic.Code> = [], truncation: Int? = nil) {
            self.strict = strict
            self.truncation = truncation
        }

        /// Strict mode for every warning code.
        public static var strictAll: Options { Options(strict: Set(Diagnostic.Code.allCases.filter { $0.defaultSeverity == .warning })) }
    }

    /// The built-in rules, one per code of the Diagnostics article's table (TemplateTokensMissingRule needs its markers and is added by the caller), in the order they report,
    /// followed by the task's ``additionalRules``.
    public static var standardRules: [any ValidationRule] {
        [
            MissingLabelsRule(), MissingFieldRule(), EmptyExampleRule(), RaggedLabelsRule(),
            LabelsOverwrittenRule(), TemplateNotFoundRule(), NoTrainableTokensRule(), PadMasksEOSRule(),
            TokenOutOfRangeRule(), ExceedsMaxLengthRule(), LeftPaddingInTrainingRule(),
            PackingWithoutBoundariesRule(), LabelsPreshiftedRule(),
        ] + additionalRules
    }

    /// Third-party rules every validator built from ``standardRules`` in this task runs too
    /// (empty unless scoped), so code that builds its own validator — a command, a
    /// ``Pipeline`` with the default validator — runs a package's rules without being changed:
    ///
    /// ```swift
    /// try Validator.$additionalRules.withValue([PrefixTooLongRule()]) {
    ///     try pipeline.run(examples, batchSize: 8)   // reports prefix-lm/prefix-too-long too
    /// }
    /// ```
    @TaskLocal public static var additionalRules: [any ValidationRule] = []

    /// The rules run, in order.
    public var rules: [any ValidationRule]
    /// The options.
    public var options: Options

    /// Creates a validator.
    public init(rules: [any ValidationRule] = Validator.standardRules, options: Options = Options()) {
        self.rules = rules
        self.options = options
    }

    /// Checks examples against the collator's and the backend's contracts, before any batch is built.
    ///
    /// - Returns: Every diagnostic, dataset-level ones (``Diagnostic/example`` `nil`) first, then
    ///   by example index; warnings named in ``Options/strict`` are errors.
    /// - Complexity: O(*N*) in the total number of tokens.
    public func validate(_ examples: [Example], collator: CollatorContract, backend: BackendContract) -> [Diagnostic] {
        let context = ValidationContext(examples: examples, collator: collator, backend: backend, options: options)
        return finish(rules.flatMap { $0.check(context) })
    }

    /// Checks one produced batch (after batch transforms).
    /// - Parameters:
    ///   - batch: The batch.
    ///   - index: Its 0-based index, for messages.
    ///   - exampleIndices: The examples it was built from, for messages.
    ///   - collator: The collator's contract.
    ///   - backend: The backend's contract.
    /// - Complexity: O(*B* × *L*).
    public func validate(batch: Batch, index: Int = 0, exampleIndices: Range<Int>? = nil, collator: CollatorContract, backend: BackendContract) -> [Diagnostic] {
        let context = BatchValidationContext(batchIndex: index, exampleIndices: exampleIndices, collator: collator, backend: backend, options: options)
        return finish(rules.flatMap { $0.check(batch: batch, context) })
    }

    /// Applies strict mode and orders the diagnostics.
    private func finish(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var raised = diagnostics
        for index in raised.indices where options.strict.contains(raised[index].code) {
            raised[index].severity = .error
        }
        // Stable: dataset-level first, then by example; rule order within each.
        return raised.enumerated().sorted { lhs, rhs in
            let left = lhs.element.example ?? -1
            let right = rhs.element.example ?? -1
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
