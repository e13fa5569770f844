import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded, thread-safe cache of tokenized words (HF keeps one per model).
///
/// Lookups read the word in place (no key array is built) and copy the cached tokens
/// straight into the caller's output, so a hit allocates nothing and retains nothing: with
/// SentencePiece-style words cut at "▁" (``_BPE/splitsAtSpaceMarkers``) almost every word of
/// a text is a hit, and the lookup is the encoder's inner loop.
///
/// Each thread has its own table for this cache (``_ThreadWordTables``), so a lookup takes
/// no lock and touches no memory another core writes: with every core encoding, a shared
/// table's lock was a fifth of the encoder's own time. A word is merged once per thread
/// that meets it, which the hit rate makes negligible.
final class _WordCache: Sendable {
    /// Entries kept at most per thread; further words are not cached, as HF's cache does.
    static let capacity = 100_000
    /// Tells this cache's tables apart from those of caches that came and went before it
    /// (an address can be reused; this number is not).
    private let id = _ThreadWordTables.nextCacheID()

    /// Appends the cached tokens of `word`, their offsets moved by `shift`, to `output`.
    /// - Returns: Whether `word` was cached (`output` is unchanged otherwise).
    @inline(__always)
    func appendCached(_ word: UnsafeBufferPointer<Unicode.Scalar>, shift: Int32, to output: inout [_ModelToken]) -> Bool {
        _ThreadWordTables.withCurrent { $0.append(cache: id, word, shift: shift, to: &output) }
    }

    /// Calls `body` with this cache's view of the calling thread's tables: one thread-local
    /// lookup for many words (a lookup per word was ~35 instructions of every cached word).
    @inline(__always)
    func withThreadTables<Result>(_ body: (_ThreadWordCache) -> Result) -> Result {
        _ThreadWordTables.withCurrent { body(_ThreadWordCache(id: id, tables: $0)) }
    }

