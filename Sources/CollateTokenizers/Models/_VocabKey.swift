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
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
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
