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
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case stripAccents
    case nmt
    case precompiled(_Precompiled)
    case byteLevel

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
        case "BertNormalizer":
            let lowercase = try json.bool("lowercase", default: true)
            return .bert(
                cleanText: try json.bool("clean_text", default: true),
                handleChineseChars: try json.bool("handle_chinese_chars", default: true),
                // HF: `strip_accents: null` follows `lowercase`.
                stripAccents: try json.bool("strip_accents", default: lowercase),
                lowercase: lowercase)
        case "StripAccents":
            return .stripAccents
        case "Nmt":
            return .nmt
        case "Precompiled":
            return .precompiled(try _Precompiled(json: json))
        case "ByteLevel":
            return .byteLevel
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
            if case .literal(let needle) = pattern, needle.count == 1, content.count == 1 {
                // One scalar for one (SentencePiece's " " -> "▁"): each new scalar takes the
                // alignment of the scalar it replaces (HF gives it the last replaced one's),
                // so the replacement is done in place.
                string.replaceScalar(needle[0], with: content[0])
                return
            }
            let matches = pattern.matches(in: string.scalars).filter { !$0.isEmpty }
            string.replace(matches: matches, with: content)
        case .unicode(let form):
            form.apply(to: &string)
        case .lowercase:
            Self.lowercase(&string)
        case .strip(let left, let right):
            string.strip(left: left, right: right)
        case .bert(let cleanText, let handleChineseChars, let stripAccents, let lowercase):
            if cleanText {
                string.filter { scalar in
                    let value = scalar.value
                    return !(value == 0 || value == 0xFFFD || Self.isBertControl(scalar))
                }
                string.map { Self.isBertWhitespace($0) ? " " : $0 }
            }
            if handleChineseChars { Self.padChineseCharacters(&string) }
            if stripAccents {
                _UnicodeForm.nfd.apply(to: &string)
                string.filter { !Self.isBertNonspacingMark($0) }
            }
            if lowercase { Self.lowercase(&string) }
        case .stripAccents:
            string.filter { !Self.isCombiningMark($0) }
        case .nmt:
            string.filter { scalar in
                switch scalar.value {
                case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F: return false
                default: return true
                }
            }
            string.map { scalar in
                switch scalar.value {
                case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD: return " "
                default: return scalar
                }
            }
        case .precompiled(let charsmap):
            charsmap.normalize(&string)
        case .byteLevel:
            _ByteLevel.encode(&string)
        }
    }

    /// HF `StripAccents`' test (`unicode_normalization_alignments::char::is_combining_mark`):
    /// general category M (spacing vowel signs too, not only `Mn`) as of Unicode 9.0, the crate's
    /// table — U+1CF2/U+1CF3 were marks then, U+111C9 was not. Checked against every scalar
    /// with HF tokenizers 0.23.3.
    static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x300 { return false }
        if value == 0x1CF2 || value == 0x1CF3 { return true }
        if value == 0x111C9 { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            guard let age = scalar.properties.age else { return false }
            return age.major < 9 || (age.major == 9 && age.minor == 0)
        default:
            return false
        }
    }

    /// HF `NormalizedString::lowercase` (Rust `char::to_lowercase`).
    static func lowercase(_ string: inout _NormalizedString) {
        // One-to-one mappings in place (alignments unchanged); the rare one-to-many ones
        // (U+0130 -> "i\u{307}") through `expand`.
        var expands = false
        for index in string.scalars.indices {
            let value = string.scalars[index].value
            if value < 0x80 {
                if value >= 0x41 && value <= 0x5A { string.scalars[index] = Unicode.Scalar(UInt8(value + 0x20)) }
                continue
            }
            let properties = string.scalars[index].properties
            guard properties.changesWhenLowercased else { continue }
            let mapped = properties.lowercaseMapping.unicodeScalars
            if mapped.count == 1, let single = mapped.first {
                string.scalars[index] = single
            } else {
                expands = true
            }
        }
        guard expands else { return }
        string.expand { scalar in
            guard !scalar.isASCII, scalar.properties.changesWhenLowercased else { return nil }
            let mapped = Array(scalar.properties.lowercaseMapping.unicodeScalars)
            return mapped == [scalar] ? nil : mapped
        }
    }

    /// BERT's white space: tab, newline, carriage return, and Unicode White_Space.
    static func isBertWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        _PreTokenizer.isWhitespace(scalar)
    }

    /// HF's `is_control` (and NUL, U+FFFD): what BertNormalizer `clean_text` removes. Cc, Cf
    /// and Co of the `unicode_categories` crate's Unicode, measured on every scalar with HF
    /// tokenizers 0.23.3: unassigned scalars are kept, and format characters newer than the
    /// crate (e.g. U+08E2, U+110CD) too.
    static func isBertControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || value == 0x7F }
        return _HFCharacterTables.contains(_HFCharacterTables.bertControl, value)
    }

    /// BertNormalizer `strip_accents`' mark test after NFD (the crate's Mn, not the
    /// toolchain's: U+1734 is one, U+0897 is not).
    static func isBertNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && _HFCharacterTables.contains(_HFCharacterTables.bertNonspacingMark, scalar.value)
    }

    /// The CJK ideograph blocks BERT surrounds with spaces.
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// HF `do_handle_chinese_chars`: each ideograph becomes " c " (the spaces inserted).
    private static func padChineseCharacters(_ string: inout _NormalizedString) {
        guard string.scalars.contains(where: isChineseCharacter) else { return }
        var changes: [(Unicode.Scalar, Int)] = []
        changes.reserveCapacity(string.count + 8)
        for scalar in string.scalars {
            if isChineseCharacter(scalar) {
                changes.append((" ", 0))
                changes.append((scalar, 1))
                changes.append((" ", 1))
            } else {
                changes.append((scalar, 0))
            }
        }
        string.transform(changes: changes, initialOffset: 0)
    }
}

