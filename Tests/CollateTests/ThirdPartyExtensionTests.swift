import Collate
import Testing

/// The building blocks a third-party collator package uses: open diagnostic codes, scoped
/// registries that refuse duplicates, the public padding engine, label rules and field kinds.
struct DiagnosticCodeTests {
    static let prefixTooLong = Diagnostic.Code(namespace: "prefix-lm", name: "prefix-too-long")

    @Test func builtInCodesKeepTheirStrings() {
        #expect(Diagnostic.Code.missingLabels.rawValue == "missing-labels")
        #expect(Diagnostic.Code.padMasksEOS.defaultSeverity == .warning)
        #expect(Diagnostic.Code(rawValue: "exceeds-max-length") == .exceedsMaxLength)
        #expect(Diagnostic.Code.allCases.allSatisfy { $0.isBuiltIn })
    }

    @Test func thirdPartyCodesPrintLikeBuiltInOnes() throws {
        let diagnostic = Diagnostic(Self.prefixTooLong, message: "example 1 has prefix_length 9 but only 3 tokens.", example: 1)
        #expect(diagnostic.description == "error[prefix-lm/prefix-too-long]: example 1 has prefix_length 9 but only 3 tokens.")
        #expect(Diagnostic.jsonText([diagnostic])
            == #"[{"code": "prefix-lm/prefix-too-long", "severity": "error", "message": "example 1 has prefix_length 9 but only 3 tokens.", "example": 1}]"#)
        let summary = DiagnosticSummary([diagnostic, Diagnostic(.missingLabels, message: "no labels.")])
        #expect(summary.groups.map(\.code) == [Self.prefixTooLong, .missingLabels])  // grouped in order of appearance
        #expect([Diagnostic.Code.missingLabels, Self.prefixTooLong, .exceedsMaxLength].sorted() == [.missingLabels, .exceedsMaxLength, Self.prefixTooLong])
        #expect(summary.text().contains("prefix-lm/prefix-too-long"))
        #expect(!Self.prefixTooLong.isBuiltIn)
    }

    @Test(arguments: [
        ("prefix-lm/prefix-too-long", true), ("my-package/rule2", true), ("missing-label", false),
        ("Prefix/x", false), ("prefix/", false), ("/x", false), ("a/b/c", false), ("prefix-/x", false),
    ])
    func rawValuesOfThirdPartyCodesMustBeNamespaced(_ text: String, accepted: Bool) {
        #expect((Diagnostic.Code(rawValue: text) != nil) == accepted)
    }

    @Test func strictModeRaisesAThirdPartyWarning() {
        struct Rule: ValidationRule {
            static let code = Diagnostic.Code(namespace: "demo", name: "short", defaultSeverity: .warning)
            var code: Diagnostic.Code { Self.code }
            func check(_ context: ValidationContext) -> [Diagnostic] {
                context.examples.indices.map { Diagnostic(code, message: "example \($0) is short.", example: $0) }
            }
        }
        let examples = [Example(inputIDs: [5, 6])]
        let contract = LanguageModelingCollator(padTokenID: 0).contract
        let lenient = Validator(rules: [Rule()]).validate(examples, collator: contract, backend: .training(.causalLM))
        let strict = Validator(rules: [Rule()], options: .init(strict: [Rule.code])).validate(examples, collator: contract, backend: .training(.causalLM))
        #expect(lenient.map(\.severity) == [.warning])
        #expect(strict.map(\.severity) == [.error])
    }
}

struct ScopedRegistryTests {
    struct Echo: Collator {
        var contract: CollatorContract {
            CollatorContract(name: "echo", reference: "test", requiredFields: ["input_ids"], producedFields: ["input_ids"],
                             labelSource: .none, layout: .paddingFree)
        }
        func collate(_ examples: [Example]) throws(CollateError) -> Batch {
            let ids = examples.flatMap(\.inputIDs)
            return Batch(["input_ids": Tensor(shape: [1, ids.count], scalars: ids)])
        }
    }

