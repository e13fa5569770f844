import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// The public API of ``JinjaTemplate``: errors, provenance, values. Expected texts follow
/// jinja2 3.1.6 as transformers 5.23 configures it (checked with it where noted).
@Suite("JinjaTemplate API")
struct JinjaTemplateTests {
    static func message(_ role: String, _ content: String) -> JinjaValue {
        .dict(JinjaDict([("role", .string(role)), ("content", .string(content))]))
    }

    static let conversation: JinjaValue = .list([
        message("system", "Be brief."), message("user", "Hi"), message("assistant", "Hello"), message("user", "Bye"),
    ])

    func render(_ source: String, _ context: [String: JinjaValue] = [:]) throws(JinjaError) -> JinjaRendering {
        try JinjaTemplate(source: source, name: "test.jinja").render(context)
    }

    func text(of rendering: JinjaRendering, _ segment: JinjaSegment) -> String {
        String(rendering.text.unicodeScalars[
            rendering.text.unicodeScalars.index(rendering.text.unicodeScalars.startIndex, offsetBy: segment.range.lowerBound)..<rendering.text.unicodeScalars.index(
                rendering.text.unicodeScalars.startIndex, offsetBy: segment.range.upperBound)])
    }

    @Test("raise_exception names the template, its line and the message")
    func raiseException() {
        let source = "{% for m in messages %}\n{% if m.role == 'system' %}\n{{ raise_exception('System role not supported') }}\n{% endif %}\n{% endfor %}"
        do {
            _ = try render(source, ["messages": Self.conversation])
            Issue.record("expected an error")
        } catch {
            #expect(error == JinjaError(kind: .raised, template: "test.jinja", line: 3, message: "System role not supported"))
            #expect(error.description == "template test.jinja, line 3: the template raised an error: System role not supported")
        }
    }

