import Testing
@testable import CollateTokenizers

/// jinja2's tests on every kind of value a template meets (bool, int, float, str, list, tuple,
/// dict, None, undefined, a namespace, a range) and the operators' Python corners (mixed
/// comparisons, `and` / `or` returning an operand, `~`, `in`, chained comparisons, unary minus on
/// a bool, division by zero). Parity with `Tests/Fixtures/jinja/tests-operators.jsonl`, generated
/// by `Tests/Fixtures/scripts/make_jinja_tests_operators_goldens.py` from transformers 5.23's
/// chat-template environment (jinja2 3.1.6).
@Suite("Jinja tests and operators on every kind of value (transformers 5.23, jinja2 3.1.6)")
struct JinjaTestsOperatorsTests {
    static let cases = JinjaCorpusCase.load("tests-operators.jsonl")

    @Test("the goldens are present")
    func goldensLoad() {
        #expect(Self.cases.count == 36)
    }

    @Test("each case renders what jinja2 renders, or fails as it fails", arguments: cases)
    func parity(_ testCase: JinjaCorpusCase) throws {
        try testCase.check()
    }
}
