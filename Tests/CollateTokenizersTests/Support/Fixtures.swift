import Foundation
import CollateTestSupport
import Testing
@testable import CollateTokenizers

/// The tokenizer fixtures under `Tests/Fixtures` (located by `CollateTestSupport`).
extension Fixtures {
    /// The folder of a real tokenizer (`mistral-v1`, `mistral-v1-chatml`, `tekken`).
    static func tokenizerFolder(_ name: String) -> URL {
        root.appendingPathComponent("tokenizers").appendingPathComponent(name)
    }

    /// The golden file of HF tokenizers outputs.
    static let goldenFile = root.appendingPathComponent("golden").appendingPathComponent("tokenizers.jsonl")

    /// The golden file of HF tokenizers outputs for the synthetic tokenizers.
    static let componentsGoldenFile = root.appendingPathComponent("golden").appendingPathComponent("components.jsonl")

    /// Real tokenizers, each loaded once for the whole test run.
    static func tokenizer(_ name: String) throws -> PretrainedTokenizer {
        try TokenizerCache.shared.tokenizer(name)
    }
}

/// Loads each fixture tokenizer once, however many tests ask for it concurrently.
final class TokenizerCache: @unchecked Sendable {
    static let shared = TokenizerCache()
    // Guarded by `lock`; loading happens under the lock so a file is parsed once.
    private let lock = NSLock()
    private var loaded: [String: Result<PretrainedTokenizer, any Error>] = [:]

    func tokenizer(_ name: String) throws -> PretrainedTokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let result = loaded[name] { return try result.get() }
        let result = Result { try PretrainedTokenizer(contentsOf: Fixtures.tokenizerFolder(name)) }
        loaded[name] = result
        return try result.get()
    }
}

extension Fixtures {
    /// A golden line with every raw U+FEFF written as the escape `\uFEFF`, for
    /// `JSONSerialization`, which drops a U+FEFF at the start of a string value (taking it
    /// for a byte order mark) and so would lose the SentencePiece piece `"\u{FEFF}"`.
    static func escapingByteOrderMarks(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        var index = 0
        while index < bytes.count {
            if index + 2 < bytes.count, bytes[index] == 0xEF, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF {
                result.append(contentsOf: Array("\\uFEFF".utf8))
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return Data(result)
    }
}
