import Foundation
import Synchronization

/// A bounded, thread-safe cache of tokenized words (HF keeps one per model).
///
/// Lookups read the word in place (no key array is built) and copy the cached tokens
/// straight into the caller's output, so a hit allocates nothing and retains nothing: with
/// SentencePiece-style words cut at "▁" (``_BPE/splitsAtSpaceMarkers``) almost every word of
/// a text is a hit, and the lookup is the encoder's inner loop.
final class _WordCache: Sendable {
    /// One lock and table per shard: with every core encoding, threads looking up
    /// different words rarely wait for each other.
    private final class Shard: Sendable {
        let table = Mutex(_WordTable())
    }

    private static let shardCount = 16
    private let shards = (0..<_WordCache.shardCount).map { _ in Shard() }
    /// Entries kept at most, about (each shard keeps up to 4x its share, so that uneven
    /// shards do not cache fewer words in all than one table would); further words are not
    /// cached, as HF's cache does.
    static let capacity = 100_000
    private static let shardCapacity = capacity / shardCount * 4

    @inline(__always)
    private func shard(_ hash: UInt64) -> Shard {
        shards[Int(truncatingIfNeeded: hash >> 60) & (Self.shardCount - 1)]
    }

    /// Appends the cached tokens of `word`, their offsets moved by `shift`, to `output`.
    /// - Returns: Whether `word` was cached (`output` is unchanged otherwise).
    @inline(__always)
    func appendCached(_ word: UnsafeBufferPointer<Unicode.Scalar>, shift: Int32, to output: inout [_ModelToken]) -> Bool {
        let hash = _WordTable.hash(word)
        return shard(hash).table.withLock { $0.append(word, hash: hash, shift: shift, to: &output) }
    }

    /// Caches `tokens` (offsets relative to `word`) as the tokenization of `word`.
    func insert(_ word: UnsafeBufferPointer<Unicode.Scalar>, _ tokens: UnsafeBufferPointer<_ModelToken>) {
        let hash = _WordTable.hash(word)
        shard(hash).table.withLock { table in
            if table.count < Self.shardCapacity { table.insert(word, hash: hash, tokens) }
        }
    }

    /// The cached tokenization of `word`, if any.
    func get(_ word: [Unicode.Scalar]) -> [_ModelToken]? {
        var output: [_ModelToken] = []
        let hit = word.withUnsafeBufferPointer { appendCached($0, shift: 0, to: &output) }
        return hit ? output : nil
    }

    /// Caches `tokens` as the tokenization of `word`.
    func set(_ word: [Unicode.Scalar], _ tokens: [_ModelToken]) {
        word.withUnsafeBufferPointer { word in
            tokens.withUnsafeBufferPointer { insert(word, $0) }
        }
    }
}

/// An open-addressing hash table of words to tokens, its keys and values stored end to end
/// in two arenas (no per-entry allocation).
struct _WordTable: Sendable {
    /// Entry index + 1 per slot (0: empty); the slot count is a power of two, at most half full.
    private var slots: [Int32] = []
    /// Per entry: its hash, where its key starts in `keys`, where its tokens start in `tokens`.
    private var hashes: [UInt64] = []
    private var keyStarts: [Int32] = [0]
    private var tokenStarts: [Int32] = [0]
    private var keys: [Unicode.Scalar] = []
    private var tokens: [_ModelToken] = []

    /// Number of entries.
    var count: Int { hashes.count }

    /// A 64-bit hash of the scalars (multiply-xorshift per scalar, then a finalizer).
    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<Unicode.Scalar>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: word.count)
        for scalar in word {
            hash = (hash ^ UInt64(scalar.value)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
        }
        hash ^= hash >> 29
        hash = hash &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 32)
    }

    /// Appends the tokens of `word` shifted by `shift` to `output`, when cached.
    @inline(__always)
    func append(_ word: UnsafeBufferPointer<Unicode.Scalar>, hash: UInt64, shift: Int32, to output: inout [_ModelToken]) -> Bool {
        guard let entry = find(word, hash: hash) else { return false }
        let lower = Int(tokenStarts[entry])
        let upper = Int(tokenStarts[entry + 1])
        tokens.withUnsafeBufferPointer { tokens in
            for index in lower..<upper {
                let token = tokens[index]
                output.append(_ModelToken(id: token.id, start: token.start &+ shift, end: token.end &+ shift))
            }
        }
        return true
    }

    private func find(_ word: UnsafeBufferPointer<Unicode.Scalar>, hash: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                while true {
                    let value = Int(slots[slot])
                    if value == 0 { return nil }
                    let entry = value - 1
                    if hashes[entry] == hash {
                        let start = Int(keyStarts[entry])
                        let end = Int(keyStarts[entry + 1])
                        if end - start == word.count {
                            var equal = true
                            var index = 0
                            while index < word.count {
                                if keys[start + index] != word[index] { equal = false; break }
                                index += 1
                            }
                            if equal { return entry }
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// Adds `word` (when absent) with its tokens.
    mutating func insert(_ word: UnsafeBufferPointer<Unicode.Scalar>, hash: UInt64, _ newTokens: UnsafeBufferPointer<_ModelToken>) {
        if find(word, hash: hash) != nil { return }
        if (count + 1) * 2 > slots.count { grow() }
        hashes.append(hash)
        keys.append(contentsOf: word)
        keyStarts.append(Int32(truncatingIfNeeded: keys.count))
        tokens.append(contentsOf: newTokens)
        tokenStarts.append(Int32(truncatingIfNeeded: tokens.count))
        place(count - 1)
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: max(64, slots.count * 2))
        for entry in 0..<count { place(entry) }
    }
}
