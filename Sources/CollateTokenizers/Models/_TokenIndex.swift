import Foundation

/// A read-only index from token bytes to ids, built once from a vocabulary to resolve the
/// merges of a BPE `tokenizer.json` while loading (three lookups per merge, 130k+ merges for
/// real vocabularies).
///
/// Tokens are stored back to back in one byte buffer and found through an open-addressing
/// table of `hash << 32 | entry` words, so a lookup touches two small arrays and compares
/// bytes with `memcmp` only on a full 32-bit hash match; a merged token is looked up as
/// the concatenation of two byte runs without building it. Keys compare as exact bytes, as
/// `_VocabKey` does.
struct _TokenIndex {
    private var bytes: [UInt8] = []
    /// For each entry: start in `bytes`, then (next entry's start) its end.
    private var starts: [Int32] = [0]
    private var ids: [Int32] = []
    private var slots: [UInt64]
    private let mask: Int

    private static let empty = UInt64.max

    /// Indexes every entry of `vocab`.
    init(_ vocab: _Vocabulary) {
        var size = 16
        while size < vocab.count * 2 { size <<= 1 }
        slots = Array(repeating: Self.empty, count: size)
        mask = size - 1
        ids.reserveCapacity(vocab.count)
        starts.reserveCapacity(vocab.count + 1)
        bytes.reserveCapacity(vocab.count * 8)
        for (key, id) in vocab {
            var token = key.string
            token.withUTF8 { utf8 in
                let hash = Self.finish(Self.hash(utf8))
                let entry = UInt64(ids.count)
                bytes.append(contentsOf: utf8)
                starts.append(Int32(bytes.count))
                ids.append(id)
                var index = Int(truncatingIfNeeded: hash) & mask
                while slots[index] != Self.empty { index = (index + 1) & mask }
                slots[index] = (hash >> 32) << 32 | entry
            }
        }
    }

    /// FNV-1a over `buffer`, continuing from `state` (the offset basis for a fresh hash).
    @inline(__always)
    private static func hash(_ buffer: UnsafeBufferPointer<UInt8>, _ state: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var hash = state
        for byte in buffer { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The hash mixed so that the low bits (the slot) and the high bits (the tag) both
    /// depend on every byte.
    @inline(__always)
    private static func finish(_ hash: UInt64) -> UInt64 {
        var mixed = hash ^ (hash >> 31)
        mixed = mixed &* 0x9E37_79B9_7F4A_7C15
        return mixed ^ (mixed >> 29)
    }

    /// The id of the token whose bytes are `first` followed by `second` (`second` empty for
    /// a plain lookup).
    func id(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> Int32? {
        let hash = Self.finish(Self.hash(second, Self.hash(first)))
        let tag = hash >> 32
        let length = first.count + second.count
        return slots.withUnsafeBufferPointer { slots in
            bytes.withUnsafeBufferPointer { stored in
                var index = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let slot = slots[index]
                    if slot == Self.empty { return nil }
                    if slot >> 32 == tag {
                        let entry = Int(slot & 0xFFFF_FFFF)
                        let start = Int(starts[entry])
                        if Int(starts[entry + 1]) - start == length,
                           Self.equal(stored.baseAddress! + start, first),
                           Self.equal(stored.baseAddress! + start + first.count, second) {
                            return ids[entry]
                        }
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    @inline(__always)
    private static func equal(_ stored: UnsafePointer<UInt8>, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return true }
        return memcmp(stored, base, buffer.count) == 0
    }

    /// The id of exactly `token`.
    func id(of token: String) -> Int32? {
        var token = token
        return token.withUTF8 { id($0, UnsafeBufferPointer(start: nil, count: 0)) }
    }
}
