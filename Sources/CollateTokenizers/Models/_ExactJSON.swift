import Foundation

/// Reads `model.vocab` from the raw bytes of a `tokenizer.json`, keeping every key exactly
/// as written (`JSONParser` finds repeated keys with `String` equality, so it folds
/// canonically equivalent keys into one).
///
/// Only what is needed is parsed: the root object's `model` member, then its `vocab`
/// object of string keys and number values, in document order; everything else is skipped
/// without recursion. Anything unexpected gives `nil` and the ordinary parse decides.
struct _ExactJSON: Sendable {
    /// The raw document.
    let bytes: [UInt8]
    /// ``modelVocabularyCount()``, when it was started on another thread at creation.
    private let precounted: _ConcurrentResult<Int?>?

    /// A reader of `bytes`; with `countingNow`, the count of `model.vocab`'s entries starts at
    /// once on another thread (a scan of the whole document, ~10% of loading a tokenizer, that
    /// then overlaps the ordinary parse).
    init(bytes: [UInt8], countingNow: Bool = false) {
        self.bytes = bytes
        precounted = countingNow ? _ConcurrentResult { Self(bytes: bytes).modelVocabularyCount() } : nil
    }

    /// The entries of `model.vocab`, keys exactly as written.
    func modelVocabulary() -> [(String, Double)]? {
        var reader = Reader(bytes: bytes, countOnly: false)
        return reader.modelVocabulary()
    }

    /// How many entries `model.vocab` has in the document (strings are skipped, not built),
    /// so the full read happens only when Foundation folded keys.
    func modelVocabularyCount() -> Int? {
        if let precounted { return precounted.value ?? nil }
        var reader = Reader(bytes: bytes, countOnly: true)
        return reader.modelVocabulary() == nil ? nil : reader.counted
    }

    private struct Reader {
        let bytes: [UInt8]
        let countOnly: Bool
        var position = 0
        var counted = 0

        mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func modelVocabulary() -> [(String, Double)]? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            return members { key, reader in
                guard key == "model" else { return reader.skipValue() ? .skipped : .failed }
                guard reader.expect(UInt8(ascii: "{")) else { return .failed }
                let found = reader.members { key, reader in
                    guard key == "vocab" else { return reader.skipValue() ? .skipped : .failed }
                    guard let pairs = reader.numberObject() else { return .failed }
                    return .found(pairs)
                }
                guard let found, !found.isEmpty || reader.countOnly else { return .failed }
                return .found(found)
            }
        }

        enum Step { case skipped, failed, found([(String, Double)]) }

        /// Walks `key: value` members after an opening brace, calling `body` at each value;
        /// returns the first `.found` (or `nil` on a failure or when none).
        mutating func members(_ body: (String, inout Reader) -> Step) -> [(String, Double)]? {
            if expect(UInt8(ascii: "}")) { return nil }
            while true {
                guard let key = string(), expect(UInt8(ascii: ":")) else { return nil }
                switch body(key, &self) {
                case .failed: return nil
                case .found(let value): return value  // the rest of the document is not needed
                case .skipped: break
                }
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                return nil
            }
        }

        /// A `{"token": number, ...}` object.
        mutating func numberObject() -> [(String, Double)]? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            var pairs: [(String, Double)] = []
            if expect(UInt8(ascii: "}")) { return pairs }
            while true {
                if countOnly {
                    guard skipString(), expect(UInt8(ascii: ":")), number() != nil else { return nil }
                    counted += 1
                    if expect(UInt8(ascii: ",")) { continue }
                    return expect(UInt8(ascii: "}")) ? pairs : nil
                }
                guard let key = string(), expect(UInt8(ascii: ":")), let value = number() else { return nil }
                pairs.append((key, value))
                if expect(UInt8(ascii: ",")) { continue }
                return expect(UInt8(ascii: "}")) ? pairs : nil
            }
        }

        mutating func number() -> Double? {
            skipSpace()
            let start = position
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                     UInt8(ascii: "e"), UInt8(ascii: "E"):
                    position += 1
                default:
                    return Double(String(decoding: bytes[start..<position], as: UTF8.self))
                }
            }
            return Double(String(decoding: bytes[start..<position], as: UTF8.self))
        }

        /// Skips a string without decoding it.
        mutating func skipString() -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return false }
            position += 1
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\\") { position += 1; continue }
                if byte == UInt8(ascii: "\"") { return true }
            }
            return false
        }

        /// A string (escapes decoded, `\u` surrogate pairs joined).
        mutating func string() -> String? {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
            position += 1
            // Fast path: no escape before the closing quote.
            var end = position
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let result = String(decoding: bytes[position..<end], as: UTF8.self)
                position = end + 1
                return result
            }
            var output: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: output, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else { output.append(byte); continue }
                guard position < bytes.count else { return nil }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    guard var value = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(value), position + 1 < bytes.count,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(value) else { return nil }
                    output.append(contentsOf: UTF8.bytes(of: scalar))
                default: output.append(escape)
                }
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= bytes.count,
                  let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
            else { return nil }
            position += 4
            return value
        }

        /// Skips one value of any kind, iteratively (no recursion on deep nesting).
        mutating func skipValue() -> Bool {
            skipSpace()
            var depth = 0
            repeat {
                guard position < bytes.count else { return false }
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    position += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    position += 1
                default:
                    position += 1
                }
                skipSpace()
                if depth > 0 {
                    // Inside a container: commas and colons are consumed by the loop.
                    continue
                }
                // A scalar at depth 0 ends before a delimiter.
                if byte != UInt8(ascii: "\""), byte != UInt8(ascii: "}"), byte != UInt8(ascii: "]") {
                    scalarLoop: while position < bytes.count {
                        switch bytes[position] {
                        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): break scalarLoop
                        default: position += 1
                        }
                    }
                }
            } while depth > 0
            return depth == 0
        }
    }
}

/// A value computed on another thread from the moment it is created; ``value`` waits for it.
final class _ConcurrentResult<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let done = DispatchGroup()

    init(_ compute: @escaping @Sendable () -> Value) {
        done.enter()
        DispatchQueue.global().async {
            self.result = compute()
            self.done.leave()
        }
    }

    /// The value, once computed (the group orders the write before this read; never `nil`).
    var value: Value? {
        done.wait()
        return result
    }
}
