import Collate
import CollateData
import Foundation
import Testing

@Suite("safetensors")
struct SafetensorsTests {
    static let fixtures = Fixtures.url("safetensors")

    static let batch = Batch([
        "input_ids": Tensor(shape: [2, 3], scalars: [5, 6, 7, 8, 0, 0]),
        "labels": Tensor(shape: [2, 3], scalars: [5, 6, 7, 8, -100, -100]),
        "cu_seq_lens_q": Tensor(shape: [3], scalars: [0, 3, 4], dtype: .int32),
        "max_length_q": Tensor(scalar: 3, dtype: .int32),
    ])

    @Test func roundTripsABatch() throws {
        let file = SafetensorsFile(batch: Self.batch, metadata: ["rank": "0", "note": "a \"quoted\" value"])
        let bytes = try file.encoded()
        #expect(try SafetensorsFile(decoding: bytes) == file)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        #expect(headerLength % 8 == 0)
        #expect(bytes[8] == UInt8(ascii: "{"))
        #expect(bytes.count == 8 + headerLength + 48 + 48 + 12 + 4)
        // Little-endian I64: -100 is 9c ff ff ff ff ff ff ff.
        let labels = 8 + headerLength + 48
        #expect(Array(bytes[labels + 32 ..< labels + 40]) == [0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func readsWhatPythonSafetensorsWrote() throws {
        let file = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("python.safetensors"))
        #expect(file.batch == Self.batch)
        #expect(file.metadata == ["source": "python safetensors"])
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("batch.safetensors")
        try SafetensorsFile(batch: Self.batch).write(to: url)
        try SafetensorsFile(batch: Self.batch, metadata: ["again": "1"]).write(to: url)
        #expect(try SafetensorsFile(contentsOf: url).metadata == ["again": "1"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["batch.safetensors"], "no temporary file left behind")
    }

    /// A file with a hand-written header (padded to 8) and `data`.
    static func file(header: String, data: [UInt8]) -> [UInt8] {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + json + data
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        var id: String
        var bytes: [UInt8]
        var error: SafetensorsError
        var testDescription: String { id }
    }

    static let eight = [UInt8](repeating: 0, count: 8)
    static let badFiles: [BadFile] = [
        BadFile(id: "too short", bytes: [1, 0], error: .truncated(byteCount: 2, needed: 8)),
        BadFile(id: "header past the end", bytes: [64, 0, 0, 0, 0, 0, 0, 0, 0x7B], error: .truncated(byteCount: 9, needed: 72)),
        BadFile(id: "huge header", bytes: [0, 0, 0, 0, 0, 0, 0, 1], error: .headerTooLarge(length: 1 << 56)),
        BadFile(id: "not an object", bytes: file(header: "[1]", data: []), error: .invalidHeader(reason: "it must start with '{'")),
        BadFile(id: "unknown dtype", bytes: file(header: #"{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}"#, data: eight),
                error: .unsupportedDType(tensor: "x", dtype: "F16")),
        BadFile(id: "size mismatch", bytes: file(header: #"{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}"#, data: eight),
                error: .sizeMismatch(tensor: "x", shape: [2], dtype: "I64", bytes: 8)),
        BadFile(id: "out of bounds", bytes: file(header: #"{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#, data: eight),
                error: .offsetsOutOfBounds(tensor: "x", begin: 0, end: 16, dataSize: 8)),
        BadFile(id: "overlap", bytes: file(header: #"{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}"#, data: eight),
                error: .notContiguous(tensor: "b", begin: 4, expectedBegin: 8)),
        BadFile(id: "hole", bytes: file(header: #"{"a":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}"#, data: eight),
                error: .notContiguous(tensor: "a", begin: 4, expectedBegin: 0)),
        BadFile(id: "trailing bytes", bytes: file(header: #"{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#, data: eight),
                error: .trailingBytes(dataSize: 8, used: 4)),
        BadFile(id: "I64 beyond Int32", bytes: file(header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0, 1, 0, 0, 0]),
                error: .valueOutOfRange(tensor: "a", index: 0, value: 1 << 32)),
        BadFile(id: "missing shape", bytes: file(header: #"{"a":{"dtype":"I32","data_offsets":[0,8]}}"#, data: eight),
                error: .invalidEntry(tensor: "a", reason: "missing array \"shape\"")),
        BadFile(id: "extra key", bytes: file(header: #"{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8],"x":1}}"#, data: eight),
                error: .invalidEntry(tensor: "a", reason: "unexpected key \"x\"; an entry holds only dtype, shape and data_offsets")),
        BadFile(id: "negative dimension", bytes: file(header: #"{"a":{"dtype":"I32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight),
                error: .invalidEntry(tensor: "a", reason: "shape entries must be non-negative integers, found -2")),
        BadFile(id: "metadata not strings", bytes: file(header: #"{"__metadata__":{"a":1}}"#, data: []),
                error: .invalidHeader(reason: "__metadata__ value for \"a\" must be a string, found integer")),
    ]

    @Test(arguments: badFiles)
    func rejectsMalformedFilesNamingTheTensor(_ c: BadFile) {
        #expect(throws: c.error) { try SafetensorsFile(decoding: c.bytes) }
    }

    @Test func refusesReservedNames() {
        #expect(throws: SafetensorsError.invalidName("__metadata__")) {
            try SafetensorsFile(batch: Batch(["__metadata__": Tensor(scalar: 1)])).encoded()
        }
    }
}
