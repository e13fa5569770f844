import Collate
import CollateTesting
import Testing

/// Typed tensors: float32 and bool elements beside the Int32 token paths.
@Suite("Typed tensors")
struct TypedTensorTests {
    /// float32 bit patterns and the text Python 3's `json.dumps(float(numpy.float32(x)))`
    /// prints for them (made with numpy 2 / CPython 3.12).
    static let pythonFloatText: [(UInt32, String)] = [
        (1056964608, "0.5"), (1036831949, "0.10000000149011612"), (1065353216, "1.0"), (0, "0.0"), (2147483648, "-0.0"),
        (925353388, "9.999999747378752e-06"), (874581936, "1.500000053056283e-07"), (1510874058, "1.0000000272564224e+16"),
        (1538368188, "9.999999843067494e+16"), (1290500515, "123456792.0"), (2139095039, "3.4028234663852886e+38"),
        (1, "1.401298464324817e-45"), (953267991, "9.999999747378752e-05"), (954642381, "0.00011000000085914508"),
        (3223322624, "-2.5"), (1482907561, "999999986991104.0"), (1568669696, "1.152921504606847e+18"),
        (3100751639, "-9.999999747378752e-05"), (1120403456, "100.0"), (1051372203, "0.3333333432674408"),
        (613702, "8.599796701530689e-40"), (59053012, "7.821589747211356e-37"), (639136942, "5.289372413303547e-16"),
        (890553749, "5.542181611417618e-07"), (968452773, "0.0003536540607456118"), (1061665983, "0.7802237868309021"),
        (1143218702, "656.5321044921875"), (1218374135, "325455.71875"), (1314590047, "918771648.0"),
        (1399142704, "984506957824.0"), (1480362376, "829195512971264.0"), (1565163090, "9.11949375167529e+17"),
        (1638165555, "3.7913282543353437e+20"), (2048056154, "1.906310798959777e+35"), (2139095040, "Infinity"),
        (1509949440, "9007199254740992.0"), (947912704, "6.103515625e-05"), (1484783616, "1125899906842624.0"),
    ]

    @Test func floatsPrintAsPythonJSONPrintsTheirDoubleValue() {
        for (bits, text) in Self.pythonFloatText {
            var out = ""
            JSONWriter.writeFloat32(Float(bitPattern: bits), into: &out)
            #expect(out == text, "bits \(bits)")
        }
    }

    @Test func batchJSONWritesBoolsAndFloats() {
        let batch = Batch([
            "input_ids": Tensor(shape: [2, 2], scalars: [1, 2, 3, 0]),
            "margin": Tensor(shape: [2], floats: [0.5, 0.1]),
            "label": Tensor(shape: [2], bools: [true, false]),
            "one": Tensor(shape: [], floats: [2]),
        ])
        #expect(batch.jsonText == #"{"input_ids": [[1, 2], [3, 0]], "margin": [0.5, 0.10000000149011612], "label": [true, false], "one": 2.0}"#)
        #expect((try? JSONParser.parse(batch.jsonText)) == batch.jsonValue)
    }

    @Test func examplesReadFloatAndBoolScalars() throws {
        let example = try Example(jsonText: #"{"chosen_ids": [1, 2], "margin": 0.1, "label": true, "ref_logps": -1e-3, "n": 3}"#)
        #expect(example["margin"] == .float(Float(0.1)))
        #expect(example["label"] == .bool(true))
        #expect(example.float("ref_logps") == Float(-1e-3))
        #expect(example.float("n") == 3)
        #expect(example.bool("label") == true)
        #expect(example["n"] == .scalar(3))
        // A float inside an id list is still an error.
        #expect(throws: ExampleDecodingError.self) { try Example(jsonText: #"{"input_ids": [1, 0.5]}"#) }
    }

    @Test func literalsCarryTheirDtype() throws {
        let batch = Batch(["margin": Tensor(shape: [2], floats: [0.5, 0]), "label": Tensor(shape: [2], bools: [true, false])])
        try assertBatch(batch, equals: ["margin": [0.5, 0.0], "label": [true, false]])
        let mismatch = checkBatch(batch, equals: ["margin": [0.5, 1.0], "label": [1, 0]])
        let messages = mismatch?.differences.map(\.message) ?? []
        #expect(messages == ["margin position 1: expected 1.0 (float32), got 0.0 (float32)"])
        let wrongType = checkBatch(batch, equals: ["margin": [0.5, 0.0], "label": [0.0, 1.0]])
        #expect(wrongType?.differences.map(\.message).first == "label: expected dtype float32, got bool")
    }
}
