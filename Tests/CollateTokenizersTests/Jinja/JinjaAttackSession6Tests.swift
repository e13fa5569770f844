import CollateTokenizers
import Foundation
import Testing

/// Findings of the session-6 attack on the Jinja interpreter, driven through `collate chat
/// --template X.jinja` and compared with jinja2 3.1.6 as transformers 5.23 configures it
/// (`transformers.utils.chat_template_utils._compile_jinja_template`: an
/// ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and loopcontrols).
@Suite("Jinja attack, session 6")
struct JinjaAttackSession6Tests {
    /// Renders `source` with `context`, or returns the error's text.
    static func render(_ source: String, _ context: [String: JinjaValue] = [:]) -> Result<String, JinjaError> {
        do {
            let template = try JinjaTemplate(source: source, name: "t")
            return .success(try template.render(context).text)
        } catch {
            return .failure(error)
        }
    }

    /// Was a crash (Swift arithmetic overflow trap): `truncate` added the leeway to a huge
    /// length. jinja2 returns the text unchanged (`len(s) <= length + leeway`).
    @Test func truncateWithAHugeLengthReturnsTheText() throws {
        #expect(try Self.render("{{ 'abcdef' | truncate(9223372036854775807) }}").get() == "abcdef")
        #expect(try Self.render("{{ 'abcdefghijkl' | truncate(6, leeway=9223372036854775807) }}").get() == "abcdefghijkl")
        #expect(try Self.render("{{ 'abcdefghijkl' | truncate(6) }}").get() == "abc...")
    }

    /// Was a crash (stack overflow, SIGSEGV, from about 3,000 links in a debug build): a long
    /// chain of `not`, of binary operators, of filters or of attributes. jinja2 renders these
    /// (Python's parser has its own limits: 100,000 `not` is a RecursionError there); Collate
    /// now refuses more than 128 nested `not` and more than 1,024 links in one statement, by
    /// name, and renders chains under the limits.
    @Test(arguments: [
        ("{{ " + String(repeating: "not ", count: 100_000) + "true }}", "nested more than 128 deep"),
        ("{{ " + String(repeating: "1 + ", count: 100_000) + "1 }}", "more than 1024 operators"),
        ("{{ 'a'" + String(repeating: " | upper", count: 100_000) + " }}", "more than 1024 operators"),
        ("{{ x" + String(repeating: ".a", count: 100_000) + " }}", "more than 1024 operators"),
        ("{{ " + String(repeating: "'a' ~ ", count: 100_000) + "'b' }}", "more than 1024 operators"),
        ("{% if " + String(repeating: "1 < ", count: 5_000) + "2 %}x{% endif %}", "more than 1024 operators"),
    ])
    func longChainsAreRefusedNotACrash(_ source: String, _ message: String) {
        guard case .failure(let error) = Self.render(source) else {
            Issue.record("rendered")
            return
        }
        #expect("\(error)".contains(message), "\(error)")
    }

    /// Chains under the limits render as jinja2 renders them; a long list literal is no chain.
    @Test func chainsUnderTheLimitsRender() throws {
        #expect(try Self.render("{{ " + String(repeating: "1 + ", count: 1_000) + "1 }}").get() == "1001")
        #expect(try Self.render("{{ " + String(repeating: "not ", count: 100) + "true }}").get() == "True")
        #expect(try Self.render("{{ [" + String(repeating: "1, ", count: 20_000) + "] | length }}").get() == "20000")
        // The budget is per statement: many statements each under it.
        #expect(try Self.render(String(repeating: "{{ 1 + 1 + 1 }}", count: 2_000)).get() == String(repeating: "3", count: 2_000))
    }

    /// `inf | int` is an error (it rendered 0): jinja2's `do_int` calls `int(value)`, which raises
    /// OverflowError ("cannot convert float infinity to integer") for an infinite float, and
    /// catches only TypeError and ValueError: the render fails. (NaN is a ValueError there and
    /// gives the default, 0, as Collate does.) A literal `1e400 | int` is a NameError in jinja2
    /// (its constant folding writes `inf` into the generated code), so this comes from data.
    @Test func anInfiniteFloatToIntIsAnError() throws {
        let messages: JinjaValue = .list([.dict(JinjaDict([("role", .string("user")), ("content", .string("inf"))]))])
        // jinja2 3.1.6's do_int lets OverflowError through: `int(float('inf'))`.
        let result = Self.render("{{ messages[0].content | float | int }}", ["messages": messages])
        if case .success(let text) = result { Issue.record("rendered \(text)") }
        #expect(try Self.render("{{ messages[0].content | float | int }}", ["messages": .list([.dict(JinjaDict([("content", .string("nan"))]))])]).get() == "0")
    }

    /// The `format` filter (and `%`) is refused past the 64 MiB every other
    /// builder refuses (`join`, `*`, `~`, `center`: "more than the 67108864 a chat template may
    /// build"): 20 arguments of 30 MB made a 600 MB string (1 GB RSS), so memory grows with the
    /// arguments (before the fix). jinja2 has no limit and renders "90000000" here; Collate's rule is a limit error.
    @Test func formatIsBoundedAsTheOtherBuilders() throws {
        let result = Self.render("{{ ('%s' * 3) | format(*(['x' * 30000000] * 3)) | length }}")
        if case .failure(let error) = result {
            #expect("\(error)".contains("67108864"), "\(error)")
        } else {
            Issue.record("rendered \((try? result.get()) ?? "")")
        }
        // Under the limit, the same formatting renders.
        #expect(try Self.render("{{ ('%s' * 3) | format(*(['x' * 1000] * 3)) | length }}").get() == "3000")
        // The same value through join is refused.
        guard case .failure(let error) = Self.render("{{ (['x' * 30000000] * 3) | join | length }}") else {
            Issue.record("join rendered")
            return
        }
        #expect("\(error)".contains("67108864"), "\(error)")
    }
}
