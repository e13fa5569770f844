import CollateTokenizers
import Foundation
import Testing

/// A template cannot make a render allocate or loop without bound: each limit is an error
/// naming the template and line, raised in well under a second (jinja2 has none of these
/// limits and runs for minutes or out of memory on the same templates).
@Suite struct JinjaLimitsTests {
    static func failure(_ source: String) throws -> JinjaError? {
        let template = try JinjaTemplate(source: source, name: "limits.jinja")
        do {
            _ = try template.render([:])
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        #"{{ "x" * 1000000000 }}"#,
        "\n{{ 'ab' * (2 ** 40) }}",
        "{% set l = [1, 2] * 100000000 %}{{ l | length }}",
    ])
    func aHugeRepetitionIsAnError(_ source: String) throws {
        let clock = ContinuousClock()
        var error: JinjaError?
        let elapsed = try clock.measure { error = try Self.failure(source) }
        let failure = try #require(error, "rendered without an error")
        #expect(failure.kind == .security)
        #expect(failure.description.contains("limits.jinja"))
        #expect(failure.description.contains("a chat template may build"))
        #expect(elapsed < .seconds(5))
    }

    @Test func endlessNestedLoopsStop() throws {
        let source = "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}"
        let failure = try #require(try Self.failure(source), "rendered without an error")
        #expect(failure.kind == .security)
        #expect(failure.description.contains("loop iterations"))
    }

    @Test func ordinaryRepetitionStillRenders() throws {
        let rendering = try JinjaTemplate(source: #"{{ "=" * 3 }}{% for i in range(3) %}{{ i }}{% endfor %}"#, name: "t").render([:])
        #expect(rendering.text == "===012")
    }
}
