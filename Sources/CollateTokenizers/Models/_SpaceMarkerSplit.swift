import Foundation

/// The load-time check behind cutting SentencePiece-style BPE words at "▁" (U+2581)
/// (``_BPE/splitsAtSpaceMarkers``). Tokenizers without a pre-tokenizer (Llama 2, Mistral v1:
/// normalizer `Prepend("▁")` + `Replace(" ", "▁")`) hand the model a whole text as one word;
/// cutting it where no merge can reach across keeps the result and lets the word cache work.
enum _SpaceMarkerSplit {
    /// "▁", the SentencePiece space marker.
    static let marker: Unicode.Scalar = "\u{2581}"
    /// "▁" as a string.
    static let markerString = "\u{2581}"
    /// UTF-8 of "▁".
    private static let markerBytes: (UInt8, UInt8, UInt8) = (0xE2, 0x96, 0x81)

    /// Whether `token` has a scalar other than "▁" directly followed by "▁" (such a token
    /// could be merged across a cut, so the model must not cut). Reads UTF-8 bytes: a "▁"
    /// that starts a later scalar is preceded by a "▁" exactly when the three bytes before it
    /// are "▁" (UTF-8 is self-synchronizing).
    static func hasMarkerAfterOtherScalar(_ token: String) -> Bool {
        var token = token
        return token.withUTF8 { bytes in
            guard bytes.count >= 4 else { return false }
            var index = 1
            while index + 2 < bytes.count {
                if bytes[index] == markerBytes.0, bytes[index + 1] == markerBytes.1, bytes[index + 2] == markerBytes.2 {
                    let previousIsMarker = index >= 3 && bytes[index - 3] == markerBytes.0
                        && bytes[index - 2] == markerBytes.1 && bytes[index - 1] == markerBytes.2
                    if !previousIsMarker { return true }
                    index += 3
                } else {
                    index += 1
                }
            }
            return false
        }
    }

    /// Whether `token` ends with "▁".
    static func endsWithMarker(_ token: String) -> Bool {
        token.unicodeScalars.last == marker
    }
}
