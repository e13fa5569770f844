@testable import CollateTokenizers
import Testing

/// `ChatTextBuilder.scalarCount(of:)` counts scalars eight UTF-8 bytes at a time: it must equal
/// `unicodeScalars.count` for every width of scalar, at every position around the eight-byte
/// boundaries.
@Suite struct ChatTextBuilderScalarCountTests {
    static let pieces = ["", "a", "é", "日", "🙂", "▁", "\u{301}", "ab", "abcdefg", "abcdefgh", "abcdefghi"]

    @Test(arguments: pieces)
    func everyPieceAtEveryOffset(piece: String) {
        for prefix in 0...17 {
            for suffix in ["", "x", "ü", "語", "👍🏽", "\n", "0123456789"] {
                let text = String(repeating: "A", count: prefix) + piece + suffix + piece
                #expect(ChatTextBuilder.scalarCount(of: text) == text.unicodeScalars.count, "\(text.debugDescription)")
            }
        }
    }

    @Test func longMixedText() {
        let text = String(repeating: "Hello, wörld! 日本語 🙂 ▁x ", count: 200)
        #expect(ChatTextBuilder.scalarCount(of: text) == text.unicodeScalars.count)
    }
}
