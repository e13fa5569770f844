import Collate
import Testing

@Suite("Decoding examples from JSON")
struct ExampleDecodingTests {
    struct BadLine: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let error: ExampleDecodingError
        var testDescription: String { name }
    }

    static let badLines: [BadLine] = [
        BadLine(name: "float id", json: #"{"input_ids": [1, 2.0]}"#,
                error: ExampleDecodingError(field: "input_ids[1]", value: "2.0", reason: "token ids must be JSON integers (found number); write ids as whole numbers, one flat array per field")),
        BadLine(name: "string id", json: #"{"input_ids": ["1"]}"#,
                error: ExampleDecodingError(field: "input_ids[0]", value: "\"1\"", reason: "token ids must be JSON integers (found string); write ids as whole numbers, one flat array per field")),
        BadLine(name: "boolean id", json: #"{"input_ids": [true]}"#,
                error: ExampleDecodingError(field: "input_ids[0]", value: "true", reason: "token ids must be JSON integers (found boolean); write ids as whole numbers, one flat array per field")),
        BadLine(name: "nested array", json: #"{"input_ids": [[1, 2]]}"#,
                error: ExampleDecodingError(field: "input_ids[0]", value: "[1, 2]", reason: "token ids must be JSON integers (found array); write ids as whole numbers, one flat array per field")),
        BadLine(name: "id beyond Int32", json: #"{"input_ids": [2147483648]}"#,
                error: ExampleDecodingError(field: "input_ids[0]", value: "2147483648", reason: "does not fit in 32 bits; token ids and labels must be between -2147483648 and 2147483647")),
        BadLine(name: "huge integer", json: #"{"input_ids": [99999999999999999999]}"#,
                error: ExampleDecodingError(field: "input_ids[0]", value: "99999999999999999999", reason: "does not fit in 32 bits; token ids and labels must be between -2147483648 and 2147483647")),
        BadLine(name: "text field", json: #"{"input_ids": [1], "text": "hi"}"#,
                error: ExampleDecodingError(field: "text", value: "\"hi\"", reason: "example fields must be integers or arrays of integers (found string); tokenize text fields first or drop them")),
        BadLine(name: "array line", json: #"[1, 2, 3]"#,
                error: ExampleDecodingError(field: "", value: "[1, 2, 3]", reason: "an example must be a JSON object of named integer arrays, e.g. {\"input_ids\": [1, 2, 3]}")),
        BadLine(name: "truncated", json: #"{"input_ids": [1, 2"#,
                error: ExampleDecodingError(field: "", value: #"{"input_ids": [1, 2"#, reason: "invalid JSON at byte 19: unexpected end of input in an array (a truncated line?), expected ',' or ']'")),
    ]

    @Test("A bad line is rejected with the field and value", arguments: badLines)
    func badLine(_ bad: BadLine) {
        #expect(throws: bad.error) { try Example(jsonText: bad.json) }
    }

    @Test func decodesSequencesScalarsAndNullInOrder() throws {
        let example = try Example(jsonText: #"{"labels": null, "input_ids": [1, -100, 2147483647], "label": 3}"#)
        #expect(example.names == ["labels", "input_ids", "label"])
        #expect(example.inputIDs == [1, -100, 2147483647])
        #expect(example["labels"] == .null)
        #expect(!example.has("labels"))
        #expect(example.scalar("label") == 3)
    }

    @Test func parserIsStrict() {
        for text in ["{\"a\": 01}", "{\"a\": [1,]}", "{'a': 1}", "{\"a\": 1} x", "{\"a\": \"\\x\"}", "{\"a\": NaN}"] {
            #expect(throws: JSONSyntaxError.self, "\(text)") { try JSONParser.parse(text) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func parserReadsEscapesAndUnicode() throws {
        let value = try JSONParser.parse(#"{"s": "a\n\u00e9\ud83d\ude00\"", "n": -0, "big": 1e400}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["s"] == .string("a\né😀\""))
        #expect(object["n"] == .integer(0))
        #expect(object["big"] == .number("1e400"))
    }

    /// Python's `json` keeps the last of two equal keys without a word; Collate refuses them,
    /// naming the key, its line when the text has several, and the fix.
    @Test func repeatedKeyIsAnErrorNamingTheKeyAndTheFix() throws {
        #expect(throws: JSONSyntaxError(
            offset: 17, reason: #"duplicate key "a": remove one of the two "a" keys; Python's json would silently keep the last"#, duplicateKey: "a")
        ) { try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#) }
        #expect(throws: JSONSyntaxError(
            offset: 46, reason: #"duplicate key "pad_token_id" on line 4: remove one of the two "pad_token_id" keys; Python's json would silently keep the last"#,
            duplicateKey: "pad_token_id")
        ) { try JSONParser.parse("{\n  \"type\": \"padding\",\n  \"pad_token_id\": 0,\n  \"pad_token_id\": 2\n}\n") }
        // Nested objects are checked too; the same key in two different objects is fine.
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#"{"model": {"kind": "causal-lm", "kind": "seq2seq-lm"}}"#) }
        #expect(throws: Never.self) { try JSONParser.parse(#"{"a": {"k": 1}, "b": {"k": 2}}"#) }
        let error = try #require(throws: ExampleDecodingError.self) { try Example(jsonText: #"{"input_ids": [1], "input_ids": [2, 3]}"#) }
        #expect(error.reason.contains(#"duplicate key "input_ids": remove one of the two "input_ids" keys"#), "\(error)")
    }

    @Test func keepLastKeepsTheFirstPlaceAndTheLastValue() throws {
        var text = #"{"a": 1, "b": 2, "a": 3}"#
        let value = try text.withUTF8 { bytes in try JSONParser.parse(bytes, duplicateKeys: .keepLast) }
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == .integer(3))
    }
}
