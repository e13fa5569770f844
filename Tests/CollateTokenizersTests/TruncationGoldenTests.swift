import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// One case of `Tests/Fixtures/golden/truncation.jsonl` (written by
/// `Tests/Fixtures/scripts/make_component_goldens.py` with HF tokenizers 0.23.3): a committed
/// tokenizer with the case's `truncation` and `padding` sections set in its file, a text, a
/// pair or a batch, and HF's encodings with their `overflowing` pieces, or the error HF gives.
struct TruncationGolden: Sendable, CustomTestStringConvertible {
    var id: String
    /// The fixture tokenizer's name.
    var tokenizerName: String
    /// The `truncation` and `padding` sections set in its file (JSON text).
    var truncation: String
    var padding: String
    var text: String?
    var pair: String?
    var batch: [String]?
    var addSpecialTokens: Bool
    var expected: [Encoding]
    /// HF's error: `second_sequence_not_provided`, `sequence_too_short` or `stride_too_large`.
    var error: String?

    var testDescription: String { id }

    /// Key of the loaded tokenizer (name and sections).
    var tokenizerKey: String { "\(tokenizerName) \(truncation) \(padding)" }

    /// The tokenizers of the cases by key: the fixture's `tokenizer.json` with the sections
    /// appended as its last members (the parser keeps the last of a repeated key, as HF's).
    static let tokenizers: [String: PretrainedTokenizer] = {
        var result: [String: PretrainedTokenizer] = [:]
        for source in all where result[source.tokenizerKey] == nil {
            let file = Fixtures.tokenizerFolder(source.tokenizerName).appendingPathComponent("tokenizer.json")
            guard var bytes = try? [UInt8](Data(contentsOf: file)) else { continue }
            while let last = bytes.last, last != UInt8(ascii: "}") { bytes.removeLast() }
            bytes.removeLast()
            bytes += Array(", \"truncation\": \(source.truncation), \"padding\": \(source.padding)}".utf8)
            result[source.tokenizerKey] = try? PretrainedTokenizer(data: Data(bytes))
        }
        return result
    }()

    static let all: [TruncationGolden] = {
        let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("truncation.jsonl")
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else { return [] }
        var cases: [TruncationGolden] = []
        for line in text.split(separator: "\n") {
            guard case .object(let row)? = try? JSONParser.parse(String(line)),
                  case .string(let id)? = row["id"], case .string(let name)? = row["tokenizer"],
                  let truncation = row["truncation"], let padding = row["padding"],
                  case .bool(let add)? = row["add_special_tokens"]
            else { continue }
            var golden = TruncationGolden(
                id: id, tokenizerName: name, truncation: truncation.jsonText, padding: padding.jsonText,
                addSpecialTokens: add, expected: [])
            if case .string(let text)? = row["text"] { golden.text = text }
            if case .string(let pair)? = row["pair"] { golden.pair = pair }
            if case .array(let texts)? = row["batch"] {
                golden.batch = texts.compactMap { if case .string(let text) = $0 { text } else { nil } }
            }
            if case .string(let error)? = row["error"] { golden.error = error }
            if let expected = row["expected"] { golden.expected = [encoding(expected)] }
            if case .array(let batch)? = row["expected_batch"] { golden.expected = batch.map(encoding) }
            cases.append(golden)
        }
        return cases
    }()

    /// An `Encoding` from the golden's JSON (`ids`, `offsets`, `type_ids`, `attention_mask`,
    /// `overflowing`).
    static func encoding(_ value: JSONValue) -> Encoding {
        guard case .object(let object) = value else { return Encoding(ids: [], offsets: []) }
        func integers(_ key: String) -> [Int] {
            guard case .array(let items)? = object[key] else { return [] }
            return items.compactMap { if case .integer(let value) = $0 { Int(value) } else { nil } }
        }
        var offsets: [Range<Int>] = []
        if case .array(let pairs)? = object["offsets"] {
            for case .array(let pair) in pairs {
                if pair.count == 2, case .integer(let start) = pair[0], case .integer(let end) = pair[1] {
                    offsets.append(Int(start)..<Int(end))
                }
            }
        }
        var result = Encoding(
            ids: integers("ids").map { Int32($0) }, offsets: offsets,
            typeIDs: integers("type_ids").map { Int32($0) }, attentionMask: integers("attention_mask").map { Int32($0) })
        if case .array(let pieces)? = object["overflowing"] { result.overflowing = pieces.map(encoding) }
        return result
    }

    /// Whether `error` is the error HF gave.
    func matches(_ error: any Error) -> Bool {
        switch (error as? PretrainedTokenizer.EncodingError, self.error) {
        case (.secondSequenceNotProvided?, "second_sequence_not_provided"): return true
        case (.sequenceTooShort?, "sequence_too_short"): return true
        case (.strideTooLarge?, "stride_too_large"): return true
        default: return false
        }
    }
}

@Suite("tokenizer.json truncation with stride: overflowing pieces and errors as HF tokenizers 0.23.3")
struct TruncationGoldenTests {
    @Test func goldenFileIsComplete() {
        #expect(TruncationGolden.all.count == 1188)
        #expect(TruncationGolden.tokenizers.count == 66)
    }

    @Test(arguments: TruncationGolden.all)
    func matchesHF(_ golden: TruncationGolden) throws {
        let tokenizer = try #require(TruncationGolden.tokenizers[golden.tokenizerKey])
        if let batch = golden.batch {
            if golden.error != nil {
                // HF refuses the whole batch; the throwing encode refuses one of its texts.
                let refused = batch.contains { text in
                    do { _ = try tokenizer.encode(text, pair: nil, addSpecialTokens: golden.addSpecialTokens); return false }
                    catch { return golden.matches(error) }
                }
                #expect(refused)
                return
            }
            #expect(tokenizer.encodeBatch(batch, addSpecialTokens: golden.addSpecialTokens) == golden.expected)
            return
        }
        let text = try #require(golden.text)
        if golden.error != nil {
            do {
                let encoding = try tokenizer.encode(text, pair: golden.pair, addSpecialTokens: golden.addSpecialTokens)
                Issue.record("HF gives \(golden.error ?? ""), Collate encoded \(encoding.ids)")
            } catch {
                #expect(golden.matches(error), "HF gives \(golden.error ?? ""), Collate threw \(error)")
            }
            if golden.pair == nil {
                #expect(throws: PretrainedTokenizer.EncodingError.self) {
                    try tokenizer.encodeWithOffsets(text: text, addSpecialTokens: golden.addSpecialTokens)
                }
            }
            return
        }
        let encoding = try tokenizer.encode(text, pair: golden.pair, addSpecialTokens: golden.addSpecialTokens)
        #expect(encoding == golden.expected.first)
        if golden.pair == nil {
            #expect(tokenizer.encode(text, addSpecialTokens: golden.addSpecialTokens) == encoding)
            #expect(try tokenizer.encodeWithOffsets(text: text, addSpecialTokens: golden.addSpecialTokens) == encoding)
        }
    }
}