    @Test("syntax errors are thrown by init with the line")
    func syntaxError() {
        #expect(throws: JinjaError(kind: .syntax, template: "t", line: 2, message: "unknown tag 'frobnicate'")) {
            try JinjaTemplate(source: "a\n{% frobnicate %}", name: "t")
        }
        do {
            _ = try JinjaTemplate(source: "{% if x %}\n\nno end", name: "t")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.message.contains("`{% if %}` opened on line 1 is never closed"))
        }
    }

    @Test("an unknown or unsupported filter is named with its line")
    func unknownFilter() {
        do {
            _ = try render("x\n{{ 'a'|wordwrap(3) }}")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.line == 2)
            #expect(error.description.contains("'wordwrap'"))
        }
        #expect(throws: JinjaError.self) { try render("{{ 'a'|nosuch }}") }
    }

    @Test("undefined: renders empty, iterates empty; attributes and calls on it fail")
    func undefinedSemantics() throws {
        #expect(try render("[{{ nothing }}][{% for x in nothing %}x{% endfor %}][{{ nothing|length }}]").text == "[][][0]")
        #expect(throws: JinjaError(kind: .undefined, template: "test.jinja", line: 1, message: "'nothing' is undefined")) {
            try render("{{ nothing.attr }}")
        }
        #expect(throws: JinjaError.self) { try render("{{ nothing() }}") }
    }

    /// A `{% call %}` block whose callee is not a macro. jinja2 3.1.6 passes the block as a
    /// `caller` keyword: an undefined name is an `UndefinedError`, a value a `TypeError`
    /// ("'str' object is not callable"), a function one that takes no `caller` (checked with it).
    struct CallBlockCase: Sendable, CustomTestStringConvertible {
        var source: String
        var context: [String: JinjaValue]
        var kind: JinjaError.Kind
        var message: String
        var testDescription: String { source }
    }

    static let callBlockCases: [CallBlockCase] = [
        CallBlockCase(source: "a\n{% call foo() %}x{% endcall %}b", context: [:], kind: .undefined, message: "'foo' is undefined"),
        CallBlockCase(
            source: "a\n{% call foo() %}x{% endcall %}b", context: ["foo": .string("s")], kind: .type, message: "'str' object is not callable"),
        CallBlockCase(
            source: "a\n{% call foo() %}x{% endcall %}b", context: ["foo": .none], kind: .type, message: "'NoneType' object is not callable"),
        CallBlockCase(
            source: "a\n{% call range(3) %}x{% endcall %}b", context: [:], kind: .type,
            message: "`{% call %}` needs a macro, but 'range' is <function range>, which takes no 'caller' argument"),
        CallBlockCase(
            source: "a\n{% call foo.upper() %}x{% endcall %}b", context: ["foo": .string("ab")], kind: .type,
            message: "`{% call %}` needs a macro, but 'foo.upper' is <built-in method upper of str object>, which takes no 'caller' argument"),
    ]

    @Test("{% call %} of something that is not a macro is an error naming the line", arguments: callBlockCases)
    func callBlockNeedsMacro(_ testCase: CallBlockCase) {
        #expect(throws: JinjaError(kind: testCase.kind, template: "test.jinja", line: 2, message: testCase.message)) {
            try render(testCase.source, testCase.context)
        }
    }

    @Test("the sandbox refuses to mutate lists and dictionaries")
    func sandbox() {
        #expect(throws: JinjaError.self) { try render("{% set l = [1] %}{{ l.append(2) }}") }
        do {
            _ = try render("{% set l = [1] %}{{ l.append(2) }}")
        } catch {
            #expect(error.kind == .security)
        }
    }

    @Test("segments follow the innermost loop over messages, also through slices and filters")
    func segmentsThroughSlices() throws {
        let source = """
            {{ messages[0].content }}|{% for m in messages[1:] %}{{ m.role }};{% endfor %}\
            {% for m in messages|selectattr('role', 'equalto', 'user') %}<{{ m.content }}>{% endfor %}\
            {% set rest = messages[2:] %}{% for m in rest %}{% for part in ['a', 'b'] %}{{ part }}{% endfor %}{% endfor %}END
            """
        let rendering = try render(source, ["messages": Self.conversation])
        #expect(rendering.text == "Be brief.|user;assistant;user;<Hi><Bye>ababEND")
        let tagged = rendering.segments.map { (text(of: rendering, $0), $0.messageIndex) }
        #expect(tagged.map(\.0) == ["Be brief.|", "user;", "assistant;", "user;", "<Hi>", "<Bye>", "ab", "ab", "END"])
        #expect(tagged.map(\.1) == [nil, 1, 2, 3, 1, 3, 2, 3, nil])
    }

    @Test("macro output is attributed where it is written; generation spans carry the message")
    func macroAndGeneration() throws {
        let source = """
            {% macro turn(m) %}<{{ m.role }}>{{ m.content }}{% endmacro %}\
            {% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ turn(m) }}{% endgeneration %}{% else %}{{ turn(m) }}{% endif %}{% endfor %}
            """
        let rendering = try render(source, ["messages": Self.conversation])
        #expect(rendering.text == "<system>Be brief.<user>Hi<assistant>Hello<user>Bye")
        #expect(rendering.segments.map(\.messageIndex) == [0, 1, 2, 3])
        #expect(rendering.generations == [JinjaGenerationSpan(range: 25..<41, messageIndex: 2)])
    }

    @Test("offsets and lengths count Unicode scalars, as Python counts code points")
    func scalarOffsets() throws {
        // "é" as e + combining acute is two code points; 😀 is one; a flag is two.
        let rendering = try render("{{ s|length }} {{ s[1] }}|{% generation %}{{ s }}{% endgeneration %}", ["s": .string("e\u{301}😀🇫🇷")])
        #expect(rendering.text.hasPrefix("5 \u{301}|"))
        #expect(rendering.generations.map(\.range) == [4..<9])
        #expect(rendering.scalarCount == 9)
    }

    @Test("JSON converts with key order, ints and floats kept apart")
    func jsonConversion() throws {
        let json = try JSONParser.parse(#"{"z": 1, "a": 1.0, "m": [true, null, "x"], "big": 1e-5}"#)
        let rendering = try render("{{ d|tojson }} {{ d.a }} {{ d.z }}", ["d": JinjaValue(json)])
        #expect(rendering.text == #"{"z": 1, "a": 1.0, "m": [true, null, "x"], "big": 1e-05} 1.0 1"#)
    }

    @Test("strftime_now formats the given time")
    func strftime() throws {
        var components = DateComponents()
        (components.year, components.month, components.day) = (2024, 7, 26)
        let date = try #require(Calendar(identifier: .gregorian).date(from: components))
        let rendering = try JinjaTemplate(source: "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %A') }}", name: "t").render([:], now: date)
        #expect(rendering.text == "26 Jul 2024|2024-07-26 Friday")
    }

    @Test("hostile input is an error, not a crash")
    func hostileInput() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(throws: JinjaError.self) { try JinjaTemplate(source: "{{ \(deep) }}", name: "t") }
        let nested = String(repeating: "{% if true %}", count: 1000) + String(repeating: "{% endif %}", count: 1000)
        #expect(throws: JinjaError.self) { try JinjaTemplate(source: nested, name: "t") }
        #expect(throws: JinjaError.self) { try render("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}") }
        #expect(throws: JinjaError.self) { try render("{{ range(1000000)|length }}") }
    }

    @Test("a template is parsed once and renders many contexts")
    func reuse() throws {
        let template = try JinjaTemplate(source: "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}", name: "t")
        #expect(try template.render(["bos_token": .string("<s>"), "messages": .list([Self.message("user", "a")])]).text == "<s>a")
        #expect(try template.render(["messages": .list([])]).text == "")
    }
}
