// CustomCollator: a third-party collator as a package of its own would ship it — the collator
// with a contract that says what it needs (Samples/PrefixLM, the package's library), its spec type registered,
// a diagnostic code of its own, and the checks Collate runs on it.
//
//     swift run CustomCollator
import Collate
import CollateTesting
import PrefixLM

do {
    try PrefixLMCollator.register()

    // Built from JSON exactly like the built-in collators.
    let collator = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "prefix-lm", "pad_token_id": 0}"#)
    let examples = [
        Example(["input_ids": .sequence([11, 12, 13, 14]), "prefix_length": .scalar(2)]),
        Example(["input_ids": .sequence([21, 22, 23]), "prefix_length": .scalar(1)]),
    ]
    print(try collator.collate(examples).jsonText)

    // The conformance suite reads the contract: samples with an integer prefix_length, labels checked against the rule.
    let violations = CollatorConformance.violations(of: PrefixLMCollator(padding: PaddingOptions(padTokenID: 0)))
    print("conformance: \(violations.isEmpty ? "passes" : violations.map(\.description).joined(separator: "\n"))")

    // The validator evaluates the rule per example, and runs this package's own rule beside the built-in ones.
    let validator = Validator(rules: Validator.standardRules + [PrefixTooLongRule()])
    let suspicious = [
        Example(["input_ids": .sequence([31, 32]), "prefix_length": .scalar(2)]),
        Example(["input_ids": .sequence([41, 42, 43]), "prefix_length": .scalar(9)]),
        Example(["input_ids": .sequence([51, 52, 53]), "prefix_length": .sequence([1])]),
    ]
    for diagnostic in validator.validate(suspicious, collator: collator.contract, backend: .training(.causalLM)) {
        print(diagnostic)
    }

    // A typo in the spec is an error, not a silent default; so is registering the type twice.
    for attempt in [
        { _ = try CollatorRegistry.shared.makeCollator(fromJSON: #"{"type": "prefix-lm", "pad_token": 0}"#) },
        { try PrefixLMCollator.register() },
    ] as [() throws -> Void] {
        do { try attempt() } catch { print("rejected: \(error)") }
    }
} catch {
    print("error: \(error)")
}
