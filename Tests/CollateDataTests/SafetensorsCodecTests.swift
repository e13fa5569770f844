import Collate
import CollateData
import Testing

/// The safetensors byte codec: interoperability with Python's `safetensors` and strict reading.
@Suite("Safetensors codec")
struct SafetensorsCodecTests {
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

    @Test func encodesExactlyAsPythonSafetensors() throws {
        #expect(try Self.batch.safetensorsBytes(metadata: ["op": "forward"]) == Self.pythonBytes)
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
        let bytes = try batch.safetensorsBytes()
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(try Batch(safetensors: bytes) == batch)
        #expect(try Batch().safetensorsBytes().count == 16)  // "{}" padded to 8
        #expect(try Batch(safetensors: try Batch().safetensorsBytes()) == Batch())
    }

    // Malformed files and frames: SafetensorsTests.swift (one decoder serves both).

    @Test func headerThatIsNotJSONNamesTheOffset() {
        var header = Array("{nope".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * UInt64($0))) } + header
        #expect {
            try Batch(safetensors: bytes)
        } throws: { error in
            guard case .invalidHeader(let reason) = error as? SafetensorsError else { return false }
            return reason.contains("byte 1")
        }
    }

    /// A header can name a shape whose byte count overflows Int while its element count still
    /// fits (a 1 GB data section passes the first extent): the message says so instead of
    /// trapping while it is built.
    @Test func overflowingShapeIsDescribedWithoutTrapping() {
        let error = SafetensorsError.sizeMismatch(tensor: "x", shape: [1_073_741_824, 2_147_483_647], dtype: "I64", bytes: 1_073_741_824)
        #expect(error.description.contains("needs more than \(Int.max) bytes"))
        let small = SafetensorsError.sizeMismatch(tensor: "x", shape: [2, 3], dtype: "I32", bytes: 8)
        #expect(small.description.contains("needs 24 bytes"))
    }

    @Test func safetensorsRoundTripsFloat32AndBool() throws {
        let batch = Batch([
            "input_ids": Tensor(shape: [1, 2], scalars: [5, 6]),
            "margin": Tensor(shape: [2], floats: [0.25, -1.5]),
            "label": Tensor(shape: [2], bools: [false, true]),
        ])
        let bytes = try SafetensorsFile(batch: batch).encoded()
        let decoded = try SafetensorsFile(decoding: bytes)
        #expect(decoded.batch == batch)
        let header = String(decoding: bytes[8..<200], as: UTF8.self)
        #expect(header.contains(#""margin":{"dtype":"F32""#))
        #expect(header.contains(#""label":{"dtype":"BOOL""#))
    }
}
