import Collate
import CollateCommandLine
import Foundation
import Testing
@testable import CollateCommandLine

/// A third-party `collate` (CollateTool) refuses extra validation rules whose code the text and
/// JSON formats and `--strict` cannot use, or that reuse a built-in code: exit 2, a message
/// naming the rule type. Before, `error[/]`, `error[my pkg/bad code]` and a code holding a newline
/// (which split the text line) were printed as they were.
@Suite("Third-party rule codes in CollateTool")
struct ThirdPartyRuleCodeTests {
    struct OddRule: ValidationRule {
        var code: Diagnostic.Code
        func check(_ context: ValidationContext) -> [Diagnostic] { [Diagnostic(code, message: "odd rule fired", example: 0)] }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let code: Diagnostic.Code
        let message: String
        var testDescription: String { id }
    }

    static let malformed = "which the text and JSON formats and --strict cannot use"
    static let cases = [
        Case(id: "empty", code: Diagnostic.Code(namespace: "", name: ""), message: #"reports under the code "/", "# + malformed),
        Case(id: "spaces", code: Diagnostic.Code(namespace: "my pkg", name: "bad code"), message: #"reports under the code "my pkg/bad code", "# + malformed),
        Case(id: "upper case", code: Diagnostic.Code(namespace: "MyPkg", name: "rule"), message: #"reports under the code "MyPkg/rule", "# + malformed),
        Case(id: "newline", code: Diagnostic.Code(namespace: "a\n", name: "b"), message: #"reports under the code "a\n/b", "# + malformed),
        Case(id: "two slashes", code: Diagnostic.Code(namespace: "a/b", name: "c"), message: #"reports under the code "a/b/c", "# + malformed),
        Case(id: "built-in", code: .missingLabels, message: #"reports under the built-in code "missing-labels", so its findings could not be told from Collate's own"#),
    ]

    @Test(arguments: cases)
    func aRuleWithAnUnusableCodeIsAUsageError(_ test: Case) {
        let status = CollateTool(rules: [OddRule(code: test.code)]).run(["validate", "--spec", #"{"type": "language-modeling", "pad_token_id": 0}"#, "--input", "/nonexistent.jsonl"])
        #expect(status == 2)
        #expect(Console.transcript.contains("collate: the validation rule OddRule " + test.message))
        #expect(!test.code.isWellFormed || test.code.isBuiltIn)
    }

    @Test func wellFormedCodes() {
        #expect(Diagnostic.Code(namespace: "prefix-lm", name: "prefix-too-long").isWellFormed)
        #expect(Diagnostic.Code(namespace: "missing-labels", name: "x").isWellFormed)   // a namespace, told apart by its slash
        #expect(Diagnostic.Code.missingLabels.isWellFormed)
        #expect(!Diagnostic.Code(namespace: "prefix-lm", name: "").isWellFormed)
    }
}