    /// Caches `tokens` (offsets relative to `word`) as the tokenization of `word`.
    func insert(_ word: UnsafeBufferPointer<Unicode.Scalar>, _ tokens: UnsafeBufferPointer<_ModelToken>) {
        _ThreadWordTables.withCurrent { $0.insert(cache: id, word, tokens, capacity: Self.capacity) }
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

/// A word cache as seen from one thread (``_WordCache/withThreadTables(_:)``): valid only on
/// that thread, during the call.
struct _ThreadWordCache {
    let id: UInt64
    unowned(unsafe) let tables: _ThreadWordTables

    /// ``_WordCache/appendCached(_:shift:to:)`` without the thread-local lookup.
    @inline(__always)
    func appendCached(_ word: UnsafeBufferPointer<Unicode.Scalar>, shift: Int32, to output: inout [_ModelToken]) -> Bool {
        tables.append(cache: id, word, shift: shift, to: &output)
    }

    /// ``_WordCache/insert(_:_:)`` without the thread-local lookup.
    func insert(_ word: UnsafeBufferPointer<Unicode.Scalar>, _ tokens: UnsafeBufferPointer<_ModelToken>) {
        tables.insert(cache: id, word, tokens, capacity: _WordCache.capacity)
    }
}

/// One thread's word tables: one per word cache it used lately (at most
/// ``_ThreadWordTables/limit``, the least recently used dropped first, so the tables of
/// tokenizers that are gone do not pile up), reached through one process-wide thread-local key
/// and freed when the thread ends.
final class _ThreadWordTables {
    static let limit = 8
    // Only the owning thread ever touches its tables, so the properties skip the runtime's
    // exclusivity checks: two calls of `swift_beginAccess`/`swift_endAccess` per cached word
    // (each a thread-local lookup) were a tenth of the encoder's instructions.
    /// The cache whose table is ``table`` (0: none yet).
    @exclusivity(unchecked) private var tableID: UInt64 = 0
    /// The table of the cache used last, kept inline so a lookup reaches it without a
    /// reference count.
    @exclusivity(unchecked) private var table = _WordTable()
    /// The other caches' tables, most recently used last.
    @exclusivity(unchecked) private var others: [(id: UInt64, table: _WordTable)] = []

    private static let counter = Atomic<UInt64>(0)

    /// A number no other cache of this process has (never 0).
    static func nextCacheID() -> UInt64 {
        counter.add(1, ordering: .relaxed).newValue
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // Without a key (the process ran out of them), each lookup gets a fresh set of
        // tables: correct, only uncached.
        if pthread_key_create(&key, { pointer in
            #if canImport(Darwin)
            Unmanaged<_ThreadWordTables>.fromOpaque(pointer).release()
            #else
            if let pointer { Unmanaged<_ThreadWordTables>.fromOpaque(pointer).release() }
            #endif
        }) != 0 {
            key = pthread_key_t.max
        }
        return key
    }()

    /// Calls `body` with the calling thread's tables (without retaining them).
    @inline(__always)
    static func withCurrent<Result>(_ body: (_ThreadWordTables) -> Result) -> Result {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<_ThreadWordTables>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
        }
        let tables = _ThreadWordTables()
        if key != pthread_key_t.max, pthread_setspecific(key, Unmanaged.passRetained(tables).toOpaque()) != 0 {
            Unmanaged.passUnretained(tables).release()
        }
        return body(tables)
    }

    /// ``_WordCache/appendCached(_:shift:to:)`` for the cache numbered `id`.
    @inline(__always)
    func append(cache id: UInt64, _ word: UnsafeBufferPointer<Unicode.Scalar>, shift: Int32, to output: inout [_ModelToken]) -> Bool {
        if id != tableID { switchTable(to: id) }
        return table.append(word, hash: _WordTable.hash(word), shift: shift, to: &output)
    }

    /// ``_WordCache/insert(_:_:)`` for the cache numbered `id`, while its table holds fewer
    /// than `capacity` words.
    func insert(cache id: UInt64, _ word: UnsafeBufferPointer<Unicode.Scalar>, _ tokens: UnsafeBufferPointer<_ModelToken>, capacity: Int) {
        if id != tableID { switchTable(to: id) }
        if table.count < capacity { table.insert(word, hash: _WordTable.hash(word), tokens) }
    }

    private func switchTable(to id: UInt64) {
        let found = others.firstIndex(where: { $0.id == id }).map { others.remove(at: $0).table }
        if tableID != 0 {
            others.append((tableID, table))
            if others.count >= Self.limit { others.removeFirst() }
        }
        table = found ?? _WordTable()
        tableID = id
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

    /// A 64-bit hash of the scalars (multiply-xorshift per pair of scalars, then a finalizer):
    /// a pair per round halves the chain of dependent multiplies, the lookup's critical path.
    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<Unicode.Scalar>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: word.count)
        var index = 0
        while index + 1 < word.count {
            let pair = UInt64(word[index].value) | UInt64(word[index + 1].value) << 32
            hash = (hash ^ pair) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            index += 2
        }
        if index < word.count {
            hash = (hash ^ UInt64(word[index].value)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
        }
        hash ^= hash >> 29
        hash = hash &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 32)
    }

    /// Appends the tokens of `word` shifted by `shift` to `output`, when cached.
    /// (`mutating` only so that callers reach the table in place instead of copying it.)
    @inline(__always)
    mutating func append(_ word: UnsafeBufferPointer<Unicode.Scalar>, hash: UInt64, shift: Int32, to output: inout [_ModelToken]) -> Bool {
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
                        if end - start == word.count, let keyBase = keys.baseAddress, let wordBase = word.baseAddress,
                           Self.equal(keyBase + start, wordBase, count: word.count) {
                            return entry
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// Whether `count` scalars at `left` and `right` are the same, compared two at a time.
    @inline(__always)
    private static func equal(_ left: UnsafePointer<Unicode.Scalar>, _ right: UnsafePointer<Unicode.Scalar>, count: Int) -> Bool {
        let leftRaw = UnsafeRawPointer(left), rightRaw = UnsafeRawPointer(right)
        var offset = 0
        let bytes = count * 4
        while offset + 8 <= bytes {
            if leftRaw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != rightRaw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                return false
            }
            offset += 8
        }
        return offset == bytes || leftRaw.load(fromByteOffset: offset, as: UInt32.self) == rightRaw.load(fromByteOffset: offset, as: UInt32.self)
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
