import Testing
@testable import CollateTokenizers

/// Interpreter-core semantics beyond the attack corpus: `loop.changed`, `%` with a dictionary,
/// ordering an undefined value, the sandbox's refused attributes. Each expectation is what
/// jinja2 3.1.6 renders (or raises) in transformers 5.23's chat-template environment
/// (`ImmutableSandboxedEnvironment`), checked with that library.
@Suite("Jinja core semantics (jinja2 3.1.6, transformers 5.23 chat-template environment)")
struct JinjaCoreSemanticsTests {
    static let renderings: [(String, String)] = [
        ("{% for r in [1,1,2,1] %}{{ loop.changed(r, 0) }}{% endfor %}", "TrueFalseTrueTrue"),
        ("{% for r in ['a','a','b'] %}{{ loop.changed(r) }}{% endfor %}", "TrueFalseTrue"),
        ("{{ '%(a)s-%(b)r' % {'a': 1, 'b': 'x'} }}", "1-'x'"),
        ("{{ '%(a)05d' % {'a': 3} }}", "00003"),
        ("{{ '%s' % {'a': 1} }}", "{'a': 1}"),
        ("{{ 'abc' % {'a': 1} }}", "abc"),
        ("{{ ''.__class__ is defined }}|{{ ''.__class__ or 1 }}", "False|1"),
        ("{{ ''.__class__ }}", ""),
    ]

    @Test(arguments: renderings)
    func rendersAsJinja2(_ source: String, _ expected: String) throws {
        let template = try JinjaTemplate(source: source, name: "t")
        #expect(try template.render([:]).text == expected)
    }

    static let failures: [(String, JinjaError.Kind)] = [
        ("{{ '%(a)s %s' % {'a': 1} }}", .type),  // TypeError: not enough arguments for format string
        ("{{ '%(a)s' % [1] }}", .type),  // TypeError (a key needs a dictionary operand)
        ("{% for r in [1] %}{{ loop.changed(r, k=1) }}{% endfor %}", .type),
        ("{{ nothing < 1 }}", .undefined),
        ("{{ 1 >= nothing }}", .undefined),
        ("{{ ''.__class__() }}", .security),
        ("{{ ''['__class__']['x'] }}", .security),
        ("{{ ().__class__.__mro__ }}", .security),
        ("{{ {}.__class__.__subclasses__() }}", .security),
    ]

    @Test(arguments: failures)
    func failsAsJinja2(_ source: String, _ kind: JinjaError.Kind) throws {
        let template = try JinjaTemplate(source: source, name: "t")
        let error = #expect(throws: JinjaError.self) { try template.render([:]) }
        #expect(error?.kind == kind, "\(String(describing: error))")
    }

    @Test func refusedAttributeNamesItAsJinja2Does() throws {
        let template = try JinjaTemplate(source: "{{ ''.__class__.__mro__ }}", name: "t")
        let error = #expect(throws: JinjaError.self) { try template.render([:]) }
        #expect(error?.message.hasPrefix("access to attribute '__class__' of 'str' object is unsafe") == true)
    }

    /// Tuples (`dict.items()`'s pairs, `dictsort`, a macro's `varargs`) behave as lists and
    /// print as Python tuples.
    static let tuples: [(String, String)] = [
        ("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "b=1;a=2;"),
        ("{{ d.items() | list | tojson }}", "[[\"b\", 1], [\"a\", 2]]"),
        ("{{ d | dictsort }}", "[('a', 2), ('b', 1)]"),
        ("{{ d | items | list }}", "[('b', 1), ('a', 2)]"),
        ("{% macro m() %}{{ varargs }}|{{ varargs | length }}|{{ varargs[0] }}|{{ 2 in varargs }}|{{ varargs | tojson }}{% endmacro %}{{ m(1, 2) }}",
         "(1, 2)|2|1|True|[1, 2]"),
        ("{% macro m() %}{{ varargs }}{{ varargs is defined }}{% if varargs %}T{% endif %}{% endmacro %}{{ m(5) }}", "(5,)TrueT"),
        ("{{ (d.items() | list)[0][1] }}{{ (d.items()|list)[0] == (d.items()|list)[0] }}", "1True"),
        ("{{ d.items() | list | sort }}", "[('a', 2), ('b', 1)]"),
        ("{% macro m() %}{{ '%s-%s' % varargs }}|{{ varargs[1:] }}|{{ varargs[:1] }}|{{ varargs[::-1] | list }}{% endmacro %}{{ m(1, 2) }}",
         "1-2|(2,)|(1,)|[2, 1]"),
        ("{{ (d.items() | list)[0] | string }}{{ (d.items() | list)[0] | join('-') }}", "('b', 1)b-1"),
    ]

    @Test(arguments: tuples)
    func tuplesAsJinja2(_ source: String, _ expected: String) throws {
        let template = try JinjaTemplate(source: source, name: "t")
        let context: [String: JinjaValue] = ["d": .dict(JinjaDict([("b", .int(1)), ("a", .int(2))]))]
        #expect(try template.render(context).text == expected)
    }

    @Test func dictionaryKeyWithUnderscoreIsStillAnItem() throws {
        // jinja2 falls back to the item when Python has no such attribute.
        let template = try JinjaTemplate(source: "{{ d._x }}{{ d['__y'] }}", name: "t")
        let context: [String: JinjaValue] = ["d": .dict(JinjaDict([("_x", .int(1)), ("__y", .int(2))]))]
        #expect(try template.render(context).text == "12")
    }
}
