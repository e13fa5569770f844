import Collate

/// A conformance suite any ``Collate/Collator`` can run against itself, under any test framework.
///
/// It checks that a collator
/// - **honours its contract**: the batch holds every field of `producedFields` and nothing
///   else but fields the examples carried in (and a `[B]` `labels` for class labels);
/// - **accepts examples that satisfy the contract** and **does not mutate** them;
/// - is **deterministic**: the same examples give the same batch;
/// - returns **tensors** a model can read: finite floats, integer token ids and labels,
///   `input_ids` of `[rows, L]` and tensors whose batch dimensions agree;
/// - **lays out** rows as ``Collate/CollatorContract/layout`` says: tokens on the declared
///   side, the pad id elsewhere, `attention_mask` 1 over tokens; padding-free batches are the
///   concatenation with `position_ids` / `cu_seq_lens_*` / `seq_idx` / `max_length_*` that match;
/// - makes **labels** as ``Collate/CollatorContract/labelSource`` says, with padding and
///   pad-id-masked positions at the ignore index;
/// - **rejects** an example missing a required field (absent, or `null`) with a
///   ``Collate/CollateError`` naming that example and field, and an empty batch with an error.
///
/// ```swift
/// @Test func myCollatorConforms() {
///     #expect(CollatorConformance.violations(of: MyCollator(padTokenID: 0)) == [])
/// }
/// // or, under XCTest or anywhere else:
/// try CollatorConformance.verify(MyCollator(padTokenID: 0))
/// ```
///
/// The sample batches come from ``samples(for:)`` unless ``Options/samples`` gives some.
public enum CollatorConformance {
    /// What the suite runs on and how strict it is.
    public struct Options: Sendable, Hashable {
        /// Batches of examples that satisfy the collator's contract; `nil` uses ``CollatorConformance/samples(for:)``.
        public var samples: [[Example]]?
        /// Whether a ``Collate/CollateError/missingField(_:example:collator:)`` must name the
        /// collator by its contract name (not the name of a collator it delegates to).
        public var checksCollatorNameInErrors: Bool

        /// Whether collating the same examples twice must give the same batch. Turn it off only
        /// for collators that are random by design and advance their generator per batch, as HF's
        /// masked-LM collator does (test their seeding separately).
        public var checksDeterminism: Bool

        /// Creates options.
        public init(samples: [[Example]]? = nil, checksCollatorNameInErrors: Bool = true, checksDeterminism: Bool = true) {
            self.samples = samples
            self.checksCollatorNameInErrors = checksCollatorNameInErrors
            self.checksDeterminism = checksDeterminism
        }
    }

    /// Runs every check and returns the violations; empty when the collator conforms.
    /// - Parameters:
    ///   - collator: The collator under test.
    ///   - options: Samples and strictness.
    /// - Returns: Every violation, contract checks first, then by sample, then error checks.
    /// - Complexity: O(*n*) in the tokens of the samples, times a few collations each.
    public static func violations<C: Collator>(of collator: C, options: Options = Options()) -> [ConformanceViolation] where C.Output == Batch {
        let contract = collator.contract
        var found = contractViolations(contract)
        let samples = options.samples ?? samples(for: contract)
        let origin = options.samples == nil
            ? "examples the suite generated from the contract (CollatorConformance.samples(for:))"
            : "examples given in Options.samples"
        for (index, examples) in samples.enumerated() {
            found += sampleViolations(collator, contract: contract, examples: examples, sample: index, checksDeterminism: options.checksDeterminism, origin: origin)
        }
        found += errorViolations(collator, contract: contract, samples: samples, options: options)
        return found
    }

    /// Runs every check and throws when any fails.
    /// - Throws: ``ConformanceFailure`` listing every violation.
    public static func verify<C: Collator>(_ collator: C, options: Options = Options()) throws(ConformanceFailure) where C.Output == Batch {
        let found = violations(of: collator, options: options)
        if !found.isEmpty { throw ConformanceFailure(collator: collator.contract.name, violations: found) }
    }

    // MARK: - Contract

