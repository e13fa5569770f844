import Collate
import CollateData
import Foundation
import Testing

/// One JSONL line with 50,000 fields: every stage that touches it must be linear in the field
/// count. Padding looked each field up by name per example and appended to the batch by name,
/// the export index and the safetensors reader did the same: over 20 s for `batch`, minutes for
/// a resumed `export`. Each run here has a deadline far above the linear time (about 1 s in a
/// debug build) and far below the quadratic one, so a regression fails instead of hanging.
@Suite("A line with 50,000 fields")
struct WideLineTests {
    static let fieldCount = 50_000

    static func writeFile(in directory: URL) throws -> URL {
        var line = #"{"input_ids": [1, 2, 3]"#
        for index in 0..<fieldCount { line += #", "f\#(index)": [1, 2, 3]"# }
        line += "}\n"
        let url = directory.appendingPathComponent("wide.jsonl")
        try line.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func everyCommandIsLinearInTheFieldCount() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try Self.writeFile(in: directory).path
        let spec = CollateProcess.fixtures.appendingPathComponent("bad/support/lm-spec.json").path
        let out = directory.appendingPathComponent("out").path
        let runs: [[String]] = [
            ["batch", "--spec", spec, "--input", input],
            ["validate", "--spec", spec, "--input", input],
            ["export", "--spec", spec, "--input", input, "--out", out, "--world-size", "1"],
            // The re-run reads the shard back (the safetensors reader) to skip it.
            ["export", "--spec", spec, "--input", input, "--out", out, "--world-size", "1"],
        ]
        for arguments in runs {
            let result = try CollateProcess.run(arguments, timeout: .seconds(60))
            #expect(!result.timedOut, "collate \(arguments[0]) took over 60 s on \(Self.fieldCount) fields")
            #expect(result.status == 0, "collate \(arguments[0]): \(result.stderr)")
        }
        let batch = try CollateProcess.run(runs[0], timeout: .seconds(60))
        guard case .object(let object) = try JSONParser.parse(batch.stdout) else {
            Issue.record("not a JSON object")
            return
        }
        #expect(object.members.count == Self.fieldCount + 3, "input_ids, the 50,000 fields, labels and attention_mask")
        #expect(object["f49999"] == .array([.array([.integer(1), .integer(2), .integer(3)])]))
    }

    @Test func aWideObjectKeepsFirstPositionsAndLastValues() {
        // JSONObject's public initialiser de-duplicated by searching its members per key (the
        // export index above has 50,000 keys); now through a dictionary, with the same result.
        let members = (0..<Self.fieldCount).map { (key: "k\($0)", value: JSONValue.integer(Int64($0))) }
        let object = JSONObject(members + [(key: "k7", value: .null)])
        #expect(object.members.count == Self.fieldCount)
        #expect(object.members[7].key == "k7" && object.members[7].value == .null)
        #expect(JSONObject([(key: "a", value: .integer(1)), (key: "b", value: .integer(2)), (key: "a", value: .integer(3))]).members.map(\.key) == ["a", "b"])
        #expect(JSONObject([(key: "a", value: .integer(1)), (key: "a", value: .integer(3))])["a"] == .integer(3))
    }
}
