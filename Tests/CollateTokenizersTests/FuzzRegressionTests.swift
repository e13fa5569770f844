import CollateTokenizers
import Foundation
import Testing

/// Inputs the libFuzzer targets (Tests/Fuzz) found, kept so the fix stays fixed.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let fixtures = Fixtures.url("fuzz")

    /// A `Replace` normalizer that lengthens the text (" " → "Int581") plus byte fallback made an
    /// empty token whose offset HF would report past the end of the input (21..<21 in a text of 9
    /// scalars). Offsets must stay inside the text.
    @Test(arguments: ["Hello world", " a  b\n\tc ", "héllo 🙂 <s></s>", ""])
    func offsetsStayInsideTheTextWhenANormalizerLengthensIt(_ text: String) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("tokenizer-offset-past-end.json"))
        let tokenizer = try PretrainedTokenizer(data: data)
        for special in [false, true] {
            let encoding = tokenizer.encode(text, addSpecialTokens: special)
            #expect(encoding.ids.count == encoding.offsets.count)
            let length = text.unicodeScalars.count
            for offset in encoding.offsets {
                #expect(offset.lowerBound >= 0 && offset.upperBound <= length, "\(offset) outside \(length) scalars")
            }
        }
    }
}
