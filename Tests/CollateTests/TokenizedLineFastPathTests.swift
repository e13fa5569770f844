import Collate
import Testing

/// `Example.decodeTokenizedLine` (the fast path of every JSONL reader) must decode exactly what
/// `JSONParser` + `Example(json:)` decode, and hand everything unusual back to them.
@Suite struct TokenizedLineFastPathTests {
    /// The general parser's example for a line, or `nil` when it rejects the line.
    static func reference(_ line: String) -> Example? {
        guard let value = try? JSONParser.parse(line) else { return nil }
        return try? Example(json: value)
    }

    static func fast(_ line: String) -> Example? {
        Array(line.utf8).withUnsafeBufferPointer { Example.decodeTokenizedLine($0) }
    }

    /// Lines the fast path takes itself; the result must equal the general parser's.
    static let accepted = [
        #"{"input_ids": [1, 2, 3]}"#,
        #"{"input_ids":[1,2,3],"labels":[-100,2,3]}"#,
        #"  {"input_ids" : [ 1 , 2 ,3 ] , "attention_mask": [1, 1, 1]}  "#,
        "{\"input_ids\":\t[1,\r\n2]}\r",
        #"{"input_ids": []}"#,
        #"{"input_ids": [ ]}"#,
        #"{}"#,
        #"{"label": 3, "input_ids": [0]}"#,
        #"{"input_ids": [-0, 0, -1]}"#,
        #"{"input_ids": [2147483647, -2147483648]}"#,
        #"{"input_ids": [7], "flag": true, "other": false, "none": null}"#,
        #"{"input_ids": [1000000000, 999999999, 10, 9, 100, 99]}"#,
    ]

    /// Lines it hands back: strings, floats, exponents, out-of-range ids, repeated keys,
    /// escapes, non-ASCII keys, nesting, and every kind of syntax error.
    static let declined = [
        #"{"text": "hello"}"#,
        #"{"input_ids": [1.0]}"#,
        #"{"input_ids": [1e3]}"#,
        #"{"input_ids": [1E3]}"#,
        #"{"margin": 0.5, "input_ids": [1]}"#,
        #"{"input_ids": [2147483648]}"#,
        #"{"input_ids": [-2147483649]}"#,
        #"{"input_ids": [99999999999999999999]}"#,
        #"{"input_ids": [12345678901]}"#,
        #"{"input_ids": [1], "input_ids": [2]}"#,
        #"{"in\"put": [1]}"#,
        #"{"ïd": [1]}"#,
        #"{"input_ids": [[1, 2]]}"#,
        #"{"input_ids": {"a": 1}}"#,
        #"{"input_ids": [01]}"#,
        #"{"input_ids": [-]}"#,
        #"{"input_ids": [1,]}"#,
        #"{"input_ids": [,1]}"#,
        #"{"input_ids": [1 2]}"#,
        #"{"input_ids": [1, 2"#,
        #"{"input_ids": [1, 2]"#,
        #"{"input_ids": [1, 2]} x"#,
        #"{"input_ids": [1, 2]}}"#,
        #"{"input_ids" [1]}"#,
        #"{input_ids: [1]}"#,
        #"{"a": tru}"#,
        #"{"a": nul}"#,
        #"{"a": [true]}"#,
        #"{"a": [null]}"#,
        #"{"a": +1}"#,
        #"[1, 2, 3]"#,
        #"1"#,
        "",
        "   ",
        #"{"a": [1],}"#,
        "\u{FEFF}{\"a\": [1]}",
    ]

    @Test(arguments: accepted)
    func acceptedLinesMatchTheGeneralParser(_ line: String) throws {
        let fast = try #require(Self.fast(line), "the fast path declined \(line)")
        let reference = try #require(Self.reference(line))
        #expect(fast == reference)
        #expect(fast.names == reference.names)
    }

    @Test(arguments: declined)
    func unusualLinesAreHandedBack(_ line: String) {
        #expect(Self.fast(line) == nil, "the fast path took \(line)")
    }

    @Test func largeArraysDecodeExactly() throws {
        let ids = (0..<5000).map { Int32(truncatingIfNeeded: $0 &* 2_654_435_761) }
        let line = "{\"input_ids\": [" + ids.map(String.init).joined(separator: ", ") + "], \"labels\": [" + ids.reversed().map(String.init).joined(separator: ",") + "]}"
        let fast = try #require(Self.fast(line))
        #expect(fast.sequence("input_ids") == ids)
        #expect(fast.sequence("labels") == ids.reversed())
        #expect(fast == Self.reference(line))
    }

