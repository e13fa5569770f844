import Collate
import Testing
@testable import CollateTokenizers

/// The per-render conversion of a conversation's JSON into template values
/// (`ChatTemplate.templateVariables`): transformers 5.23's message preprocessing
/// (`apply_chat_template`: null keys dropped, `{"thinking": reasoning, **message,
/// "reasoning_content": reasoning}`), key order, Python's byte-exact `str` keys, and variables a
/// template never names left out.
@Suite("Jinja values from a conversation's JSON (transformers 5.23 preprocessing)")
struct JinjaValueConversionTests {
    /// Messages covering every preprocessing branch: nothing to do, nulls, each reasoning key
    /// alone, several together (the first of reasoning_content, thinking, reasoning wins), a null
    /// reasoning key (dropped, not used), nested values, only nulls besides the role.
    static let messages: [JSONObject] = [
        JSONObject([("role", .string("user")), ("content", .string("Hi"))]),
        JSONObject([("role", .string("assistant")), ("content", .null), ("tool_calls", .array([.object(JSONObject([("id", .string("1"))]))]))]),
        JSONObject([("role", .string("assistant")), ("content", .string("a")), ("reasoning", .string("r"))]),
        JSONObject([("role", .string("assistant")), ("thinking", .string("t")), ("content", .string("a"))]),
        JSONObject([("reasoning_content", .string("rc")), ("role", .string("assistant")), ("content", .string("a"))]),
        JSONObject([("role", .string("assistant")), ("reasoning", .string("r")), ("thinking", .string("t")), ("content", .string("a"))]),
        JSONObject([("role", .string("assistant")), ("reasoning_content", .null), ("thinking", .string("t")), ("reasoning", .string("r"))]),
        JSONObject([("role", .string("assistant")), ("thinking", .null), ("reasoning", .object(JSONObject([("k", .integer(1))]))), ("content", .string("a"))]),
        JSONObject([("role", .string("assistant")), ("content", .array([.object(JSONObject([("type", .string("text")), ("text", .string("x"))]))]))]),
        JSONObject([("role", .string("user")), ("name", .null), ("content", .null)]),
    ]

    /// The converted messages equal the JSON that `ChatConversation.preprocessedMessages()`
    /// builds (transformers' Python, step by step) converted value by value, keys in its order.
    @Test(arguments: messages.indices)
    func messageMatchesThePreprocessedJSON(_ index: Int) throws {
        let message = Self.messages[index]
        let conversation = ChatConversation([try ChatMessage(fields: message)])
        let expected = conversation.preprocessedMessages().map { JinjaValue(.object($0)) }
        let converted = JinjaValue._preprocessedMessages(conversation.messages.map(\.fields))
        #expect(converted == expected)
        for (got, want) in zip(converted, expected) {
            guard case .dict(let got) = got, case .dict(let want) = want else {
                Issue.record("a message did not convert to a dictionary")
                continue
            }
            #expect(got.keys == want.keys)
        }
    }

    /// Reasoning aliased in Python's order: `thinking` first, `reasoning_content` where it was or last.
    @Test func preprocessingOrder() {
        let converted = JinjaValue._preprocessedMessages([Self.messages[5], Self.messages[6], Self.messages[2]])
        let keys = converted.map { value -> [String] in
            if case .dict(let dict) = value { return dict.keys }
            return []
        }
        #expect(keys[0] == ["thinking", "role", "reasoning", "content", "reasoning_content"])
        #expect(keys[1] == ["thinking", "role", "reasoning", "reasoning_content"])
        #expect(keys[2] == ["thinking", "role", "content", "reasoning", "reasoning_content"])
        guard case .dict(let first) = converted[0], case .dict(let second) = converted[1] else {
            Issue.record("messages did not convert to dictionaries")
            return
        }
        // The first non-null of reasoning_content, thinking, reasoning; a message's own thinking stays.
        #expect(first["thinking"] == .string("t"))
        #expect(first["reasoning_content"] == .string("t"))
        #expect(second["reasoning_content"] == .string("t"))
    }

    /// Keys are Python `str`s: two keys that are canonically equivalent but not the same code
    /// points are two keys (objects of one list sharing a key array must not merge them).
    @Test func keysCompareByCodePoints() {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let list = JinjaValue(.array([
            .object(JSONObject([(composed, .integer(1))])),
            .object(JSONObject([(decomposed, .integer(2))])),
        ]))
        guard case .list(let items) = list, case .dict(let first) = items[0], case .dict(let second) = items[1] else {
            Issue.record("not a list of two dictionaries")
            return
        }
        #expect(Array(first.keys[0].utf8) == Array(composed.utf8))
        #expect(Array(second.keys[0].utf8) == Array(decomposed.utf8))
        #expect(first[composed] == .int(1))
        #expect(first[decomposed] == nil)
        #expect(second[decomposed] == .int(2))
        #expect(second[composed] == nil)
        var dict = JinjaDict([(composed, .int(1)), (decomposed, .int(2))])
        #expect(dict.count == 2)
        dict[decomposed] = .int(3)
        #expect(dict[composed] == .int(1))
        #expect(dict[decomposed] == .int(3))
    }

