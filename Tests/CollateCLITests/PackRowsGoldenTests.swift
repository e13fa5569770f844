import Collate
import Foundation
import Testing

/// `collate pack --rows` on every case of `Tests/Fixtures/trl/packing.jsonl`: the printed rows
/// are TRL 1.16.0 `pack_dataset`'s rows, line for line.
@Suite("collate pack --rows: parity with TRL 1.16 pack_dataset")
struct PackRowsGoldenTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let object: JSONObject
        var testDescription: String { id }
    }

    static let cases: [Case] = {
        let url = CollateProcess.fixtures.appendingPathComponent("trl/packing.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let object)? = try? JSONParser.parse(String(line)), case .string(let id)? = object["id"] else { return nil }
            return Case(id: id, object: object)
        }
    }()

    @Test func everyCaseIsLoaded() {
        #expect(Self.cases.count == 162)
    }

    @Test(arguments: cases)
    func rows(_ golden: Case) throws {
        guard case .string(let strategy)? = golden.object["strategy"], case .integer(let maxTokens)? = golden.object["max_tokens"],
              case .array(let features)? = golden.object["features"], case .array(let rows)? = golden.object["rows"] else {
            Issue.record("malformed case")
            return
        }
        var groupSize: Int64 = 1000   // TRL's datasets.map batch size when none is given
        if case .integer(let size)? = golden.object["group_size"] { groupSize = size }
        let dir = try CollateProcess.temporaryDirectory()
        var text = ""
        for feature in features {
            JSONWriter.write(feature, into: &text)
            text += "\n"
        }
        let input = try CollateProcess.write(text, to: "features.jsonl", in: dir)
        let result = try CollateProcess.run([
            "pack", "--input", input, "--max-tokens", String(maxTokens), "--strategy", strategy, "--group-size", String(groupSize), "--rows",
        ])
        if features.allSatisfy({ feature in
            guard case .object(let object) = feature, case .array(let ids)? = object.members.first?.value else { return false }
            return ids.isEmpty
        }) {
            // Every sequence empty: nothing to pack, so no rows (TRL 1.16 fails on such a file).
            #expect(result.stdoutLines.isEmpty)
            return
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.count == rows.count, "row count")
        for (line, expected) in zip(result.stdoutLines, rows) {
            var reference = ""
            JSONWriter.write(expected, into: &reference)
            #expect(line == reference)
        }
    }
}