    @Test func registeringATakenTypeIsAnErrorUnlessReplacing() throws {
        let registry = CollatorRegistry(includingBuiltIns: true)
        #expect(throws: RegistrationError.duplicateType("seq2seq", registry: "collator")) {
            try registry.register("seq2seq", keys: []) { _ in Echo() }
        }
        #expect(try registry.makeCollator(fromJSON: #"{"type": "seq2seq", "pad_token_id": 0}"#).contract.name == "seq2seq")
        try registry.register("seq2seq", keys: [], replacing: true) { _ in Echo() }
        #expect(try registry.makeCollator(fromJSON: #"{"type": "seq2seq"}"#).contract.name == "echo")
        #expect(throws: RegistrationError.invalidTypeName("my type", registry: "collator")) {
            try registry.register("my type", keys: []) { _ in Echo() }
        }
        let transforms = TransformRegistry()
        #expect(throws: RegistrationError.duplicateType("add-eos", registry: "transform")) {
            try transforms.register("add-eos", keys: []) { _ in .batch(PositionIDs()) }
        }
        #expect("\(RegistrationError.duplicateType("seq2seq", registry: "collator"))".contains("replacing: true"))
    }

    @Test func registeringARepeatedOrTypeKeyIsAnError() throws {
        let registry = CollatorRegistry()
        #expect(throws: RegistrationError.invalidKey("type", type: "test-keys/echo", registry: "collator")) {
            try registry.register("test-keys/echo", keys: ["type", "type"]) { _ in Echo() }
        }
        #expect(throws: RegistrationError.invalidKey("pad_token_id", type: "test-keys/echo", registry: "collator")) {
            try registry.register("test-keys/echo", keys: ["pad_token_id", "seed", "pad_token_id"]) { _ in Echo() }
        }
        #expect(!registry.contains("test-keys/echo"), "a refused registration must not be half-made")
        let transforms = TransformRegistry()
        #expect(throws: RegistrationError.invalidKey("count", type: "test-keys/first", registry: "transform")) {
            try transforms.register("test-keys/first", keys: ["count", "count"]) { _ in .batch(PositionIDs()) }
        }
        let message = "\(RegistrationError.invalidKey("count", type: "test-keys/first", registry: "transform"))"
        #expect(message == "transform type \"test-keys/first\" lists the key \"count\" more than once in keys:; each key a spec may hold is listed once. "
                + "Fix: remove the repeated \"count\" from keys:")
        #expect("\(RegistrationError.invalidKey("type", type: "x", registry: "collator"))".contains("Fix: remove \"type\" from keys:"))
        try registry.register("test-keys/echo", keys: ["pad_token_id"]) { _ in Echo() }
        #expect(registry.contains("test-keys/echo"))
    }

    @Test func aScopedRegistryLeavesTheSharedOneAlone() throws {
        let scoped = CollatorRegistry(copying: .shared)
        try scoped.register("test-scoped/echo", keys: []) { _ in Echo() }
        #expect(scoped.contains("language-modeling"))
        #expect(!CollatorRegistry.shared.contains("test-scoped/echo"))
        #expect(scoped.unregister("test-scoped/echo"))
        #expect(!scoped.contains("test-scoped/echo"))
    }

    @Test func theCurrentRegistryIsTaskScoped() throws {
        let scoped = CollatorRegistry(includingBuiltIns: false)
        try scoped.register("echo", keys: []) { _ in Echo() }
        #expect(CollatorRegistry.current === CollatorRegistry.shared)
        let name = try CollatorRegistry.$current.withValue(scoped) { () throws -> String in
            try CollatorRegistry.current.makeCollator(fromJSON: #"{"type": "echo"}"#).contract.name
        }
        #expect(name == "echo")
        #expect(throws: SpecError.self) { try CollatorRegistry.current.makeCollator(fromJSON: #"{"type": "echo"}"#) }
    }
}