    /// Given its template, the variables leave out (unconverted) what the template never names;
    /// the rendering is the same as with every variable.
    @Test func variablesTheTemplateNeverNamesAreLeftOut() throws {
        let template = try JinjaTemplate(source: "{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}{{ eos_token }}", name: "t")
        let conversation = ChatConversation(
            [.user("Hello"), .assistant("Hi")], tools: [.object(JSONObject([("type", .string("function"))]))],
            variables: JSONObject([("enable_thinking", .bool(true))]))
        let special = ["bos_token": "<s>", "eos_token": "</s>"]
        let all = ChatTemplate.templateVariables(for: conversation, specialTokens: special)
        let read = ChatTemplate.templateVariables(for: conversation, specialTokens: special, template: template)
        #expect(all.contains { $0.key == "tools" })
        #expect(all.contains { $0.key == "enable_thinking" })
        #expect(!read.contains { $0.key == "tools" })
        #expect(!read.contains { $0.key == "enable_thinking" })
        #expect(read.contains { $0.key == "messages" })
        #expect(try template.render(variables: all).text == "user:Hello;assistant:Hi;</s>")
        #expect(try template.render(variables: read).text == "user:Hello;assistant:Hi;</s>")
    }

    /// Each render converts afresh: a render's values are its own (a conversation rendered
    /// twice gives the same text, and the caller's conversation is unchanged).
    @Test func rendersAreIndependent() throws {
        let template = try JinjaTemplate(
            source: "{% set ns = namespace(m=messages[0]) %}{% for m in messages %}{{ m | tojson }}{% endfor %}{{ ns.m.content }}", name: "t")
        let conversation = ChatConversation([.user("Hello")], variables: JSONObject())
        let before = conversation
        let first = try template.render(variables: ChatTemplate.templateVariables(for: conversation, specialTokens: [:], template: template)).text
        let second = try template.render(variables: ChatTemplate.templateVariables(for: conversation, specialTokens: [:], template: template)).text
        #expect(first == #"{"role": "user", "content": "Hello"}Hello"#)
        #expect(second == first)
        #expect(conversation == before)
    }

    /// Templates that read a conversation's nested values every way a template can: `tojson`
    /// (plain, indented, sorted, with separators, of a member read before or not), attributes,
    /// items, `in`, `length`, equality, iteration, `repr`.
    static let nestedReads = [
        "{{ tools | tojson }}",
        "{{ tools | tojson(indent=2) }}",
        "{{ tools[0] | tojson(sort_keys=true) }}",
        "{{ tools | tojson(separators=(',', ':')) }}",
        "{{ tools[0].function.name }}{{ tools[0] | tojson }}",
        "{% for t in tools %}{{ t.function.parameters.properties | length }}{{ t.function.parameters | tojson }}{% endfor %}",
        "{% for k, v in tools[0].function.parameters.properties.items() %}{{ k }}={{ v }};{% endfor %}",
        "{{ 'function' in tools[0] }}{{ tools[0] == tools[0] }}{{ tools[0].function.parameters.required }}{{ tools[0] }}",
        "{% for m in messages %}{{ m.tool_calls | default(none) | tojson }}{% for c in m.tool_calls or [] %}{{ c.function.arguments | tojson }}{{ c.function.arguments.city }}{% endfor %}{{ m }}{% endfor %}",
        "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{{ p.type }}:{{ p | tojson }}{% endfor %}{% endif %}{% endfor %}",
        "{{ messages | tojson }}{{ messages[1].tool_calls[0].function.arguments.units | tojson }}",
        "{{ meta | tojson }}{{ meta.nested.list[1].x }}{{ meta | tojson }}",
    ]

