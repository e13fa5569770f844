import Collate
import Testing

/// One case of `Tests/Fixtures/golden/collators.jsonl` (transformers 5.23) or a batched case of
/// `compat.jsonl` (TRL 0.19.1 `DataCollatorForCompletionOnlyLM`).
struct GoldenCollatorCase: Sendable, CustomTestStringConvertible {
    let id: String
    let spec: JSONValue
    let features: [JSONValue]
    let expected: JSONObject

    var testDescription: String { id }

    static func load(_ file: String) -> [GoldenCollatorCase] {
        Fixtures.jsonLines("golden/\(file)").compactMap { line in
            guard case .object(let object) = line, case .string(let id)? = object["id"],
                  let spec = object["spec"], case .array(let features)? = object["features"],
                  case .object(let expected)? = object["expected"] else { return nil }
            return GoldenCollatorCase(id: id, spec: spec, features: features, expected: expected)
        }
    }

    static let transformers = load("collators.jsonl")
    static let trl = load("compat.jsonl")
}

@Suite("Parity with transformers 5.23 and TRL 0.19.1 collators")
struct GoldenCollatorTests {
    @Test("Golden files hold every case", arguments: [("collators.jsonl", 270), ("compat.jsonl", 120)])
    func caseCounts(file: String, count: Int) {
        #expect(GoldenCollatorCase.load(file).count == count)
    }

    @Test("transformers collators", arguments: GoldenCollatorCase.transformers)
    func transformersParity(_ golden: GoldenCollatorCase) throws {
        try Self.check(golden)
    }

    @Test("TRL DataCollatorForCompletionOnlyLM", arguments: GoldenCollatorCase.trl)
    func trlParity(_ golden: GoldenCollatorCase) throws {
        try Self.check(golden)
    }

    static func check(_ golden: GoldenCollatorCase) throws {
        let collator = try CollatorRegistry.shared.makeCollator(from: golden.spec)
        let examples = try golden.features.map { try Example(json: $0) }
        let batch = try collator.collate(examples)
        #expect(batch.names == golden.expected.keys, "tensor names and order")
        for (name, expected) in golden.expected.members {
            let actual = try #require(batch[name], "missing \(name)")
            #expect(actual.jsonValue == expected, "\(name) differs")
        }
    }
}