struct PaddingEngineTests {
    @Test func widthFollowsTheStrategyAndMultiple() throws {
        #expect(try PaddingOptions(padTokenID: 0).width(forLengths: [3, 1]) == 3)
        #expect(try PaddingOptions(padTokenID: 0, padToMultipleOf: 8).width(forLengths: [3, 1]) == 8)
        #expect(try PaddingOptions(padTokenID: 0, strategy: .maxLength(5), padToMultipleOf: 4).width(forLengths: [3]) == 8)
        #expect(PaddingOptions.roundUp(9, toMultipleOf: 4) == 12)
        #expect(PaddingOptions.roundUp(9, toMultipleOf: nil) == 9)
        #expect(throws: CollateError.exceedsMaxLength("input_ids", example: 1, length: 6, maxLength: 5)) {
            try PaddingOptions(padTokenID: 0, strategy: .maxLength(5)).width(forLengths: [2, 6])
        }
        #expect(throws: CollateError.cannotStack("input_ids", example: 1, length: 2, firstLength: 3)) {
            try PaddingOptions(padTokenID: 0, strategy: .doNotPad).width(forLengths: [3, 2])
        }
    }

    @Test func rowsLabelsAndMaskArePaddedOnTheSide() throws {
        let left = PaddingOptions(padTokenID: 9, side: .left)
        let width = try left.width(forLengths: [3, 1])
        #expect(try left.pad([[5, 6, 7], [8]], toWidth: width).scalars == [5, 6, 7, 9, 9, 8])
        #expect(try left.padLabels([[-100, 6, 7], [8]], toWidth: width).scalars == [-100, 6, 7, -100, -100, 8])
        #expect(try left.attentionMask(lengths: [3, 1], width: width).scalars == [1, 1, 1, 0, 0, 1])
        #expect(throws: CollateError.exceedsMaxLength("labels", example: 0, length: 3, maxLength: 2)) {
            try left.padLabels([[1, 2, 3]], toWidth: 2)
        }
    }

    @Test func paddingExamplesIsWhatTheBuiltInCollatorsDo() throws {
        let examples = [Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8])]
        let (batch, width) = try PaddingOptions(padTokenID: 0).pad(examples, collator: "mine")
        let reference = try PaddingCollator(padding: PaddingOptions(padTokenID: 0)).collate(examples)
        #expect(width == 3)
        #expect(batch == reference)
        #expect(throws: CollateError.missingField("input_ids", example: 1, collator: "mine")) {
            try PaddingOptions(padTokenID: 0).pad([Example(inputIDs: [1]), Example(["labels": .sequence([1])])], collator: "mine")
        }
    }

    @Test func requireScalarNamesTheExampleAndField() throws {
        let example = Example(["input_ids": .sequence([1, 2]), "prefix_length": .scalar(1), "bad": .sequence([1])])
        #expect(try example.requireScalar("prefix_length", example: 3, collator: "prefix-lm") == 1)
        #expect(throws: CollateError.wrongFieldKind("bad", example: 3, expected: "one integer")) {
            try example.requireScalar("bad", example: 3, collator: "prefix-lm")
        }
        #expect(throws: CollateError.missingField("absent", example: 3, collator: "prefix-lm")) {
            try example.requireScalar("absent", example: 3, collator: "prefix-lm")
        }
    }
}

struct LabelRuleTests {
    static let rule = LabelRule.maskingPrefix(lengthField: "prefix_length")

    static func example(_ ids: [Int32], prefix: Example.Value) -> Example {
        Example(["input_ids": .sequence(ids), "prefix_length": prefix])
    }

    @Test func prefixRuleMasksTheFirstTokens() {
        #expect(Self.rule.labels(for: Self.example([5, 6, 7, 8], prefix: .scalar(2))) == [-100, -100, 7, 8])
        #expect(Self.rule.labels(for: Self.example([5, 6], prefix: .scalar(9))) == [-100, -100])
        #expect(Self.rule.labels(for: Self.example([5, 6], prefix: .scalar(-1))) == nil)
        #expect(Self.rule.labels(for: Self.example([5, 6], prefix: .sequence([1]))) == nil)
        #expect(Self.rule.fields == ["prefix_length"])
    }

