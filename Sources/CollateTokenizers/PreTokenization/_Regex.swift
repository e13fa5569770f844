import Foundation

/// An ICU regular expression (`NSRegularExpression`) that reports matches in Unicode scalar
/// offsets.
///
/// ICU matches on scalars, like the Oniguruma engine HF tokenizers uses, whereas Swift
/// `Regex` matches on `Character`s (grapheme clusters) and is much slower, so this is the
/// engine for `Split`, `Replace` and the byte-level pre-tokenizer.
final class _Regex: @unchecked Sendable {
    // `NSRegularExpression` is immutable and documented as safe to share across threads.
    let pattern: String
    private let regex: NSRegularExpression

    /// Compiles `pattern`; `path` names it in the error.
    init(pattern: String, path: String) throws {
        self.pattern = pattern
        do {
            regex = try NSRegularExpression(pattern: pattern, options: [])
        } catch {
            throw TokenizerJSONError.invalidRegex(path: path, pattern: pattern)
        }
    }

    /// Compiles a pattern known to be valid (built into this package).
    init(builtIn pattern: String) {
        self.pattern = pattern
        // The built-in patterns are constants checked by the tests; an invalid one is a
        // programming error in this package, never user input.
        do {
            regex = try NSRegularExpression(pattern: pattern, options: [])
        } catch {
            preconditionFailure("built-in regular expression \(pattern) does not compile: \(error)")
        }
    }

    /// All matches (possibly empty) in `scalars`, as scalar ranges, in order.
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        if scalars.isEmpty { return [] }
        let string = String(scalars: scalars)
        var utf16Count = scalars.count
        for scalar in scalars where scalar.value > 0xFFFF { utf16Count += 1 }
        var result: [Range<Int>] = []
        // Walk UTF-16 offsets and scalar offsets together; matches come in order.
        var scalarIndex = 0
        var utf16Index = 0
        @inline(__always) func advance(to target: Int) -> Int {
            while utf16Index < target, scalarIndex < scalars.count {
                utf16Index += scalars[scalarIndex].value > 0xFFFF ? 2 : 1
                scalarIndex += 1
            }
            return scalarIndex
        }
        regex.enumerateMatches(in: string, options: [], range: NSRange(location: 0, length: utf16Count)) { match, _, _ in
            guard let range = match?.range, range.location != NSNotFound else { return }
            let start = advance(to: range.location)
            let end = advance(to: range.location + range.length)
            result.append(start..<end)
        }
        return result
    }
}
