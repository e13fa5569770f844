import Collate
import Testing

/// One case of `Tests/Fixtures/trl/packing.jsonl`: the rows TRL 1.16.0's `pack_dataset` made
/// from `features` with `map_kwargs={"batch_size": group_size}` (1000, TRL's default, when null).
struct TRLPackingCase: Sendable, CustomTestStringConvertible {
    let id: String
    let strategy: String
    let maxTokens: Int
    let groupSize: Int?
    let features: [JSONValue]
    let rows: [JSONValue]
    /// TRL's exception when one of its map batches held only empty sequences; `rows` are then
    /// TRL's rows for the other batches, which is what Collate returns.
    let referenceError: String?

    var testDescription: String { id }

    static let all: [TRLPackingCase] = Fixtures.jsonLines("trl/packing.jsonl").compactMap { line in
        guard case .object(let object) = line, case .string(let id)? = object["id"], case .string(let strategy)? = object["strategy"],
              case .integer(let maxTokens)? = object["max_tokens"], case .array(let features)? = object["features"],
              case .array(let rows)? = object["rows"] else { return nil }
        var groupSize: Int?
        if case .integer(let size)? = object["group_size"] { groupSize = Int(size) }
        var error: String?
        if case .string(let text)? = object["error"] { error = text }
        return TRLPackingCase(id: id, strategy: strategy, maxTokens: Int(maxTokens), groupSize: groupSize, features: features, rows: rows, referenceError: error)
    }
}

@Suite("Parity with TRL 1.16 pack_dataset rows (bfd, bfd_split, wrapped)")
struct TRLGoldenPackingTests {
    @Test func everyCaseIsLoaded() {
        #expect(TRLPackingCase.all.count == 162)
        for strategy in ["bfd", "bfd-split", "wrapped"] {
            #expect(TRLPackingCase.all.contains { $0.strategy == strategy })
        }
        // The cases where TRL 1.16 itself fails (a map batch of only empty sequences) are kept.
        #expect(TRLPackingCase.all.contains { $0.referenceError != nil })
    }

    @Test("same rows, same order, same seq_lengths", arguments: TRLPackingCase.all)
    func parity(_ golden: TRLPackingCase) throws {
        let strategy = try #require(PackingStrategy(rawValue: golden.strategy))
        let examples = try golden.features.map { try Example(json: $0) }
        let rows = try Packer(capacity: golden.maxTokens, strategy: strategy).packRows(examples, groupSize: golden.groupSize ?? 1000)
        #expect(rows.count == golden.rows.count, "row count")
        for (index, expected) in golden.rows.enumerated() where index < rows.count {
            let row = rows[index]
            let asJSON = JSONValue.object(JSONObject(zip(row.names, row.values).map { name, value in
                guard case .sequence(let values) = value else { return (key: name, value: JSONValue.null) }
                return (key: name, value: .array(values.map { .integer(Int64($0)) }))
            }))
            #expect(asJSON == expected, "row \(index)")
            var bytes: [UInt8] = []
            rows.writeJSON(row: index, into: &bytes)
            #expect((try? JSONParser.parse(String(decoding: bytes, as: UTF8.self))) == expected, "row \(index) as JSON")
        }
    }
}
