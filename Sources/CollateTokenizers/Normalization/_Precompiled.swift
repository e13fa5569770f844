import Foundation

/// The `Precompiled` normalizer: SentencePiece's `precompiled_charsmap`, a darts-clone
/// double-array trie over UTF-8 bytes whose values index NUL-terminated replacements in a
/// string blob, applied as HF tokenizers (with the `spm_precompiled` crate) applies it.
///
/// Layout of the charsmap: a little-endian `UInt32` byte size of the trie, the trie's
/// `UInt32` units, then the replacement blob. Each extended grapheme cluster shorter than
/// 6 UTF-8 bytes is looked up whole; otherwise (or when that misses) each scalar is looked
/// up alone. A lookup takes the *first* (shortest) prefix the trie holds, as the crate does.
struct _Precompiled: Sendable {
    private let units: [UInt32]
    private let blob: [UInt8]
    /// What the trie gives each ASCII scalar looked up alone (index: the scalar's value).
    private var asciiReplacements: [[Unicode.Scalar]?] = Array(repeating: nil, count: 128)

    init(json: _JSONValue) throws {
        let member = try json.member("precompiled_charsmap")
        if member.isNull {
            // An empty charsmap: HF's transformers writes null for an identity normalizer.
            units = []
            blob = []
            return
        }
        let encoded = try member.string()
        guard let data = Data(base64Encoded: encoded) else {
            throw TokenizerJSONError.invalidValue(
                path: member.path, value: "\"\(encoded.prefix(24))...\"",
                reason: "the charsmap must be base64 (as HF tokenizers writes it); re-export the tokenizer")
        }
        let bytes = [UInt8](data)
        func invalid(_ reason: String) -> TokenizerJSONError {
            .invalidValue(path: member.path, value: "\(bytes.count) bytes", reason: reason + "; re-export the tokenizer")
        }
        guard bytes.count >= 4 else { throw invalid("the charsmap is too short to hold its trie size") }
        let trieSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        let unitCount = trieSize / 4
        guard 4 + unitCount * 4 <= bytes.count else { throw invalid("the trie size \(trieSize) exceeds the charsmap") }
        var units = [UInt32](repeating: 0, count: unitCount)
        for index in 0..<unitCount {
            let base = 4 + index * 4
            units[index] = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
        }
        self.units = units
        blob = Array(bytes[(4 + unitCount * 4)...])
        guard String(validating: blob, as: UTF8.self) != nil else { throw invalid("the replacement strings are not UTF-8") }
        for value in 0..<128 { asciiReplacements[value] = transform(CollectionOfOne(UInt8(value))) }
    }

    /// The replacement of the shortest prefix of `key` the trie holds (`nil` if none).
    private func transform(_ key: some Collection<UInt8>) -> [Unicode.Scalar]? {
        guard !units.isEmpty else { return nil }
        var node = 0
        var unit = units[0]
        node ^= Self.offset(unit)
        for byte in key {
            if byte == 0 { break }
            node ^= Int(byte)
            guard node < units.count else { return nil }
            unit = units[node]
            if unit & (1 << 31 | 0xFF) != UInt32(byte) { return nil }
            node ^= Self.offset(unit)
            if (unit >> 8) & 1 == 1 {
                guard node < units.count else { return nil }
                let start = Int(units[node] & ((1 << 31) - 1))
                guard start <= blob.count else { return nil }
                var end = start
                while end < blob.count, blob[end] != 0 { end += 1 }
                return Array(String(decoding: blob[start..<end], as: UTF8.self).unicodeScalars)
            }
        }
        return nil
    }

    @inline(__always)
    private static func offset(_ unit: UInt32) -> Int {
        Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
    }

    /// Normalizes `string` (HF 0.23 `Precompiled::normalize` with its `replace` helper: the
    /// replacement's scalars replace, the last `new - old` of them are insertions, and a
    /// shorter replacement folds the removal into the last change so far, even one of an
    /// earlier grapheme when the replacement is empty).
    func normalize(_ string: inout _NormalizedString) {
        guard !units.isEmpty, !string.isEmpty else { return }
        // Built from the first change on (an unchanged text allocates none).
        var changes: [(Unicode.Scalar, Int)] = []
        var modified = false
        func push(_ replacement: [Unicode.Scalar], replacing oldCount: Int) {
            for scalar in replacement { changes.append((scalar, 0)) }
            let difference = replacement.count - oldCount
            if difference > 0 {
                for index in (changes.count - difference)..<changes.count { changes[index].1 = 1 }
            } else if difference < 0, !changes.isEmpty {
                changes[changes.count - 1].1 += difference
            }
        }
        let scalars = string.scalars
        let count = scalars.count
        /// Whether the scalar at `index` is an ASCII grapheme cluster of its own (ASCII on both
        /// sides, no CR LF pair): most of a text, looked up in `asciiReplacements` without
        /// grapheme breaking.
        @inline(__always) func isLoneASCII(_ index: Int) -> Bool {
            let value = scalars[index].value
            guard value < 0x80 else { return false }
            if index > 0 {
                let previous = scalars[index - 1].value
                if previous >= 0x80 || (value == 0x0A && previous == 0x0D) { return false }
            }
            if index + 1 < count {
                let next = scalars[index + 1].value
                if next >= 0x80 || (value == 0x0D && next == 0x0A) { return false }
            }
            return true
        }
        /// Records the first change at scalar `position`: the unchanged scalars before it
        /// become changes of their own.
        @inline(__always) func markModified(at position: Int) {
            guard !modified else { return }
            modified = true
            changes.reserveCapacity(count + 8)
            for index in 0..<position { changes.append((scalars[index], 0)) }
        }
        var index = 0
        while index < count {
            if isLoneASCII(index) {
                if let replacement = asciiReplacements[Int(scalars[index].value)] {
                    markModified(at: index)
                    push(replacement, replacing: 1)
                } else if modified {
                    changes.append((scalars[index], 0))
                }
                index += 1
                continue
            }
            // The scalars up to the next lone ASCII one, cluster by cluster: a lone ASCII
            // scalar is a cluster boundary on both sides, so the clusters are those of the text.
            var end = index + 1
            while end < count, !isLoneASCII(end) { end += 1 }
            var position = index
            for grapheme in String(scalars: Array(scalars[index..<end])) {
                let utf8 = grapheme.utf8
                let scalarCount = grapheme.unicodeScalars.count
                if utf8.count < 6, let replacement = transform(utf8) {
                    markModified(at: position)
                    push(replacement, replacing: scalarCount)
                    position += scalarCount
                    continue
                }
                for scalar in grapheme.unicodeScalars {
                    if let replacement = transform(UTF8.bytes(of: scalar)) {
                        markModified(at: position)
                        push(replacement, replacing: 1)
                    } else if modified {
                        changes.append((scalar, 0))
                    }
                    position += 1
                }
            }
            index = end
        }
        if modified { string.transform(changes: changes, initialOffset: 0) }
    }
}
