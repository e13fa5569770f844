import CollateTokenizers
import Testing

/// Literals jinja2 3.1.6 reads the Python way; expected values are jinja2's own renderings
/// (`jinja2.Environment().from_string(source).render()`).
@Suite("Jinja literals (jinja2 3.1.6)")
struct JinjaLiteralTests {
    @Test(arguments: [
        (#"{{ 0x1_0 }} {{ 0O17 }} {{ 0b1_01 }}"#, "16 15 5"),
        (#"{{ 'a\x41\101\N{BULLET}' }}"#, "aAA\u{2022}"),
        (#"{{ '\N{bullet}\0z\777' }}"#, "\u{2022}\u{0}z\u{1FF}"),
        (#"{{ '\12' == '\n' }}"#, "True"),
    ])
    func rendersAsJinja2(_ source: String, _ expected: String) throws {
        #expect(try JinjaTemplate(source: source, name: "t").render([:]).text == expected)
    }

    @Test(arguments: [#"{{ '\N{NO SUCH CHARACTER}' }}"#, #"{{ '\N{BULLET' }}"#, "{{ 0x }}"])
    func malformedLiteralsAreSyntaxErrors(_ source: String) {
        #expect(throws: JinjaError.self) { _ = try JinjaTemplate(source: source, name: "t").render([:]) }
    }
}