    /// The ids are parsed into a buffer sized by a bound (half the array's bytes), not by a
    /// comma count; a long array is then copied to an exact one, so an example holds about
    /// the memory its ids need, whatever their width.
    @Test(arguments: [1, 3, 7, 40, 200, 5000])
    func decodedArraysHoldNoMoreThanTwiceTheirIDs(_ length: Int) throws {
        let narrow: [Int32] = (0..<length).map { Int32($0 % 10) }
        let wide: [Int32] = (0..<length).map { Int32(100_000 + $0) }
        let negative: [Int32] = (0..<length).map { Int32(-2_000_000_000 + $0) }
        for ids in [narrow, wide, negative] {
            let text: [String] = ids.map { String($0) }
            let line = #"{"input_ids": ["# + text.joined(separator: ",  ") + "]}"
            let decoded: Example? = Self.fast(line)
            let tokens = try #require(decoded?.sequence("input_ids"))
            #expect(tokens == ids)
            #expect(tokens.capacity <= 2 * tokens.count + 16, "capacity \(tokens.capacity) for \(tokens.count) ids")
        }
    }

    @Test func rowWriterMatchesTheStringWriter() {
        let values: [Int32] = [0, 1, -1, 9, 10, -10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 999_999, 1_000_000,
                               9_999_999, 10_000_000, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000, .max, .min, -100]
        var bytes: [UInt8] = Array("[".utf8)
        var first = true
        values.withUnsafeBufferPointer { JSONWriter.appendIntegers(UnsafeBufferPointer(rebasing: $0[..<3]), first: &first, into: &bytes) }
        values.withUnsafeBufferPointer { JSONWriter.appendIntegers(UnsafeBufferPointer(rebasing: $0[3...]), first: &first, into: &bytes) }
        bytes.append(UInt8(ascii: "]"))
        var text = ""
        JSONWriter.writeIntegers(values, into: &text)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }
}

extension TokenizedLineFastPathTests {
    /// The eight-bytes-at-a-time digit reader: every length from 1 to 11 digits, at every
    /// distance from the end of the line (where it must fall back to the byte loop), with
    /// every separator style, against the general parser.
    @Test func digitRunsOfEveryLengthAtEveryDistanceFromTheEnd() throws {
        let numbers: [String] = ["0", "7", "10", "99", "305", "4096", "31999", "131071", "9999999", "10000000", "99999999",
                                 "123456789", "2147483647", "2147483648", "-1", "-100", "-2147483648", "01", "00", "1.5", "7e2",
                                 "-0", "-01", "-", "-9999999", "-10000000", "-31999", "-1.5"]
        for number in numbers {
            for padding in 0..<10 {
                for separator in [", ", ",", " , ", ",\t"] {
                    let ids = Array(repeating: number, count: 3).joined(separator: separator)
                    let line = "{\"input_ids\": [" + ids + "]" + String(repeating: " ", count: padding) + "}"
                    let reference = Self.reference(line)
                    if let fast = Self.fast(line) {
                        #expect(fast == reference, "\(line)")
                    } else {
                        // Declined lines are the ones the general parser words an error for, or a float.
                        #expect(reference == nil || number.contains(".") || number.contains("e"), "the fast path declined \(line)")
                    }
                }
            }
        }
    }

    /// Seeded random arrays (ids of every width, mixed separators) decode exactly as the general parser does.
    @Test func randomArraysMatchTheGeneralParser() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<300 {
            let count = Int(next() % 40)
            let ids = (0..<count).map { _ -> Int32 in
                let width = next() % 11
                var limit: UInt64 = 1
                for _ in 0..<width { limit *= 10 }
                let magnitude = Int64(next() % (limit + 1))
                return Int32(clamping: next() % 5 == 0 ? -magnitude : magnitude)
            }
            let separators = [",", ", ", " ,", " , ", ",\n"]
            var line = "{\"input_ids\": ["
            for (index, id) in ids.enumerated() {
                if index > 0 { line += separators[Int(next() % UInt64(separators.count))] }
                line += String(id)
            }
            line += "]}"
            let fast = try #require(Self.fast(line), "the fast path declined \(line)")
            #expect(fast.sequence("input_ids") == ids, "\(line)")
        }
    }

    @Test func wideLinesGoToTheGeneralParser() throws {
        let narrow = "{" + (0..<64).map { "\"f\($0)\": [\($0)]" }.joined(separator: ", ") + "}"
        let wide = "{" + (0..<65).map { "\"f\($0)\": [\($0)]" }.joined(separator: ", ") + "}"
        #expect(Self.fast(narrow)?.names.count == 64)
        #expect(Self.fast(wide) == nil)
    }
}
