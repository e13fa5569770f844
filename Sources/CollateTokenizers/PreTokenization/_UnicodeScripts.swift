/// The `UnicodeScripts` pre-tokenizer (HF `UnicodeScripts`): a piece is cut where the
/// Unicode script changes. As in HF, the space is of no script (it never cuts and is kept
/// with the text before it; spaces before the first scripted scalar are dropped), the
/// prolonged sound mark U+30FC and Hiragana and Katakana count as Han, and Common and
/// Inherited are scripts of their own.
enum _UnicodeScripts {
    /// The marker of the space, which belongs to no script.
    static let any: Int = -1

    /// Unknown (`Zzzz`), numbered 0 by the table's generator.
    private static let unknown = Int(scriptNumbers["Zzzz"] ?? 0)
    private static let han = Int(scriptNumbers["Hani"] ?? 0)
    private static let hiragana = Int(scriptNumbers["Hira"] ?? 0)
    private static let katakana = Int(scriptNumbers["Kana"] ?? 0)
    private static let common = Int(scriptNumbers["Zyyy"] ?? 0)
    private static let devanagari = Int(scriptNumbers["Deva"] ?? 0)

    /// The script number of `scalar` (binary search over the runs).
    static func script(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        var low = 0
        var high = runStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if runStarts[middle] <= value { low = middle } else { high = middle - 1 }
        }
        return Int(runScripts[low])
    }

    /// HF `fixed_script`. HF's script table is Unicode 9.0's and gives `Any` (no script, as
    /// the space) to every scalar it lacks: Unknown (unassigned, private use, noncharacters)
    /// and everything assigned after 9.0 (U+0560, U+061D, ...), measured on every scalar with
    /// HF tokenizers 0.23.3.
    static func fixedScript(_ scalar: Unicode.Scalar) -> Int {
        if scalar.value == 0x30FC { return han }
        if scalar == " " { return any }
        // Scalars of Unicode 9.0 whose script changed later (the table is newer): HF keeps
        // the 9.0 script. Found by probing every scalar between two scalars of each script
        // (HF tokenizers 0.23.3); the fuzzer's UnicodeScripts cases cover them.
        switch scalar.value {
        case 0x0589, 0x061C: return common  // ARMENIAN FULL STOP, ARABIC LETTER MARK: Armn / Arab today
        case 0x0953, 0x0954: return devanagari  // DEVANAGARI GRAVE / ACUTE ACCENT: Zinh today
        default: break
        }
        let raw = script(scalar)
        if raw == unknown { return any }
        if scalar.value >= 0x0370 {
            // No age: unassigned in the toolchain's Unicode (the table may be newer).
            guard let age = scalar.properties.age, age.major < 9 || (age.major == 9 && age.minor == 0) else { return any }
        }
        return raw == hiragana || raw == katakana ? han : raw
    }

    /// Cuts every word of `words` where the script changes (empty pieces dropped).
    static func split(_ words: inout _Words) {
        var result: [_WordSpan] = []
        result.reserveCapacity(words.spans.count)
        for word in words.spans {
            // Scalars before the first one with a script are dropped.
            var cut: Int?
            var last: Int?
            for index in word.range {
                let current = fixedScript(words.scalars[index])
                if current != any, last != current {
                    if let cut, cut < index { result.append(words.span(cut..<index)) }
                    cut = index
                }
                if current != any { last = current }
            }
            if let cut, cut < word.range.upperBound { result.append(words.span(cut..<word.range.upperBound)) }
        }
        words.spans = result
    }
}