    static func contractViolations(_ contract: CollatorContract) -> [ConformanceViolation] {
        var found: [ConformanceViolation] = []
        let declaresLabels = contract.producedFields.contains("labels")
        switch contract.labelSource {
        case .none:
            if declaresLabels {
                found.append(.init(.contract, "labelSource is .none but producedFields lists 'labels'; declare where the labels come from "
                                   + "(.generatedTargets for targets the collator makes itself, of their own length)"))
            }
        case .copyOfInputIDs, .completionOfInputIDs, .examples, .examplesOrInputIDs, .maskedTokens, .responsesOfPreferencePairs, .maskedInputIDs,
             .generatedTargets:
            if !declaresLabels {
                found.append(.init(.contract, "labelSource is .\(contract.labelSource) but producedFields does not list 'labels'"))
            }
        case .sequenceClassLabels:
            break
        }
        if contract.requiredFields.isEmpty {
            found.append(.init(.contract, "requiredFields is empty; list the fields every example must have (usually 'input_ids')"))
        }
        if contract.rowsPerExample < 1 {
            found.append(.init(.contract, "rowsPerExample is \(contract.rowsPerExample); every example makes at least one row"))
        }
        if let overlap = contract.requiredFields.first(where: contract.optionalFields.contains) {
            found.append(.init(.contract, "'\(overlap)' is listed as both required and optional"))
        }
        for field in contract.fieldKinds.keys.sorted() where !contract.requiredFields.contains(field) && !contract.optionalFields.contains(field) {
            found.append(.init(.contract, "fieldKinds declares '\(field)', which is neither a required nor an optional field"))
        }
        if case .maskedInputIDs(let rule) = contract.labelSource {
            for field in rule.fields where !contract.requiredFields.contains(field) {
                found.append(.init(.contract, "the label rule (\(rule)) reads '\(field)', which requiredFields does not list"))
            }
        }
        if contract.requiredTemplates.contains(where: \.isEmpty) {
            found.append(.init(.contract, "requiredTemplates holds an empty template, which matches everywhere"))
        }
        return found
    }

    // MARK: - One sample

    /// `example` with every sequence in newly allocated storage.
    static func deepCopy(_ example: Example) -> Example {
        var copy = Example(KeyValuePairs<String, Example.Value>())
        for (name, value) in zip(example.names, example.values) {
            switch value {
            case .sequence(let tokens):
                copy[name] = Example.Value.sequence([Int32](unsafeUninitializedCapacity: tokens.count) { buffer, count in
                    for (index, token) in tokens.enumerated() { buffer[index] = token }
                    count = tokens.count
                })
            case .scalar, .float, .bool, .null:
                copy[name] = value
            }
        }
        return copy
    }

    static func sampleViolations<C: Collator>(
        _ collator: C, contract: CollatorContract, examples: [Example], sample: Int, checksDeterminism: Bool,
        origin: String = "examples that satisfy the contract"
    ) -> [ConformanceViolation] where C.Output == Batch {
        // A deep copy, in storage of its own: `examples` and a plain copy share their buffers
        // (copy on write), so a collator that writes through an unsafe pointer into the
        // caller's arrays changes both alike and a plain `==` could never see it.
        let original = examples.map(Self.deepCopy)
        let batch: Batch
        do {
            batch = try collator.collate(examples)
        } catch {
            // Either the collator is wrong, or the examples are not what it needs and the contract does not say so.
            let fields = examples.first.map { describeFields($0) } ?? ""
            return [.init(.acceptsValidExamples, sample: sample,
                          "threw on \(examples.count) \(origin)\(fields): \(error). If the collator is right to reject them, "
                          + "its contract does not say what it needs: declare each field's kind in fieldKinds (e.g. [\"prefix_length\": .integer]) "
                          + "or pass Options(samples:)")]
        }
        var found: [ConformanceViolation] = []
        if examples != original {
            found.append(.init(.noMutation, sample: sample, "the examples passed in changed during collation (written through shared storage)"))
        }
        if checksDeterminism {
            do {
                let again = try collator.collate(original)
            if let mismatch = checkBatch(again, equals: ExpectedBatch(batch), options: .init(checksOrder: true)) {
                found.append(.init(.deterministic, sample: sample, "collating the same examples again gave a different batch:\n" + mismatch.description))
            }
            } catch {
                found.append(.init(.deterministic, sample: sample, "collating the same examples again threw: \(error)"))
            }
        }

        // Fields.
        let carried = Set(examples.flatMap(\.names))
        for name in contract.producedFields where !batch.contains(name) {
            found.append(.init(.contract, sample: sample, "producedFields lists '\(name)' but the batch has no '\(name)' (it has \(batch.names.joined(separator: ", ")))"))
        }
        for name in batch.names where !contract.producedFields.contains(name) && !carried.contains(name) {
            if name == "labels" && contract.labelSource == .sequenceClassLabels && (carried.contains("label") || carried.contains("label_ids")) { continue }
            found.append(.init(.contract, sample: sample, "the batch has '\(name)', which producedFields does not list and no example carried in"))
        }

        for problem in batch.structuralProblems(contract: contract, exampleCount: examples.count) {
            found.append(.init(.tensors, sample: sample, (problem.tensor.map { "'\($0)' " } ?? "the batch ") + problem.problem))
        }
        var check = _LayoutCheck(contract: contract, examples: examples, batch: batch, sample: sample)
        switch contract.layout {
        case .padded(let side, let padID, _): check.padded(side: side, padID: padID)
        case .paddingFree: check.paddingFree()
        }
        return found + check.found
    }

