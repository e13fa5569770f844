import Collate
import Testing

/// `JSONParser` checks each string's UTF-8 itself (the standard library's generic
/// `String(validating:as:)` cost a tenth of reading a chat dataset): it must accept exactly the
/// strings `String(validating:as: UTF8.self)` accepts, and give the same text.
@Suite struct JSONStringUTF8Tests {
    /// The parser's string for `bytes` between quotes, or `nil` when it rejects them.
    static func parsed(_ bytes: [UInt8]) -> String? {
        let line = [0x22] + bytes + [0x22]
        guard case .string(let text)? = try? line.withUnsafeBufferPointer({ buffer throws(JSONSyntaxError) in try JSONParser.parse(buffer) }) else {
            return nil
        }
        return text
    }

    /// Bytes the parser reads as themselves inside a string (no quote, backslash or control character).
    static func plain(_ byte: UInt8) -> UInt8 {
        byte < 0x20 || byte == 0x22 || byte == 0x5C ? 0x61 : byte
    }

    static func check(_ bytes: [UInt8]) -> Bool {
        parsed(bytes) == String(validating: bytes, as: UTF8.self)
    }

    /// Every sequence of two bytes, alone and after seven ASCII bytes (the eight-byte ASCII
    /// scan then stops right before it).
    @Test(arguments: [0, 7])
    func everyTwoByteSequence(prefix: Int) {
        let head = [UInt8](repeating: 0x41, count: prefix)
        var mismatches: [[UInt8]] = []
        for first in 0...255 {
            for second in 0...255 {
                let bytes = head + [Self.plain(UInt8(first)), Self.plain(UInt8(second))]
                if !Self.check(bytes) { mismatches.append(bytes) }
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    /// Every lead byte of a three- or four-byte sequence with every second byte, the rest a
    /// continuation byte at each boundary (0x80, 0xBF), an ASCII byte, or missing.
    @Test func everyLongSequenceBoundary() {
        let tails: [[UInt8]] = [[], [0x80], [0xBF], [0x41], [0x80, 0x80], [0xBF, 0xBF], [0x80, 0x41], [0x80, 0xC0], [0xBF, 0x80, 0x41]]
        var mismatches: [[UInt8]] = []
        for first in 0xE0...0xFF {
            for second in 0...255 {
                for tail in tails {
                    let bytes = [UInt8(first), Self.plain(UInt8(second))] + tail
                    if !Self.check(bytes) { mismatches.append(bytes) }
                }
            }
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    /// The string scan takes eight bytes at a time: an escape, the closing quote and a control
    /// character are found at every position around those words, after ASCII or UTF-8 text.
    @Test(arguments: ["A", "é"])
    func escapesQuotesAndControlsAtEveryPosition(filler: String) throws {
        for length in 0...24 {
            let head = String(repeating: filler, count: length)
            for (escaped, meaning) in [(#"\n"#, "\n"), (#"\""#, "\""), (#"\\"#, "\\"), (#"\u00e9"#, "é")] {
                let line = "\"" + head + escaped + head + "\""
                #expect(try JSONParser.parse(line) == .string(head + meaning + head), "\(line)")
            }
            #expect(try JSONParser.parse("[\"" + head + "\", 1]") == .array([.string(head), .integer(1)]))
            #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("\"" + head + "\u{1}" + head + "\"") }
            #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("\"" + head) }
        }
    }

    /// Real text, every script width, survives whole.
    @Test(arguments: ["", "plain ASCII longer than eight bytes", "héllo wörld", "日本語のテキスト", "emoji 🙂👍🏽 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "▁Hello▁world", "\u{10FFFF}\u{FFFD}\u{E000}"])
    func realTextSurvives(text: String) {
        #expect(Self.parsed(Array(text.utf8)) == text)
    }
}
