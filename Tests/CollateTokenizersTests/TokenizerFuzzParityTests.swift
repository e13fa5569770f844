import CollateTestSupport
import Foundation
import Testing
@testable import CollateTokenizers

/// One line of `Tests/Fixtures/golden/tokenizer_fuzz_regressions.jsonl`: HF tokenizers 0.23.3's
/// ids and offsets for a text, written by `Tests/Fixtures/scripts/fuzz_tokenizer_parity.py
/// --write-goldens` (the differential fuzzer's minimized findings and short seeded cases for
/// every tokenizer under `Tests/Fixtures/tokenizers` and `Samples/Data`).
struct TokenizerFuzzCase: Sendable, CustomTestStringConvertible {
    let index: Int
    let tokenizer: String
    let text: String
    let addSpecialTokens: Bool
    let ids: [Int32]
    let offsets: [Range<Int>]

    var testDescription: String { "\(index) \(tokenizer)" }

    static let file = Fixtures.root.appendingPathComponent("golden").appendingPathComponent("tokenizer_fuzz_regressions.jsonl")

    /// Every case of the file (empty when it cannot be read: `fileIsComplete` then fails).
    static let all: [TokenizerFuzzCase] = {
        // The file is ASCII (`ensure_ascii`), so no raw U+FEFF reaches JSONSerialization.
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").enumerated().compactMap { index, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let tokenizer = object["tokenizer"] as? String, let text = object["text"] as? String,
                  let add = object["add_special_tokens"] as? Bool, let ids = object["ids"] as? [Int],
                  let offsets = object["offsets"] as? [[Int]], offsets.allSatisfy({ $0.count == 2 && $0[0] <= $0[1] })
            else { return nil }
            return TokenizerFuzzCase(
                index: index, tokenizer: tokenizer, text: text, addSpecialTokens: add,
                ids: ids.map(Int32.init), offsets: offsets.map { $0[0]..<$0[1] })
        }
    }()

    /// The folder of a tokenizer named in the file (`Samples/NAME` is `Samples/Data/NAME`).
    static func folder(_ name: String) -> URL {
        if name.hasPrefix("Samples/") {
            return Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Samples").appendingPathComponent("Data")
                .appendingPathComponent(String(name.dropFirst("Samples/".count)))
        }
        return Fixtures.tokenizerFolder(name)
    }

    /// Loads every tokenizer of the file once per test run.
    static func tokenizer(_ name: String) throws -> PretrainedTokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let loaded = loaded[name] { return try loaded.get() }
        let result = Result { try PretrainedTokenizer(contentsOf: folder(name)) }
        loaded[name] = result
        return try result.get()
    }

    private static let lock = NSLock()
    // Guarded by `lock`.
    nonisolated(unsafe) private static var loaded: [String: Result<PretrainedTokenizer, any Error>] = [:]
}

/// Collate against HF tokenizers 0.23.3 on the differential fuzzer's cases: every case alone,
/// then every tokenizer encoding its cases at once on all cores, interleaved so that each thread
/// uses more tokenizers than it keeps word tables for (``_ThreadWordTables/limit``).
@Suite struct TokenizerFuzzParityTests {
    @Test func fileIsComplete() {
        #expect(TokenizerFuzzCase.all.count == 394)
        #expect(Set(TokenizerFuzzCase.all.map(\.tokenizer)).count > _ThreadWordTables.limit)
    }

    /// HF tokenizers 0.23.3 `Tokenizer.encode(text, add_special_tokens=...)`: ids and offsets.
    @Test(arguments: TokenizerFuzzCase.all)
    func matchesHF(_ golden: TokenizerFuzzCase) throws {
        let tokenizer = try TokenizerFuzzCase.tokenizer(golden.tokenizer)
        let encoding = tokenizer.encode(golden.text, addSpecialTokens: golden.addSpecialTokens)
        #expect(encoding.ids == golden.ids)
        #expect(encoding.offsets == golden.offsets)
    }

    /// U+0589, U+061C, U+0953 and U+0954 changed script after Unicode 9.0; HF's
    /// `UnicodeScripts` keeps the 9.0 script (Common, Common, Devanagari, Devanagari).
    @Test func unicodeScriptsKeepsTheUnicode9ScriptOfScalarsThatChangedLater() {
        #expect(_UnicodeScripts.fixedScript("\u{0589}") == _UnicodeScripts.fixedScript("0"))
        #expect(_UnicodeScripts.fixedScript("\u{061C}") == _UnicodeScripts.fixedScript("0"))
        #expect(_UnicodeScripts.fixedScript("\u{0953}") == _UnicodeScripts.fixedScript("\u{0905}"))
        #expect(_UnicodeScripts.fixedScript("\u{0954}") == _UnicodeScripts.fixedScript("\u{0905}"))
        #expect(_UnicodeScripts.fixedScript("\u{0589}") != _UnicodeScripts.fixedScript("\u{0531}"))
    }

    /// Every tokenizer's cases, round-robin across tokenizers, three passes on all cores: each
    /// thread meets every tokenizer (more than it keeps word tables for), cold then warm.
    @Test func allTokenizersAtOnceOnAllCoresMatchHF() throws {
        let cases = TokenizerFuzzCase.all
        let tokenizers = try Dictionary(uniqueKeysWithValues: Set(cases.map(\.tokenizer)).map { ($0, try TokenizerFuzzCase.tokenizer($0)) })
        let order = (0..<(cases.count * 3)).map { ($0 * 7919) % cases.count }
        final class Results: @unchecked Sendable {
            var values: [Encoding?]
            init(_ count: Int) { values = Array(repeating: nil, count: count) }
        }
        let results = Results(order.count)
        results.values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: order.count) { slot in
                let golden = cases[order[slot]]
                (base + slot).pointee = tokenizers[golden.tokenizer]?.encode(golden.text, addSpecialTokens: golden.addSpecialTokens)
            }
        }
        for (slot, index) in order.enumerated() {
            let golden = cases[index]
            #expect(results.values[slot]?.ids == golden.ids, "\(golden.testDescription)")
            #expect(results.values[slot]?.offsets == golden.offsets, "\(golden.testDescription)")
        }
    }
}