    // MARK: - Errors

    static func errorViolations<C: Collator>(_ collator: C, contract: CollatorContract, samples: [[Example]], options: Options) -> [ConformanceViolation] where C.Output == Batch {
        var found: [ConformanceViolation] = []
        do {
            let batch = try collator.collate([])
            found.append(.init(.errors, "an empty batch gave a batch (\(batch.names.joined(separator: ", "))) instead of CollateError.emptyBatch"))
        } catch {
            // Any CollateError rejects it: `collate` throws nothing else.
        }

        guard var base = samples.first(where: { $0.count >= 2 }) ?? samples.first else { return found }
        while base.count < 3 { base.append(base[base.count - 1]) }
        // The checks remove one field from valid examples; if the collator rejects the valid ones, what they would see is the sample's fault.
        if (try? collator.collate(base)) == nil {
            found.append(.init(.errors, "not checked: the sample the missing-field checks start from is itself rejected (see accepts-valid-examples), so an error would say nothing about a missing field"))
            return found
        }
        for field in contract.requiredFields {
            for (index, missing) in [(1, nil), (base.count - 1, Example.Value.null)] as [(Int, Example.Value?)] {
                var examples = base
                examples[index][field] = missing
                let how = missing == nil ? "without '\(field)'" : "with '\(field)': null"
                do {
                    _ = try collator.collate(examples)
                    found.append(.init(.errors, "example \(index) \(how) was accepted; a required field must be rejected with CollateError.missingField naming the example"))
                } catch {
                    guard error.exampleIndex == index else {
                        found.append(.init(.errors, "example \(index) \(how): the error names \(error.exampleIndex.map { "example \($0)" } ?? "no example"): \(error)"))
                        continue
                    }
                    if case let .missingField(name, _, collatorName) = error {
                        if name != field {
                            found.append(.init(.errors, "example \(index) \(how): the error names field '\(name)': \(error)"))
                        } else if options.checksCollatorNameInErrors && collatorName != contract.name {
                            found.append(.init(.errors, "example \(index) \(how): the error names the '\(collatorName)' collator, not '\(contract.name)': \(error)"))
                        }
                    }
                }
            }
        }
        return found
    }

    /// ` (fields: input_ids a sequence of 4, prefix_length the integer 2)`: what the first example held.
    static func describeFields(_ example: Example) -> String {
        let parts = zip(example.names, example.values).map { name, value in
            switch value {
            case .sequence(let values): "\(name) a sequence of \(values.count)"
            case .scalar(let value): "\(name) the integer \(value)"
            case .float(let value): "\(name) the number \(value)"
            case .bool(let value): "\(name) \(value)"
            case .null: "\(name) null"
            }
        }
        return " (first example: " + parts.joined(separator: ", ") + ")"
    }
}
