import Foundation

/// A normalizer from `tokenizer.json` (`normalizer`), applied with alignment tracking.
indirect enum _Normalizer: Sendable {
    case sequence([_Normalizer])
    case prepend([Unicode.Scalar])
    case append([Unicode.Scalar])
    case replace(_Pattern, content: [Unicode.Scalar])
    case unicode(_UnicodeForm)
    case lowercase
    case strip(left: Bool, right: Bool)

    /// Parses the normalizer object at `json`.
    static func parse(_ json: _JSONValue) throws -> _Normalizer {
        let type = try json.componentType()
        switch type {
        case "Sequence":
            return .sequence(try json.member("normalizers").array().map(parse))
        case "Prepend":
            return .prepend(Array(try json.member("prepend").string().unicodeScalars))
        case "Append":
            return .append(Array(try json.member("append").string().unicodeScalars))
        case "Replace":
            let pattern = try _Pattern.parse(try json.member("pattern"))
            return .replace(pattern, content: Array(try json.member("content").string().unicodeScalars))
        case "NFC": return .unicode(.nfc)
        case "NFD": return .unicode(.nfd)
        case "NFKC": return .unicode(.nfkc)
        case "NFKD": return .unicode(.nfkd)
        case "Lowercase": return .lowercase
        case "Strip":
            return .strip(
                left: try json.bool("strip_left", default: true),
                right: try json.bool("strip_right", default: true))
        default:
            throw json.unsupported(type)
        }
    }

    /// Normalizes `string` in place.
    func normalize(_ string: inout _NormalizedString) {
        switch self {
        case .sequence(let normalizers):
            for normalizer in normalizers { normalizer.normalize(&string) }
        case .prepend(let prefix):
            if !string.isEmpty { string.prepend(prefix) }
        case .append(let suffix):
            if !string.isEmpty { string.append(suffix) }
        case .replace(let pattern, let content):
            let matches = pattern.matches(in: string.scalars).filter { !$0.isEmpty }
            string.replace(matches: matches, with: content)
        case .unicode(let form):
            form.apply(to: &string)
        case .lowercase:
            string.expand { scalar in
                if scalar.isASCII {
                    let value = scalar.value
                    return (value >= 0x41 && value <= 0x5A) ? [Unicode.Scalar(value + 0x20)!] : nil
                }
                let mapped = Array(scalar.properties.lowercaseMapping.unicodeScalars)
                return mapped == [scalar] ? nil : mapped
            }
        case .strip(let left, let right):
            string.strip(left: left, right: right)
        }
    }
}

/// A Unicode normalization form.
enum _UnicodeForm: Sendable {
    case nfc, nfd, nfkc, nfkd

    private func normalize(_ text: String) -> String {
        switch self {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        // Composed explicitly after the compatibility decomposition: Foundation's NFKC leaves
        // halfwidth "ｶﾞ" as U+30AB U+3099 where Unicode (and HF) give U+30AC.
        case .nfkc: return text.decomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        }
    }

    /// Whether a segment of normalization may start at `scalar` (a starter that no
    /// preceding scalar composes or reorders with).
    private static func startsSegment(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.canonicalCombiningClass != .notReordered { return false }
        let value = scalar.value
        // Hangul vowel and trailing jamo compose with the preceding syllable.
        if (0x1161...0x11C2).contains(value) { return false }
        return !joinsPrevious.contains(value)
    }

    /// Starters (combining class 0) that still join the scalar before them, so a segment
    /// cut in front of one would leave, e.g., Tamil U+0BC6 U+0BBE decomposed where HF composes
    /// U+0BCA: the NFC_Quick_Check=Maybe starters of the Indic, Myanmar, Balinese and other
    /// two-part vowel signs, and starters whose decomposition begins with a non-starter
    /// (Tibetan U+0F73/U+0F75/U+0F81; halfwidth katakana voicing marks U+FF9E/U+FF9F under NFKC).
    private static let joinsPrevious: Set<UInt32> = [
        0x09BE, 0x09D7, 0x0B3E, 0x0B56, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57,
        0x0DCF, 0x0DDF, 0x0F73, 0x0F75, 0x0F81, 0x102E, 0x1B35, 0xFF9E, 0xFF9F,
        0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930,
    ]

    /// Normalizes with alignments: the text is cut into segments that normalize
    /// independently; inside a segment the i-th new scalar replaces the i-th old one,
    /// extra new scalars are insertions and missing ones removals (HF's
    /// `unicode-normalization-alignments` changes).
    func apply(to string: inout _NormalizedString) {
        let scalars = string.scalars
        if scalars.allSatisfy(\.isASCII) { return }
        var changes: [(Unicode.Scalar, Int)] = []
        changes.reserveCapacity(scalars.count)
        var start = 0
        while start < scalars.count {
            var end = start + 1
            while end < scalars.count, !Self.startsSegment(scalars[end]) { end += 1 }
            let segment = Array(scalars[start..<end])
            var view = String.UnicodeScalarView()
            view.append(contentsOf: segment)
            let normalized = Array(normalize(String(view)).unicodeScalars)
            if normalized == segment {
                for scalar in segment { changes.append((scalar, 0)) }
            } else if normalized.isEmpty {
                // Removal of a whole segment: fold into the previous change if any.
                if let last = changes.popLast() {
                    changes.append((last.0, last.1 - segment.count))
                }
            } else {
                let common = min(normalized.count, segment.count)
                for index in 0..<common {
                    let isLast = index == common - 1
                    let removed = isLast && segment.count > normalized.count ? segment.count - normalized.count : 0
                    changes.append((normalized[index], -removed))
                }
                for index in common..<normalized.count { changes.append((normalized[index], 1)) }
            }
            start = end
        }
        string.transform(changes: changes, initialOffset: 0)
    }
}
