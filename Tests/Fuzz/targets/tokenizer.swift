// libFuzzer target: tokenizer.json bytes -> PretrainedTokenizer -> encode/decode a few texts.
//
// A document must either be rejected with a TokenizerJSONError or load into a tokenizer that
// encodes without trapping, with one offset per id inside the text. Built and run by
// Tests/Fuzz/run.sh tokenizer.
import CollateTokenizers
import Foundation

let texts = ["Hello world", " a  b\n\tc ", "héllo 🙂 <s></s>", ""]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let document = Data(bytes: data, count: size)
    let tokenizer: PretrainedTokenizer
    do {
        tokenizer = try PretrainedTokenizer(data: document)
    } catch is TokenizerJSONError {
        return 0
    } catch {
        fatalError("loading threw a non-TokenizerJSONError: \(error)")
    }
    for text in texts {
        for special in [false, true] {
            let encoding = tokenizer.encode(text, addSpecialTokens: special)
            guard encoding.ids.count == encoding.offsets.count else { fatalError("ids and offsets differ in length") }
            let length = text.unicodeScalars.count
            for offset in encoding.offsets where offset.lowerBound < 0 || offset.upperBound > length {
                fatalError("offset \(offset) outside a text of \(length) scalars")
            }
            _ = tokenizer.decode(ids: encoding.ids)
            _ = tokenizer.decode(ids: encoding.ids, skipSpecialTokens: true)
        }
    }
    _ = tokenizer.decode(ids: [-1, 0, 1, 2, 3, 1000, Int32.max])
    return 0
}
