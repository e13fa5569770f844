/// GPT-2's reversible mapping between bytes and printable Unicode scalars (HF
/// `bytes_char`), and the GPT-2 split pattern.
enum _ByteLevel {
    /// The scalar standing for each byte.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte each byte-level scalar stands for (`nil` for other scalars).
    static let scalarToByte: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (byte, scalar) in byteToScalar.enumerated() { table[scalar.value] = UInt8(byte) }
        return table
    }()

    /// The pattern HF's `ByteLevel` pre-tokenizer splits with when `use_regex` is true.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// The compiled GPT-2 pattern.
    static let gpt2Regex = _Regex(builtIn: gpt2Pattern)

    /// Replaces every scalar by the byte-level scalars of its UTF-8 bytes; each keeps the
    /// alignment of the scalar it comes from (HF `ByteLevel::pre_tokenize` transform).
    static func encode(_ string: inout _NormalizedString) {
        let table = byteToScalar
        // ASCII maps one scalar to one: rewrite in place, alignments unchanged.
        if string.scalars.allSatisfy({ $0.value < 0x80 }) {
            for index in string.scalars.indices { string.scalars[index] = table[Int(string.scalars[index].value)] }
            return
        }
        var scalars: [Unicode.Scalar] = []
        var alignments: [_Alignment] = []
        scalars.reserveCapacity(string.scalars.count + string.scalars.count / 4)
        alignments.reserveCapacity(scalars.capacity)
        for (index, scalar) in string.scalars.enumerated() {
            let alignment = string.alignments[index]
            let value = scalar.value
            if value < 0x80 {
                scalars.append(table[Int(value)])
                alignments.append(alignment)
            } else {
                for byte in UTF8.bytes(of: scalar) {
                    scalars.append(table[Int(byte)])
                    alignments.append(alignment)
                }
            }
        }
        string.scalars = scalars
        string.alignments = alignments
    }

    /// Replaces every scalar of every word by the byte-level scalars of its UTF-8 bytes; each
    /// keeps the alignment of the scalar it comes from (HF `ByteLevel::pre_tokenize` transform).
    static func encode(_ words: inout _Words) {
        let table = byteToScalar
        // ASCII maps one scalar to one: rewrite in place, alignments unchanged.
        if !words.spans.contains(where: { word in words.scalars[word.range].contains { $0.value >= 0x80 } }) {
            let spans = words.spans
            words.scalars.withUnsafeMutableBufferPointer { scalars in
                for word in spans {
                    for index in word.range { scalars[index] = table[Int(scalars[index].value)] }
                }
            }
            return
        }
        words.rewrite(extraCapacity: 0) { word, oldScalars, oldAlignments, scalars, alignments in
            for index in word.range {
                let scalar = oldScalars[index]
                let alignment = oldAlignments[index]
                let value = scalar.value
                if value < 0x80 {
                    scalars.append(table[Int(value)])
                    alignments.append(alignment)
                } else {
                    UTF8.encode(scalar) { byte in
                        scalars.append(table[Int(byte)])
                        alignments.append(alignment)
                    }
                }
            }
        }
    }
}

extension UTF8 {
    /// The UTF-8 bytes of one scalar.
    static func bytes(of scalar: Unicode.Scalar) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        UTF8.encode(scalar) { bytes.append($0) }
        return bytes
    }
}
