import Collate
import Testing

/// The safetensors byte codec: interoperability with Python's `safetensors` and strict reading.
@Suite("Safetensors codec")
struct SafetensorsTests {
    /// `safetensors.torch.save({"input_ids": [[1, 2, 3], [4, 5, -100]], "cu_seq_lens_q": int32 [0, 3, 6],
    /// "max_length_q": 3}, metadata={"op": "forward"})` with safetensors 0.8.0 (it orders by dtype, then name).
    static let pythonBytes = hexBytes(
        "e8000000000000007b225f5f6d657461646174615f5f223a7b226f70223a22666f7277617264227d2c22696e7075745f696473223a7b22"
            + "6474797065223a22493634222c227368617065223a5b322c335d2c22646174615f6f666673657473223a5b302c34385d7d2c226d61785f"
            + "6c656e6774685f71223a7b226474797065223a22493634222c227368617065223a5b5d2c22646174615f6f666673657473223a5b34382c"
            + "35365d7d2c2263755f7365715f6c656e735f71223a7b226474797065223a22493332222c227368617065223a5b335d2c22646174615f6f"
            + "666673657473223a5b35362c36385d7d7d202020010000000000000002000000000000000300000000000000040000000000000005000000"
            + "000000009cffffffffffffff0300000000000000000000000300000006000000")

    static let batch = Batch([
        "input_ids": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, -100]),
        "max_length_q": Tensor(scalar: 3),
        "cu_seq_lens_q": Tensor(shape: [3], scalars: [0, 3, 6], dtype: .int32),
    ])

    static func hexBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    @Test func encodesExactlyAsPythonSafetensors() {
        #expect(Self.batch.safetensorsBytes(metadata: ["op": "forward"]) == Self.pythonBytes)
    }

    @Test func decodesPythonBytesWithDTypesAndMetadata() throws {
        let (batch, metadata) = try Batch.decodeSafetensors(Self.pythonBytes)
        #expect(batch == Self.batch)
        #expect(batch["cu_seq_lens_q"]?.dtype == .int32)
        #expect(batch["max_length_q"]?.shape == [])
        #expect(metadata == ["op": "forward"])
    }

    @Test func roundTripsInBatchOrderWithAlignedHeader() throws {
        let batch = Batch([
            "labels": Tensor(shape: [1, 4], scalars: [-100, 7, Int32.max, Int32.min]),
            "input_ids": Tensor(shape: [1, 4], scalars: [5, 7, 8, 9]),
            "seq_idx": Tensor(shape: [1, 4], scalars: [0, 0, 1, 1], dtype: .int32),
            "empty": Tensor(shape: [0], scalars: []),
        ])
        let bytes = batch.safetensorsBytes()
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(try Batch(safetensors: bytes) == batch)
        #expect(Batch().safetensorsBytes().count == 16)  // "{}" padded to 8
        #expect(try Batch(safetensors: Batch().safetensorsBytes()) == Batch())
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var id: String
        var bytes: [UInt8]
        var error: SafetensorsFormatError
        var testDescription: String { id }
    }

    static func frame(_ header: String, data: [UInt8] = []) -> [UInt8] {
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        let length = UInt64(headerBytes.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + headerBytes + data
    }

    static let badCases: [BadCase] = [
        BadCase(id: "truncated", bytes: [1, 0, 0], error: .truncated(byteCount: 3)),
        BadCase(id: "header length beyond the data", bytes: [200, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8),
                error: .headerLengthOutOfRange(200, available: 2)),
        BadCase(id: "header not an object", bytes: frame("[1]"), error: .headerNotObject("array")),
        BadCase(id: "float dtype", bytes: frame(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                error: .unsupportedDType(name: "x", dtype: "F32")),
        BadCase(id: "missing shape", bytes: frame(#"{"x":{"dtype":"I64","data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
                error: .invalidEntry(name: "x", reason: "has no array \"shape\"")),
        BadCase(id: "size mismatch", bytes: frame(#"{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
                error: .sizeMismatch(name: "x", offsets: [0, 8], expectedBytes: 16)),
        BadCase(id: "hole between tensors", bytes: frame(#"{"x":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(repeating: 0, count: 8)),
                error: .nonContiguous(name: "x", begin: 4, expected: 0)),
        BadCase(id: "trailing bytes", bytes: frame(#"{"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#, data: Array(repeating: 0, count: 6)),
                error: .dataLengthMismatch(actual: 6, expected: 4)),
        BadCase(id: "data cut short", bytes: frame(#"{"x":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 4)),
                error: .dataLengthMismatch(actual: 4, expected: 8)),
        BadCase(id: "int64 beyond Int32", bytes: frame(#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0, 1, 0, 0, 0]),
                error: .valueOutOfRange(name: "x", value: 1 << 32)),
        BadCase(id: "metadata not strings", bytes: frame(#"{"__metadata__":{"a":1}}"#), error: .invalidMetadata(#"{"a": 1}"#)),
    ]

    @Test(arguments: badCases)
    func rejectsMalformedBytes(_ bad: BadCase) {
        #expect(throws: bad.error) { try Batch(safetensors: bad.bytes) }
    }

    @Test func headerThatIsNotJSONNamesTheOffset() {
        #expect {
            try Batch(safetensors: Self.frame("{nope"))
        } throws: { error in
            guard case .headerNotJSON(let reason) = error as? SafetensorsFormatError else { return false }
            return reason.contains("byte 1") && "\(error)".contains("not valid JSON")
        }
    }
}
