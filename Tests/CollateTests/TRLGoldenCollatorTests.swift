import Collate
import Testing

/// One case of `Tests/Fixtures/trl/collators.jsonl`: a spec, the features and what TRL 1.16.0
/// (`sft`, `reward`, `unpaired-preference`) or transformers 5.23 (`token-classification`)
/// returned, each tensor as `{"dtype", "shape", "value"}` (dtype `int` for a plain Python int).
struct TRLCollatorCase: Sendable, CustomTestStringConvertible {
    let id: String
    let spec: JSONValue
    let features: [JSONValue]
    let expected: JSONObject

    var testDescription: String { id }

    static let all: [TRLCollatorCase] = Fixtures.jsonLines("trl/collators.jsonl").compactMap { line in
        guard case .object(let object) = line, case .string(let id)? = object["id"], let spec = object["spec"],
              case .array(let features)? = object["features"], case .object(let expected)? = object["expected"] else { return nil }
        return TRLCollatorCase(id: id, spec: spec, features: features, expected: expected)
    }
}

@Suite("Parity with TRL 1.16 collators (sft, reward, unpaired-preference) and transformers 5.23 padding keys (token-classification, padding, seq2seq)")
struct TRLGoldenCollatorTests {
    @Test func everyCaseIsLoaded() {
        #expect(TRLCollatorCase.all.count == 370)
        for kind in ["sft/", "reward/", "unpaired-preference/", "token-classification/", "padding/overlong/", "seq2seq/overlong/"] {
            #expect(TRLCollatorCase.all.contains { $0.id.hasPrefix(kind) }, "cases for \(kind)")
        }
    }

    @Test("byte-identical batches", arguments: TRLCollatorCase.all)
    func parity(_ golden: TRLCollatorCase) throws {
        let collator = try CollatorRegistry.shared.makeCollator(from: golden.spec)
        let examples = try golden.features.map { try Example(json: $0) }
        let batch = try collator.collate(examples)
        #expect(batch.names == golden.expected.keys, "tensor names and order")
        for (name, entry) in golden.expected.members {
            let actual = try #require(batch[name], "missing \(name)")
            guard case .object(let spec) = entry, case .string(let dtype)? = spec["dtype"],
                  case .array(let shape)? = spec["shape"], let value = spec["value"] else {
                Issue.record("malformed expectation for \(name)")
                continue
            }
            if dtype == "int" {
                #expect(actual.dtype == .int64 || actual.dtype == .int32, "\(name) is an integer")
            } else {
                #expect(actual.dtype.rawValue == dtype, "\(name) dtype")
            }
            #expect(shape == actual.shape.map { JSONValue.integer(Int64($0)) }, "\(name) shape")
            #expect(actual.jsonValue == value, "\(name) values")
            // The text `collate batch` prints is the text Python's json prints.
            var text = ""
            actual.writeJSON(into: &text)
            var reference = ""
            JSONWriter.write(value, into: &reference)
            #expect(text == reference, "\(name) JSON text")
        }
    }
}
