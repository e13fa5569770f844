/// One check of the ``Validator``, in the style of a swift-format rule: a type per rule, its
/// diagnostic messages as named factories beside it.
///
/// A rule may look at the pipeline before any batch exists (``check(_:)``: examples' schema,
/// the collator's and the backend's contracts) and at each produced batch
/// (``check(batch:_:)``), which catches what a contract failed to declare. Both default to
/// reporting nothing, so a third-party rule writes only the phase it needs.
public protocol ValidationRule: Sendable {
    /// The code this rule reports.
    var code: Diagnostic.Code { get }

    /// Checks the examples against the collator's and the backend's contracts, before any
    /// batch is built. Per-example rules report every offending example.
    /// - Complexity: O(*N*) in the total number of tokens for the built-in rules.
    func check(_ context: ValidationContext) -> [Diagnostic]

    /// Checks one produced batch (after batch transforms).
    /// - Complexity: O(*B* × *L*) for the built-in rules.
    func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic]
}

// MARK: - Default implementations

extension ValidationRule {
    /// Reports nothing.
    public func check(_ context: ValidationContext) -> [Diagnostic] { [] }

    /// Reports nothing.
    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] { [] }
}

/// What a rule sees before any batch is built: the examples and both contracts, with the
/// labels the collator would produce for each example computed once and shared.
public struct ValidationContext: Sendable {
    /// The examples, indexed as the diagnostics report them.
    public let examples: [Example]
    /// What the collator requires and produces.
    public let collator: CollatorContract
    /// What the backend requires and accepts.
    public let backend: BackendContract
    /// The validator's options.
    public let options: Validator.Options
    /// For each example, the `labels` row the collator would produce for it (unpadded), or
    /// `nil` when it produces no token labels for it.
    public let prospectiveLabels: [[Int32]?]

    /// Creates a context and computes each example's prospective labels.
    /// - Complexity: O(*N*) in the total number of tokens (O(*N* × *T*) for a template of length *T* in the worst case).
    public init(examples: [Example], collator: CollatorContract, backend: BackendContract, options: Validator.Options = .init()) {
        self.examples = examples
        self.collator = collator
        self.backend = backend
        self.options = options
        self.prospectiveLabels = examples.map { _ProspectiveLabels.labels(of: $0, contract: collator) }
    }

    /// The collator as messages name it: `the seq2seq collator (transformers DataCollatorForSeq2Seq)`.
    public var collatorPhrase: String { collator.phrase }

    /// Whether a label value is trained by the loss (neither the collator's nor the backend's ignore index).
    public func isTrainable(_ label: Int32) -> Bool {
        label != backend.ignoreIndex && label != collator.ignoreIndex
    }
}

/// What a rule sees for one produced batch.
public struct BatchValidationContext: Sendable {
    /// The 0-based index of the batch.
    public let batchIndex: Int
    /// The indices of the examples the batch was built from, when known.
    public let exampleIndices: Range<Int>?
    /// What the collator requires and produces.
    public let collator: CollatorContract
    /// What the backend requires and accepts.
    public let backend: BackendContract
    /// The validator's options.
    public let options: Validator.Options

    /// Creates a batch context.
    public init(batchIndex: Int, exampleIndices: Range<Int>?, collator: CollatorContract, backend: BackendContract, options: Validator.Options = .init()) {
        self.batchIndex = batchIndex
        self.exampleIndices = exampleIndices
        self.collator = collator
        self.backend = backend
        self.options = options
    }

    /// The batch as messages name it: `batch 3 (examples 24..<32)`.
    public var batchPhrase: String {
        guard let exampleIndices else { return "batch \(batchIndex)" }
        return "batch \(batchIndex) (examples \(exampleIndices.lowerBound)..<\(exampleIndices.upperBound))"
    }
}

extension CollatorContract {
    /// The collator as messages name it: `the seq2seq collator (transformers DataCollatorForSeq2Seq)`.
    var phrase: String { reference.isEmpty ? "the \(name) collator" : "the \(name) collator (\(reference))" }

    /// Whether the collator takes `labels` from the examples.
    var usesExampleLabels: Bool { labelSource == .examples || labelSource == .examplesOrInputIDs }

    /// Whether the collator makes token labels from `input_ids`, replacing any the examples carry.
    var replacesExampleLabels: Bool {
        switch labelSource {
        case .copyOfInputIDs, .completionOfInputIDs, .maskedTokens, .maskedInputIDs, .generatedTargets: true
        default: false
        }
    }
}
