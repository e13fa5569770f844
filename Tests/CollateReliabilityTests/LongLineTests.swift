import Collate
import CollateData
import Foundation
import Testing

/// A very long line, generated into a temporary directory (never committed): the reader
/// streams it in 1 MB chunks, rejects it with file, line, field and a shortened value, and goes
/// on reading the lines around it under the skip policy.
///
/// The line is 3 MB by default (it spans four read chunks; about 4 s in a debug build) and
/// 100 MB with `COLLATE_LONG_TESTS=1` (about 2 minutes in debug, dominated by the debug-build
/// byte loops of the reader and parser).
@Suite("A very long line")
struct LongLineTests {
    static let size = ProcessInfo.processInfo.environment["COLLATE_LONG_TESTS"] == "1" ? 100 << 20 : 3 << 20

    /// Writes `{"input_ids": [1], "note": "xxx…"}` of `size` bytes between two good lines, in
    /// 1 MB writes so the test itself never holds the line.
    static func writeFile() throws -> URL {
        let url = try CollateProcess.temporaryDirectory().appendingPathComponent("long-line.jsonl")
        try #require(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        let head = Data(#"{"input_ids": [1]}"#.utf8) + Data("\n".utf8) + Data(#"{"input_ids": [2], "note": ""#.utf8)
        let tail = Data("\"}\n".utf8) + Data(#"{"input_ids": [3]}"#.utf8) + Data("\n".utf8)
        try handle.write(contentsOf: head)
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        var written = head.count - 19
        while written + chunk.count < size {
            try handle.write(contentsOf: chunk)
            written += chunk.count
        }
        try handle.write(contentsOf: Data(repeating: UInt8(ascii: "x"), count: size - written))
        try handle.write(contentsOf: tail)
        return url
    }

    @Test func aLongLineIsRejectedWithAShortMessageAndTheRestIsRead() throws {
        let url = try Self.writeFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let value = "\"" + String(repeating: "x", count: 59) + "..."
        let reason = "field 'note' = \(value): example fields must be integers or arrays of integers (found string); tokenize text fields first or drop them"
        #expect(throws: InputError(file: url.path, line: 2, reason: reason)) { try ExampleFile.read(url) }

        let (records, report) = try DatasetReader(url: url, format: .tokenized, badLines: .skip).readAll()
        #expect(records.map(\.line) == [1, 3])
        #expect(records.map(\.example.inputIDs) == [[1], [3]])
        #expect(report.skipped == [InputError(file: url.path, line: 2, reason: reason)])
    }

    static func tooLong(_ limit: Int) -> String {
        "the line is longer than \(limit) bytes without a newline (a binary file, /dev/zero, or one JSON document spread over "
            + "the whole file?); each line must be one JSON object — split the data into lines, or raise the limit with COLLATE_MAX_LINE_BYTES=N"
    }

    @Test func aLineOverTheLimitIsAnErrorNamingItsLine() throws {
        let url = try Self.writeFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var reader = JSONLinesReader(url: url, maximumLineLength: 1 << 20)
        reader.chunkSize = 4096
        var lines: [Int] = []
        #expect(throws: InputError(file: url.path, line: 2, reason: Self.tooLong(1 << 20))) {
            try reader.forEachLine { line, _ in lines.append(line) }
        }
        #expect(lines == [1])
        #expect(JSONLinesReader(url: url).maximumLineLength == 256 << 20, "the documented default")
        let result = try CollateProcess.run(["batch", "--spec", CollateProcess.fixtures.appendingPathComponent("bad/support/lm-spec.json").path,
                                             "--input", url.path], environment: ["COLLATE_MAX_LINE_BYTES": "1000"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("collate batch: \(url.path):2: \(Self.tooLong(1000))"), "\(result.stderr)")
    }

    /// `--input /dev/zero` grew a buffer until the process was killed; now it stops at the
    /// default limit (256 MiB read, about 1 s).
    @Test func anEndlessLineStopsAtTheLimit() throws {
        let spec = CollateProcess.fixtures.appendingPathComponent("bad/support/lm-spec.json").path
        let result = try CollateProcess.run(["batch", "--spec", spec, "--input", "/dev/zero"], timeout: .seconds(120))
        #expect(!result.timedOut)
        #expect(result.status == 1)
        #expect(result.stderr.contains("collate batch: /dev/zero:1: \(Self.tooLong(256 << 20))"), "\(result.stderr)")
    }
}
