import Collate
import CollateTesting
import Testing

/// The third-party prefix-LM collator of Guides/Collators.md ("Writing your own collator"):
/// correct, it passes the default conformance run; each classic slip fails it with a message
/// that names the cause.
struct PrefixLMConformanceTests {
    /// A slip to make on purpose.
    enum Slip: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case none
        case labelsPaddedWithPadID = "labels padded with the pad id"
        case labelsOneColumnShort = "labels one column short"
        case offByOnePrefix = "off-by-one prefix"
        var testDescription: String { rawValue }
    }

    /// The guide's collator, with `slip` to break it.
    struct PrefixLMCollator: Collator {
        static let rule = LabelRule.maskingPrefix(lengthField: "prefix_length")
        var padding = PaddingOptions(padTokenID: 0)
        var slip = Slip.none
        var declaresFieldKinds = true

        var contract: CollatorContract {
            CollatorContract(
                name: "prefix-lm", reference: "labels = input_ids with the first prefix_length tokens masked",
                requiredFields: ["input_ids", "prefix_length"], producedFields: ["input_ids", "attention_mask", "labels"],
                labelSource: .maskedInputIDs(Self.rule),
                layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: false),
                fixedLength: padding.fixedLength,
                fieldKinds: declaresFieldKinds ? ["prefix_length": .integer] : [:])
        }

        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            guard !examples.isEmpty else { throw .emptyBatch }
            var rows: [[Int32]] = [], labels: [[Int32]] = []
            for (index, example) in examples.enumerated() {
                let ids = try example.requireSequence("input_ids", example: index, collator: "prefix-lm")
                let prefix = Int(try example.requireScalar("prefix_length", example: index, collator: "prefix-lm"))
                rows.append(ids)
                labels.append(ids.indices.map { (slip == .offByOnePrefix ? $0 <= prefix : $0 < prefix) ? ignoreIndex : ids[$0] })
            }
            let lengths = rows.map(\.count)
            let width = try padding.width(forLengths: lengths)
            let labelTensor: Tensor
            switch slip {
            case .labelsPaddedWithPadID: labelTensor = try padding.pad(labels, toWidth: width)
            case .labelsOneColumnShort: labelTensor = try padding.padLabels(labels.map { Array($0.dropLast()) }, toWidth: width - 1)
            case .none, .offByOnePrefix: labelTensor = try padding.padLabels(labels, toWidth: width)
            }
            return Batch([
                "input_ids": try padding.pad(rows, toWidth: width),
                "attention_mask": try padding.attentionMask(lengths: lengths, width: width),
                "labels": labelTensor,
            ])
        }
    }

    @Test(arguments: [PaddingSide.right, .left])
    func aCorrectPrefixLMCollatorConforms(side: PaddingSide) throws {
        try CollatorConformance.verify(PrefixLMCollator(padding: PaddingOptions(padTokenID: 0, side: side)))
        try CollatorConformance.verify(PrefixLMCollator(padding: PaddingOptions(padTokenID: 3, side: side, strategy: .maxLength(16), padToMultipleOf: 8)))
    }

    // The guide's "Its tests", as written there.
    @Test func masksThePrefix() throws {
        let batch = try PrefixLMCollator().collate([
            Example(["input_ids": .sequence([11, 12, 13, 14]), "prefix_length": .scalar(2)]),
            Example(["input_ids": .sequence([21, 22, 23]), "prefix_length": .scalar(1)]),
        ])
        try assertBatch(batch, equals: [
            "input_ids": [[11, 12, 13, 14], [21, 22, 23, 0]],
            "attention_mask": [[1, 1, 1, 1], [1, 1, 1, 0]],
            "labels": [[-100, -100, 13, 14], [-100, 22, 23, -100]],
        ])
    }

    @Test func registersInAScopedRegistry() throws {
        let registry = CollatorRegistry(copying: .shared)   // the shared one is left alone
        try registry.register("prefix-lm", keys: ["pad_token_id", "padding_side", "padding", "max_length", "pad_to_multiple_of"]) { spec in
            PrefixLMCollator(padding: try spec.paddingOptions(withStrategy: true))
        }
        let collator = try registry.makeCollator(fromJSON: #"{"type": "prefix-lm", "pad_token_id": 0, "padding_side": "left"}"#)
        #expect(collator.contract.layout == .padded(side: .left, padTokenID: 0, masksLabelsByPadID: false))
        #expect(!CollatorRegistry.shared.contains("prefix-lm"))
        #expect(throws: RegistrationError.duplicateType("prefix-lm", registry: "collator")) {
            try registry.register("prefix-lm", keys: []) { _ in PrefixLMCollator() }
        }
    }

    @Test func aRegisteredTypeRunsThroughAPipelineUnderTheValidator() throws {
        let harness = PipelineHarness(collator: PrefixLMCollator())
        let examples = [
            Example(["input_ids": .sequence([11, 12, 13]), "prefix_length": .scalar(1)]),
            Example(["input_ids": .sequence([21, 22]), "prefix_length": .scalar(2)]),   // fully masked
        ]
        let diagnostics = try harness.diagnostics(for: examples, batchSize: 2)
        #expect(diagnostics.map(\.code) == [.noTrainableTokens])
        #expect(diagnostics.first?.example == 1)
    }

    @Test func defaultSamplesGiveTheScalarFieldAScalar() {
        let samples = CollatorConformance.samples(for: PrefixLMCollator().contract)
        let all = samples.flatMap { $0 }
        #expect(all.allSatisfy { example in example.scalar("prefix_length").map { $0 >= 0 && Int($0) <= example.inputIDs.count } ?? false })
        // Varied: unmasked, partly and fully masked examples.
        #expect(all.contains { $0.scalar("prefix_length") == 0 })
        #expect(all.contains { Int($0.scalar("prefix_length") ?? 0) == $0.inputIDs.count })
        #expect(all.contains { ($0.scalar("prefix_length") ?? 0) > 0 && Int($0.scalar("prefix_length") ?? 0) < $0.inputIDs.count })
    }

    static let firstMessage: [Slip: String] = [
        .labelsPaddedWithPadID: "[labels] sample 0: labels row 0, position 4: expected -100 (right padding), got 0 (the pad id: padding labels must be the ignore index, or the model learns to predict padding)",
        .labelsOneColumnShort: "[labels] sample 0: labels has shape [3, 6] but input_ids has [3, 7]: labels masked from input_ids need one label per token, so the collator builds or pads labels to another width than input_ids",
        .offByOnePrefix: "[labels] sample 0: labels row 0, position 0: expected 11 (token 0 of example 0, which the label rule trains: the first prefix_length tokens are masked), got -100",
    ]

    @Test(arguments: [Slip.labelsPaddedWithPadID, .labelsOneColumnShort, .offByOnePrefix])
    func eachSlipFailsWithAMessageNamingTheCause(_ slip: Slip) throws {
        let violations = CollatorConformance.violations(of: PrefixLMCollator(slip: slip))
        #expect(!violations.isEmpty)
        #expect(Set(violations.map(\.requirement)) == [.labels], "\(violations)")
        #expect(violations.first?.description == Self.firstMessage[slip])
        #expect(throws: ConformanceFailure.self) { try CollatorConformance.verify(PrefixLMCollator(slip: slip)) }
    }

    @Test func anUndeclaredScalarFieldIsBlamedOnTheSamplesNotTheCollator() {
        let violations = CollatorConformance.violations(of: PrefixLMCollator(declaresFieldKinds: false))
        #expect(violations.first?.requirement == .acceptsValidExamples)
        let message = violations.first?.description ?? ""
        #expect(message.contains("examples the suite generated from the contract (CollatorConformance.samples(for:))"))
        #expect(message.contains("prefix_length a sequence of 4"))
        #expect(message.contains("declare each field's kind in fieldKinds"))
        // The missing-field checks are not run on rejected samples, so they blame nothing.
        let errors = violations.filter { $0.requirement == .errors }
        #expect(errors.map(\.message) == ["not checked: the sample the missing-field checks start from is itself rejected (see accepts-valid-examples), so an error would say nothing about a missing field"])
    }

    /// The same rule, padding-free: one row, boundaries in `position_ids`.
    struct FlatPrefixLMCollator: Collator {
        var offByOne = false
        var contract: CollatorContract {
            CollatorContract(
                name: "flat-prefix-lm", reference: "test", requiredFields: ["input_ids", "prefix_length"],
                producedFields: ["input_ids", "labels", "position_ids"], labelSource: .maskedInputIDs(PrefixLMCollator.rule),
                layout: .paddingFree, fieldKinds: ["prefix_length": .integer])
        }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            guard !examples.isEmpty else { throw .emptyBatch }
            var ids: [Int32] = [], labels: [Int32] = [], positions: [Int32] = []
            for (index, example) in examples.enumerated() {
                let row = try example.requireSequence("input_ids", example: index, collator: contract.name)
                let prefix = Int(try example.requireScalar("prefix_length", example: index, collator: contract.name))
                ids += row
                labels += row.indices.map { (offByOne ? $0 <= prefix : $0 < prefix) ? ignoreIndex : row[$0] }
                positions += row.indices.map(Int32.init)
            }
            let shape = [1, ids.count]
            return Batch([
                "input_ids": Tensor(shape: shape, scalars: ids), "labels": Tensor(shape: shape, scalars: labels),
                "position_ids": Tensor(shape: shape, scalars: positions),
            ])
        }
    }

    @Test func aPaddingFreeRuleIsCheckedToo() {
        #expect(CollatorConformance.violations(of: FlatPrefixLMCollator()) == [])
        let violations = CollatorConformance.violations(of: FlatPrefixLMCollator(offByOne: true))
        #expect(Set(violations.map(\.requirement)) == [.labels])
        #expect(violations.first?.message == "labels position 5 (sequence 1, token 1): expected 16 (token 1 of example 1, which the label rule trains: the first prefix_length tokens are masked), got -100")
    }

    @Test func theContractMustRequireWhatItsRuleReads() {
        struct Loose: Collator {
            var base = PrefixLMCollator()
            var contract: CollatorContract {
                var contract = base.contract
                contract.requiredFields = ["input_ids"]
                contract.optionalFields = ["prefix_length"]
                return contract
            }
            func collate(_ examples: [Example]) throws(CollateError) -> Batch { try base.collate(examples) }
        }
        let violations = CollatorConformance.violations(of: Loose())
        #expect(violations.contains { $0.requirement == .contract && $0.message.contains("reads 'prefix_length', which requiredFields does not list") })
    }
}
