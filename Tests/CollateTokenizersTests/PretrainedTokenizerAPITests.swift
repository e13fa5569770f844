import Foundation
import Testing
@testable import CollateTokenizers

@Suite("PretrainedTokenizer as a Tokenizer")
struct PretrainedTokenizerAPITests {
    @Test func specialTokensComeFromTheConfigFiles() throws {
        let mistral = try Fixtures.tokenizer("mistral-v1")
        #expect(mistral.bosToken == "<s>")
        #expect(mistral.eosToken == "</s>")
        #expect(mistral.unknownToken == "<unk>")
        #expect(mistral.padToken == nil)
        #expect(mistral.bosTokenId == 1)
        #expect(mistral.eosTokenId == 2)
    }

    @Test(arguments: [("mistral-v1", 32000), ("mistral-v1-chatml", 32002), ("tekken", 131072)])
    func vocabularySize(name: String, size: Int) throws {
        #expect(try Fixtures.tokenizer(name).vocabularySize == size)
    }

    @Test func tokenLookupsCoverAddedTokens() throws {
        let chatml = try Fixtures.tokenizer("mistral-v1-chatml")
        #expect(chatml.convertTokenToId("<|im_start|>") == 32000)
        #expect(chatml.convertIdToToken(32001) == "<|im_end|>")
        #expect(chatml.convertTokenToId("▁Hello") == 22557)
        #expect(chatml.convertTokenToId("no such token") == nil)
        #expect(chatml.convertIdToToken(-1) == nil)
    }

    @Test func skipSpecialTokensWhenDecoding() throws {
        let chatml = try Fixtures.tokenizer("mistral-v1-chatml")
        let ids = chatml.encode("<|im_start|>user\nhi<|im_end|>", addSpecialTokens: true).ids
        #expect(chatml.decode(ids: ids) == "<s><|im_start|> user\nhi<|im_end|>")
        #expect(chatml.decode(ids: ids, skipSpecialTokens: true) == "user\nhi")
    }

    @Test func usableThroughTheProtocol() throws {
        let tokenizer: any Tokenizer = try Fixtures.tokenizer("tekken")
        let encoding = try tokenizer.encodeWithOffsets(text: "Hello, wörld", addSpecialTokens: false)
        #expect(encoding.ids.count == encoding.offsets.count)
        #expect(encoding.offsets.last?.upperBound == 12)
        #expect(tokenizer.decode(tokens: encoding.ids.map(Int.init)) == "Hello, wörld")
    }

    @Test func emptyText() throws {
        let mistral = try Fixtures.tokenizer("mistral-v1")
        #expect(mistral.encode("", addSpecialTokens: false) == Encoding(ids: [], offsets: []))
        #expect(mistral.encode("", addSpecialTokens: true) == Encoding(ids: [1], offsets: [0..<0]))
    }

    @Test func loadsFromTheFileItself() throws {
        let file = Fixtures.tokenizerFolder("mistral-v1").appendingPathComponent("tokenizer.json")
        let tokenizer = try PretrainedTokenizer(contentsOf: file)
        #expect(tokenizer.bosToken == "<s>")  // companion files beside the file are read too
        #expect(tokenizer.encode("Hello world").ids == [1, 22557, 1526])
    }
}
