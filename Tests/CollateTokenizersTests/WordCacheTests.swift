import Foundation
import Testing
@testable import CollateTokenizers

/// The word cache: an open-addressing table per thread and per tokenizer. A hit must give
/// exactly the tokens stored for that word, by that tokenizer, and encodings must not depend on
/// which thread (and so which table) ran them.
@Suite struct WordCacheTests {
    static func word(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    @Test func hitsCopyTheStoredTokensShiftedAndMissesLeaveTheOutputAlone() {
        let cache = _WordCache()
        let tokens = [_ModelToken(id: 7, start: 0, end: 2), _ModelToken(id: 9, start: 2, end: 5)]
        #expect(cache.get(Self.word("▁hello")) == nil)
        cache.set(Self.word("▁hello"), tokens)
        #expect(cache.get(Self.word("▁hello")) == tokens)
        // A word that is a prefix, or has the same scalars in another order, is another word.
        #expect(cache.get(Self.word("▁hell")) == nil)
        #expect(cache.get(Self.word("▁hlelo")) == nil)
        var output = [_ModelToken(id: 1, start: 0, end: 3)]
        let hit = Self.word("▁hello").withUnsafeBufferPointer { cache.appendCached($0, shift: 3, to: &output) }
        #expect(hit)
        #expect(output == [_ModelToken(id: 1, start: 0, end: 3), _ModelToken(id: 7, start: 3, end: 5), _ModelToken(id: 9, start: 5, end: 8)])
        let miss = Self.word("▁world").withUnsafeBufferPointer { cache.appendCached($0, shift: 0, to: &output) }
        #expect(!miss)
        #expect(output.count == 3)
    }

    @Test func manyWordsGrowTheTableAndStayDistinct() {
        let cache = _WordCache()
        for index in 0..<5_000 {
            cache.set(Self.word("▁w\(index)"), [_ModelToken(id: Int32(index), start: 0, end: Int32(index % 7 + 1))])
        }
        for index in 0..<5_000 {
            #expect(cache.get(Self.word("▁w\(index)")) == [_ModelToken(id: Int32(index), start: 0, end: Int32(index % 7 + 1))])
        }
        #expect(cache.get(Self.word("▁w5000")) == nil)
    }

    /// More caches than a thread keeps tables for: the least recently used table is dropped,
    /// and no cache ever answers with another cache's tokens.
    @Test func aThreadKeepsTheRecentCachesApart() {
        let caches = (0..<(_ThreadWordTables.limit + 4)).map { _ in _WordCache() }
        let word = Self.word("▁shared")
        for (index, cache) in caches.enumerated() { cache.set(word, [_ModelToken(id: Int32(index), start: 0, end: 7)]) }
        // The most recently used ones are still there.
        for index in (caches.count - _ThreadWordTables.limit + 1)..<caches.count {
            #expect(caches[index].get(word) == [_ModelToken(id: Int32(index), start: 0, end: 7)])
        }
        for (index, cache) in caches.enumerated() {
            let found = cache.get(word)
            #expect(found == nil || found == [_ModelToken(id: Int32(index), start: 0, end: 7)])
        }
    }

    /// Every core encoding at once (each thread with its own table) gives what one thread
    /// gives, on mistral-v1, whose words are cut at "▁" and almost all cache hits.
    @Test func concurrentEncodingEqualsSerialEncoding() throws {
        let texts = (0..<64).map { index in
            "[INST] Question \(index): how do I sort a list of \(index * 7) numbers in Python? [/INST]"
                + " Use sorted(values) or values.sort(); for \(index) items either is fine. 日本語 \(index) ok."
        }
        let serial = try Fixtures.tokenizer("mistral-v1")
        let expected = texts.map { serial.encode($0, addSpecialTokens: false) }
        let concurrent = try Fixtures.tokenizer("mistral-v1")
        for _ in 0..<3 {
            #expect(concurrent.encodeBatch(texts, addSpecialTokens: false, concurrently: true) == expected)
        }
    }
}