    /// The variables a render gets from `templateVariables` render what the conversation's
    /// values converted one by one with `JinjaValue(_:)` render.
    @Test(arguments: nestedReads)
    func templateVariablesRenderAsValuesConvertedOneByOne(_ source: String) throws {
        let weather = JSONObject([
            ("type", .string("function")),
            ("function", .object(JSONObject([
                ("name", .string("get_weather")), ("description", .string("Weather \"now\"")),
                ("parameters", .object(JSONObject([
                    ("type", .string("object")),
                    ("properties", .object(JSONObject([
                        ("city", .object(JSONObject([("type", .string("string"))]))),
                        ("units", .object(JSONObject([("type", .string("string")), ("enum", .array([.string("c"), .string("f")]))]))),
                    ]))),
                    ("required", .array([.string("city")])),
                ]))),
            ]))),
        ])
        let call = JSONValue.object(JSONObject([
            ("type", .string("function")),
            ("function", .object(JSONObject([("name", .string("get_weather")), ("arguments", .object(JSONObject([("city", .string("Oslo")), ("units", .array([.integer(1), .number("2.5")]))])))]))),
        ]))
        let messages = [
            try ChatMessage(fields: JSONObject([("role", .string("user")), ("content", .array([.object(JSONObject([("type", .string("text")), ("text", .string("Hi"))]))]))])),
            try ChatMessage(fields: JSONObject([("role", .string("assistant")), ("content", .null), ("tool_calls", .array([call]))])),
            try ChatMessage(fields: JSONObject([("role", .string("tool")), ("content", .string("{}"))])),
        ]
        let meta = JSONValue.object(JSONObject([("nested", .object(JSONObject([("list", .array([.integer(0), .object(JSONObject([("x", .bool(true))]))]))])))]))
        let conversation = ChatConversation(messages, tools: [.object(weather)], variables: JSONObject([("meta", meta)]))
        let template = try JinjaTemplate(source: source, name: "nested")
        var whole: [String: JinjaValue] = [:]
        whole["tools"] = JinjaValue(.array([.object(weather)]))
        whole["messages"] = .list(conversation.preprocessedMessages().map { JinjaValue(.object($0)) })
        whole["meta"] = JinjaValue(meta)
        let expected = try template.render(whole).text
        let variables = ChatTemplate.templateVariables(for: conversation, specialTokens: [:], template: template)
        #expect(try template.render(variables: variables).text == expected)
        // Rendered again from the same variables: the same.
        #expect(try template.render(variables: variables).text == expected)
    }

    /// A dictionary is a value: writing to a copy (replace, add, remove) leaves the original as
    /// it was, in its key order; a repeated key keeps its first position and its last value
    /// (Python's `dict`).
    @Test func dictionaryWritesCopyShared() {
        let original = JinjaDict([("a", .int(1)), ("b", .int(2))])
        var replaced = original
        replaced["a"] = .int(9)
        var added = original
        added["c"] = .int(3)
        var removed = original
        removed["a"] = nil
        var unique = JinjaDict([("x", .int(1))])
        unique["x"] = .int(2)
        unique["y"] = .int(3)
        #expect(original.keys == ["a", "b"] && original["a"] == .int(1) && original["b"] == .int(2))
        #expect(replaced.keys == ["a", "b"] && replaced["a"] == .int(9) && replaced["b"] == .int(2))
        #expect(added.keys == ["a", "b", "c"] && added["c"] == .int(3) && added["a"] == .int(1))
        #expect(removed.keys == ["b"] && removed["a"] == nil)
        #expect(unique.keys == ["x", "y"] && unique["x"] == .int(2) && unique["y"] == .int(3))
        let repeated = JinjaDict([("a", .int(1)), ("b", .int(2)), ("a", .int(3))])
        #expect(repeated.keys == ["a", "b"] && repeated["a"] == .int(3))
        #expect(JinjaDict().count == 0)
    }

    /// String equality as Python's `str ==`: the same code points, whatever Swift's representation
    /// (small or heap strings, a short string in a large buffer, built piece by piece).
    @Test func stringEqualityComparesCodePoints() {
        func built(_ text: String) -> String {
            var out = String()
            out.reserveCapacity(64)
            for scalar in text.unicodeScalars { out.unicodeScalars.append(scalar) }
            return out
        }
        let texts = ["", "a", "role", "name", "content", "tool_calls", "exactly15bytes!", "exactly16bytes!!", "reasoning_content", "\u{E9}", "e\u{301}", "caf\u{E9} au lait", "\u{1F600}x"]
        for a in texts {
            for b in texts {
                let same = Array(a.unicodeScalars) == Array(b.unicodeScalars)
                #expect(_pythonStringEqual(a, b) == same, "\(a) vs \(b)")
                #expect(_pythonStringEqual(built(a), b) == same, "built \(a) vs \(b)")
                #expect(_pythonStringEqual(a, built(b)) == same, "\(a) vs built \(b)")
                #expect(_pythonStringEqual(String(a.prefix(20)) + "", built(b)) == same, "copied \(a) vs built \(b)")
            }
        }
    }

    /// `str()` of a list writes each string as Python's `repr` (CPython 3: the quote it picks,
    /// escapes only where needed): printed by python3 for the same list.
    @Test func listReprQuotesAsPython() {
        let value = JinjaValue.list([
            .string("a"), .string("it's"), .string("say \"hi\""), .string("both ' and \""), .string("back\\slash"),
            .string("tab\t"), .string("caf\u{E9}"), .string(""), .string("del\u{7F}"), .dict(JinjaDict([("k", .string("v'"))])),
        ])
        #expect(value.pythonString == #"['a', "it's", 'say "hi"', 'both \' and "', 'back\\slash', 'tab\t', 'café', '', 'del\x7f', {'k': "v'"}]"#)
    }
}
