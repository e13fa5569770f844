import Foundation
import Testing
@testable import CollateTokenizers

/// A malformed `tokenizer.json` and the exact error it must give.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let error: TokenizerJSONError

    var testDescription: String { name }

    /// A valid minimal model, for documents that break something else.
    static let model = #""model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]}"#

    static let all: [MalformedCase] = [
        MalformedCase(
            name: "not JSON", json: #"{"model": "#,
            error: .malformedJSON(file: "tokenizer.json")),
        MalformedCase(
            name: "root not an object", json: "[1, 2]",
            error: .wrongType(path: "(root)", expected: "an object", found: "an array")),
        MalformedCase(
            name: "no model", json: #"{"normalizer": null}"#,
            error: .missingKey(path: "model")),
        MalformedCase(
            name: "missing model.vocab", json: #"{"model": {"type": "BPE", "merges": []}}"#,
            error: .missingKey(path: "model.vocab")),
        MalformedCase(
            name: "model.vocab wrong type", json: #"{"model": {"type": "BPE", "vocab": [], "merges": []}}"#,
            error: .wrongType(path: "model.vocab", expected: "an object", found: "an array")),
        MalformedCase(
            name: "vocab id not an integer", json: #"{"model": {"type": "BPE", "vocab": {"a": "0"}, "merges": []}}"#,
            error: .wrongType(path: #"model.vocab["a"]"#, expected: "a non-negative integer id", found: "a string")),
        MalformedCase(
            name: "vocab id 2^31", json: #"{"model": {"type": "BPE", "vocab": {"a": 2147483648}, "merges": []}}"#,
            error: .invalidValue(path: #"model.vocab["a"]"#, value: "2147483648",
                                 reason: "ids must be below 16777216 (the largest real vocabularies hold about 262k tokens); the id-to-token table is dense")),
        MalformedCase(
            name: "vocab id 2^31 written 2.147483648e9", json: #"{"model": {"type": "BPE", "vocab": {"a": 2.147483648e9}, "merges": []}}"#,
            error: .invalidValue(path: #"model.vocab["a"]"#, value: "2147483648",
                                 reason: "ids must be below 16777216 (the largest real vocabularies hold about 262k tokens); the id-to-token table is dense")),
        MalformedCase(
            name: "vocab id negative", json: #"{"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}}"#,
            error: .wrongType(path: #"model.vocab["a"]"#, expected: "a non-negative integer id", found: "a number")),
        MalformedCase(
            name: "merges wrong type", json: #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": 3}}"#,
            error: .wrongType(path: "model.merges", expected: "an array", found: "a number")),
        MalformedCase(
            name: "merge element wrong type", json: #"{"model": {"type": "BPE", "vocab": {"a": 0, "aa": 1}, "merges": [["a", "a"], [1, 2]]}}"#,
            error: .wrongType(
                path: "model.merges[1]", expected: "a pair [\"left\", \"right\"] or a string \"left right\"",
                found: "an array")),
        MalformedCase(
            name: "merge of unknown token", json: #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}"#,
            error: .tokenNotInVocabulary(path: "model.merges[0]", token: "ab")),
        MalformedCase(
            name: "merge whose left token is unknown", json: #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"], ["x", "b"]]}}"#,
            error: .tokenNotInVocabulary(path: "model.merges[1]", token: "x")),
        MalformedCase(
            name: "merge whose right token is unknown", json: #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a y"]}}"#,
            error: .tokenNotInVocabulary(path: "model.merges[0]", token: "y")),
        MalformedCase(
            name: "merge with a continuing-subword prefix whose merged token is unknown",
            json: ###"{"model": {"type": "BPE", "continuing_subword_prefix": "##", "vocab": {"a": 0, "##b": 1, "a##b": 2}, "merges": [["a", "##b"]]}}"###,
            error: .tokenNotInVocabulary(path: "model.merges[0]", token: "ab")),
        MalformedCase(
            name: "canonically equivalent merge token is not the vocabulary's", json: #"{"model": {"type": "BPE", "vocab": {"e": 0, "́": 1, "é": 2}, "merges": [["e", "́"]]}}"#,
            error: .tokenNotInVocabulary(path: "model.merges[0]", token: "e\u{301}")),
        MalformedCase(
            name: "unk_token not in vocab", json: #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "unk_token": "<unk>"}}"#,
            error: .tokenNotInVocabulary(path: "model.unk_token", token: "<unk>")),
        MalformedCase(
            name: "unsupported model", json: #"{"model": {"type": "CharLevel", "vocab": {}}}"#,
            error: .unsupportedComponent(path: "model.type", type: "CharLevel")),
        MalformedCase(
            name: "unsupported normalizer in a sequence",
            json: #"{"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "_"}, {"type": "NFC"}, {"type": "Cyrillic"}]}, "# + model + "}",
            error: .unsupportedComponent(path: "normalizer.normalizers[2].type", type: "Cyrillic")),
        MalformedCase(
            name: "unsupported pre-tokenizer",
            json: #"{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "FixedLength", "length": 5}]}, "# + model + "}",
            error: .unsupportedComponent(path: "pre_tokenizer.pretokenizers[0].type", type: "FixedLength")),
        MalformedCase(
            name: "unsupported decoder",
            json: #"{"decoder": {"type": "Sequence", "decoders": [{"type": "Fuse"}, {"type": "Cyrillic"}]}, "# + model + "}",
            error: .unsupportedComponent(path: "decoder.decoders[1].type", type: "Cyrillic")),
        MalformedCase(
            name: "unsupported post-processor",
            json: #"{"post_processor": {"type": "Cyrillic"}, "# + model + "}",
            error: .unsupportedComponent(path: "post_processor.type", type: "Cyrillic")),
        MalformedCase(
            name: "invalid regex",
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(\\p{L}+"}, "behavior": "Isolated", "invert": false}, "# + model + "}",
            error: .invalidRegex(path: "pre_tokenizer.pattern.Regex", pattern: #"(\p{L}+"#)),
        MalformedCase(
            name: "unknown split behavior",
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Dropped", "invert": false}, "# + model + "}",
            error: .invalidValue(
                path: "pre_tokenizer.behavior", value: "\"Dropped\"",
                reason: "use one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")),
        MalformedCase(
            name: "component without type",
            json: #"{"normalizer": {"prepend": "_"}, "# + model + "}",
            error: .missingKey(path: "normalizer.type")),
        MalformedCase(
            name: "added token id wrong type",
            json: #"{"added_tokens": [{"id": "3", "content": "<s>"}], "# + model + "}",
            error: .wrongType(path: "added_tokens[0].id", expected: "an integer", found: "a string")),
        MalformedCase(
            name: "lstrip not a boolean",
            json: #"{"added_tokens": [{"id": 3, "content": "<s>", "lstrip": 1}], "# + model + "}",
            error: .wrongType(path: "added_tokens[0].lstrip", expected: "a boolean", found: "a number")),
        MalformedCase(
            name: "template names an undefined special token",
            json: #"{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {}}, "# + model + "}",
            error: .missingKey(path: "post_processor.special_tokens.<s>")),
    ]
}

@Suite("Malformed tokenizer.json files are rejected with the JSON path at fault")
struct LoadingErrorTests {
    @Test(arguments: MalformedCase.all)
    func rejects(_ malformed: MalformedCase) {
        #expect(throws: malformed.error) {
            try PretrainedTokenizer(data: Data(malformed.json.utf8))
        }
    }

    @Test func minimalDocumentLoads() throws {
        let tokenizer = try PretrainedTokenizer(data: Data(("{" + MalformedCase.model + "}").utf8))
        #expect(tokenizer.encode("abba").ids == [2, 1, 0])
        #expect(tokenizer.encode("abba").offsets == [0..<2, 2..<3, 3..<4])
    }

    @Test func errorMessageNamesThePath() {
        let error = TokenizerJSONError.unsupportedComponent(path: "normalizer.normalizers[2].type", type: "BertNormalizer")
        #expect(error.description.hasPrefix(#"normalizer.normalizers[2].type = "BertNormalizer" is not supported"#))
    }

    @Test func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/tokenizer.json")
        #expect(throws: TokenizerJSONError.unreadableFile(path: url.path)) {
            try PretrainedTokenizer(contentsOf: url)
        }
    }

    @Test func folderWithoutTokenizerJSON() {
        let folder = Fixtures.root.appendingPathComponent("golden")
        #expect(throws: TokenizerJSONError.missingTokenizerFile(folder: folder.path)) {
            try PretrainedTokenizer(contentsOf: folder)
        }
    }
}
