import CollateTokenizers
import Foundation
import Testing

/// Growth that `JinjaLimitsTests` does not cover: a loop that doubles a namespace value through
/// `+`, `~`, `replace`, `join`, `%` or `tojson`, and a single huge width (`center(10**9)`,
/// `'%999999999d'`). Each is an error naming the template, the line and the limit, within
/// seconds — found attacking `collate chat --template`, where each ran past a minute (jinja2 runs
/// the doubling ones out of memory; it renders the width ones, a gigabyte each).
@Suite struct JinjaGrowthLimitsTests {
    @Test(arguments: [
        "\n{{ 'x' | center(999999999) | length }}",
        "\n{{ 'x'.ljust(999999999) | length }}",
        "\n{{ 'x'.zfill(999999999) | length }}",
        "\n{{ 'a\\nb' | indent(999999999) | length }}",
        "\n{{ ('%999999999d' % 1) | length }}",
        "\n{{ ('%.999999999f' % 1.5) | length }}",
        "\n{{ [1] | tojson(indent=999999999) | length }}",
    ])
    func growthPastTheValueLimitIsAnError(_ source: String) throws {
        try expectRefusedAtTheLimit(source, name: "growth.jinja", within: .seconds(30))
    }

    /// Ordinary uses of the same operations still render as jinja2 does.
    @Test func ordinaryGrowthStillRenders() throws {
        let source = "{{ 'ab' ~ 'c' }}|{{ 'x'.center(5) }}|{{ '%05d' % 42 }}|{{ 'aXa'.replace('a', 'bb') }}|{{ ['a', 'b'] | join('-') }}|{{ [1] | tojson(indent=2) }}"
        let rendering = try JinjaTemplate(source: source, name: "t").render([:])
        #expect(rendering.text == "abc|  x  |00042|bbXbb|a-b|[\n  1\n]")
    }
}

/// A value doubled in a loop: `~`, `+` (strings and lists) and `join` refuse a result past the
/// value limit, so the loop stops within seconds instead of building gigabytes.
@Suite struct JinjaDoublingLimitsTests {
    @Test(arguments: [
        "{% set ns = namespace(s='xxxxxxxx') %}\n{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(s='xxxxxxxx') %}\n{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% set ns = namespace(s=[1, 2, 3, 4]) %}\n{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% set ns = namespace(s='xxxxxxxx') %}\n{% for i in range(64) %}{% set ns.s = [ns.s, ns.s] | join('') %}{% endfor %}",
    ])
    func doublingStopsAtTheValueLimit(_ source: String) throws {
        try expectRefusedAtTheLimit(source, name: "doubling.jinja", within: .seconds(60))
    }
}

/// Renders `source` and expects the value-limit error naming the template and line 2, in time.
private func expectRefusedAtTheLimit(_ source: String, name: String, within limit: Duration) throws {
    let template = try JinjaTemplate(source: source, name: name)
    let clock = ContinuousClock()
    var failure: JinjaError?
    let elapsed = clock.measure {
        do { _ = try template.render([:]) } catch let error as JinjaError { failure = error } catch {}
    }
    let error = try #require(failure, "rendered without an error")
    #expect(error.kind == .security)
    #expect(error.description.contains(name))
    #expect(error.description.contains("line 2"))
    #expect(error.description.contains("a chat template may build"))
    #expect(elapsed < limit)
}