    @Test func maskFieldRuleTrainsWhereTheMaskIsOne() {
        let rule = LabelRule.training(where: "assistant_masks")
        let example = Example(["input_ids": .sequence([1, 2, 3]), "assistant_masks": .sequence([0, 1, 1])])
        #expect(rule.labels(for: example, ignoreIndex: -1) == [-1, 2, 3])
        // A mask of another length than input_ids cannot be evaluated.
        #expect(rule.trainable(in: Example(["input_ids": .sequence([1, 2, 3]), "assistant_masks": .sequence([1])])) == nil)
    }

    static let contract = CollatorContract(
        name: "prefix-lm", reference: "test", requiredFields: ["input_ids", "prefix_length"],
        producedFields: ["input_ids", "attention_mask", "labels"], labelSource: .maskedInputIDs(rule),
        layout: .padded(side: .right, padTokenID: 0, masksLabelsByPadID: false), fieldKinds: ["prefix_length": .integer])

    @Test func theValidatorReportsAFullyMaskedExampleWithoutTalkingOfTemplates() throws {
        let examples = [Self.example([5, 6, 7], prefix: .scalar(1)), Self.example([5, 6], prefix: .scalar(2))]
        let diagnostics = Validator().validate(examples, collator: Self.contract, backend: .training(.causalLM))
        #expect(diagnostics.map(\.code) == [.noTrainableTokens])
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.example == 1)
        #expect(diagnostic.message.contains("the first prefix_length tokens are masked"))
        #expect(diagnostic.message.contains("check the example's 'prefix_length'"))
        #expect(!diagnostic.message.contains("template"))
    }

    @Test func theBatchCheckNamesTheRuleNotATemplate() throws {
        let batch = Batch(["input_ids": Tensor(shape: [1, 2], scalars: [5, 6]), "labels": Tensor(shape: [1, 2], scalars: [-100, -100])])
        let diagnostics = Validator().validate(batch: batch, collator: Self.contract, backend: .training(.causalLM))
        let diagnostic = try #require(diagnostics.first { $0.code == .noTrainableTokens })
        #expect(diagnostic.message.contains("masks by its rule: the first prefix_length tokens are masked"))
        #expect(!diagnostic.message.contains("template"))
    }

    @Test func theValidatorChecksDeclaredFieldKinds() {
        let examples = [Self.example([5, 6, 7], prefix: .sequence([1, 1, 1])), Self.example([5, 6], prefix: .float(1))]
        let diagnostics = Validator().validate(examples, collator: Self.contract, backend: .training(.causalLM))
        #expect(diagnostics.filter { $0.code == .missingField }.map(\.example) == [0, 1])
        #expect(diagnostics.first?.message.contains("holds a sequence of 3 in 'prefix_length', where the prefix-lm collator (test) needs one integer") == true)
    }

    @Test func examplesLabelsAreReportedAsOverwritten() {
        let examples = [Example(["input_ids": .sequence([5, 6, 7]), "prefix_length": .scalar(1), "labels": .sequence([-100, 6, 7])])]
        let diagnostics = Validator().validate(examples, collator: Self.contract, backend: .training(.causalLM))
        #expect(diagnostics.map(\.code) == [.labelsOverwritten])
    }
}

struct AdditionalRulesTests {
    struct Short: ValidationRule {
        static let code = Diagnostic.Code(namespace: "demo", name: "short")
        var code: Diagnostic.Code { Self.code }
        func check(_ context: ValidationContext) -> [Diagnostic] {
            context.examples.indices.filter { context.examples[$0].inputIDs.count < 2 }.map { Diagnostic(code, message: "example \($0) is short.", example: $0) }
        }
    }

    @Test func scopedRulesJoinTheStandardOnes() {
        let examples = [Example(inputIDs: [5])]
        let contract = LanguageModelingCollator(padTokenID: 0).contract
        #expect(!Validator().validate(examples, collator: contract, backend: .training(.causalLM)).contains { $0.code == Short.code })
        let scoped = Validator.$additionalRules.withValue([Short()]) {
            Validator().validate(examples, collator: contract, backend: .training(.causalLM))
        }
        #expect(scoped.map(\.code) == [Short.code])
        #expect(Validator.standardRules.count == 13)
    }
}
