import Foundation

/// A vocabulary key compared by its exact Unicode scalars (UTF-8 bytes).
///
/// Swift `String` equality is canonical equivalence, so a `[String: Int32]` vocabulary
/// would find the token `"é"` (U+00E9) for the text `"e\u{301}"`, or fold the two entries
/// of a vocabulary that holds both into one. HF compares bytes; so does this key.
struct _VocabKey: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        var string = string
        string.makeContiguousUTF8()
        self.string = string
    }

    static func == (lhs: _VocabKey, rhs: _VocabKey) -> Bool {
        let left = lhs.string.utf8
        let right = rhs.string.utf8
        guard left.count == right.count else { return false }
        // One memcmp over the contiguous bytes (a generic element-by-element walk took 4% of
        // loading tekken's 8 MB tokenizer.json, mostly in the merges' lookups).
        let equal = left.withContiguousStorageIfAvailable { leftBytes in
            right.withContiguousStorageIfAvailable { rightBytes -> Bool in
                guard let leftBase = leftBytes.baseAddress, let rightBase = rightBytes.baseAddress else { return leftBytes.count == rightBytes.count }
                return memcmp(leftBase, rightBase, leftBytes.count) == 0
            }
        }
        if let equal, let equal { return equal }
        return left.elementsEqual(right)
    }

    func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Token string to id, compared by exact scalars.
typealias _Vocabulary = [_VocabKey: Int32]

extension Dictionary where Key == _VocabKey, Value == Int32 {
    /// The id of exactly this token string.
    subscript(token token: String) -> Int32? {
        get { self[_VocabKey(token)] }
        set { self[_VocabKey(token)] = newValue }
    }
}
