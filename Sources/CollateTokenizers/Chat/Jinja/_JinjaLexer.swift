import Foundation
/// One token of a template.
enum _JinjaToken: Equatable {
    case text(String)
    case variableBegin, variableEnd, blockBegin, blockEnd
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case op(String)
    case eof
}

struct _JinjaLexedToken {
    var token: _JinjaToken
    var line: Int
}

/// Splits a template into text and tag tokens, applying whitespace control the way jinja2's
/// lexer does with HF's settings (`trim_blocks=True`, `lstrip_blocks=True`,
/// `keep_trailing_newline=False`).
struct _JinjaLexer {
    private let source: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var tokens: [_JinjaLexedToken] = []
    /// Whether the last tag's end consumed a newline (jinja2's `line_starting`).
    private var lineStarting = true

    init(_ text: String) {
        source = _JinjaLexer.normalizedSource(text)
    }

    /// jinja2 splits the source on `\r\n`, `\r` and `\n` and joins the lines with `\n`,
    /// dropping a single trailing newline (`keep_trailing_newline=False`).
    static func normalizedSource(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if previousWasCR && scalar == "\n" {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            out.append(scalar == "\r" ? "\n" : scalar)
        }
        if out.last == "\n" { out.removeLast() }
        return out
    }

    static func tokenize(_ text: String) throws(_JinjaFailure) -> [_JinjaLexedToken] {
        var lexer = _JinjaLexer(text)
        try lexer.run()
        return lexer.tokens
    }

    private func at(_ index: Int) -> Unicode.Scalar? {
        index < source.count ? source[index] : nil
    }

    private mutating func emit(_ token: _JinjaToken, line: Int? = nil) {
        tokens.append(_JinjaLexedToken(token: token, line: line ?? self.line))
    }

    /// Finds the next `{{`, `{%` or `{#` from `start`.
    private func nextTagStart(from start: Int) -> Int? {
        var index = start
        while index + 1 < source.count {
            if source[index] == "{" {
                let next = source[index + 1]
                if next == "{" || next == "%" || next == "#" { return index }
            }
            index += 1
        }
        return nil
    }

    private mutating func countLines(_ from: Int, _ to: Int) {
        var index = from
        while index < to {
            if source[index] == "\n" { line += 1 }
            index += 1
        }
    }

    /// Emits text `[from, to)`, stripped on the right as the following tag asks.
    private mutating func emitText(_ from: Int, _ to: Int, tagKind: Unicode.Scalar?, modifier: Unicode.Scalar?) {
        var end = to
        if modifier == "-" {
            while end > from && source[end - 1]._isPythonWhitespace { end -= 1 }
        } else if modifier != "+", let tagKind, tagKind == "%" || tagKind == "#" {
            // lstrip_blocks: whitespace between the line start and a block or comment tag goes.
            var lineStart = end
            while lineStart > from && source[lineStart - 1] != "\n" { lineStart -= 1 }
            if lineStart > from || lineStarting {
                var index = lineStart
                while index < end && source[index]._isPythonWhitespace { index += 1 }
                if index == end && lineStart < end { end = lineStart }
            }
        }
        let startLine = line
        if end > from {
            var text = ""
            text.unicodeScalars.append(contentsOf: source[from..<end])
            emit(.text(text), line: startLine)
        }
        countLines(from, to)
    }

    /// Consumes a tag end's trailing whitespace: all of it after `-`, one newline after a
    /// block or comment end (trim_blocks) unless `+`.
    private mutating func consumeAfterTagEnd(modifier: Unicode.Scalar?, trims: Bool) {
        lineStarting = false
        if modifier == "-" {
            while let scalar = at(position), scalar._isPythonWhitespace {
                if scalar == "\n" { line += 1 }
                position += 1
                lineStarting = scalar == "\n"
            }
        } else if modifier != "+" && trims && at(position) == "\n" {
            position += 1
            line += 1
            lineStarting = true
        }
    }

    private mutating func run() throws(_JinjaFailure) {
        while position < source.count {
            guard let tagStart = nextTagStart(from: position) else {
                emitText(position, source.count, tagKind: nil, modifier: nil)
                position = source.count
                break
            }
            let kind = source[tagStart + 1]
            let modifierScalar = at(tagStart + 2)
            let modifier: Unicode.Scalar? = (modifierScalar == "-" || modifierScalar == "+") ? modifierScalar : nil
            // `{{+` is not a modifier for variables in jinja2, but `+` would be a unary plus anyway.
            let effectiveModifier: Unicode.Scalar? = (kind == "{" && modifier == "+") ? nil : modifier
            emitText(position, tagStart, tagKind: kind, modifier: effectiveModifier)
            position = tagStart + 2 + (effectiveModifier == nil ? 0 : 1)
            switch kind {
            case "#": try lexComment()
            case "{": try lexTag(isBlock: false)
            default:
                if try lexRawIfPresent() { continue }
                try lexTag(isBlock: true)
            }
        }
        emit(.eof)
    }

    private mutating func lexComment() throws(_JinjaFailure) {
        let startLine = line
        var index = position
        while index + 1 < source.count {
            if source[index] == "#" && source[index + 1] == "}" {
                let modifier: Unicode.Scalar? = index > position && source[index - 1] == "-" ? "-" : nil
                countLines(position, index)
                position = index + 2
                consumeAfterTagEnd(modifier: modifier, trims: true)
                return
            }
            index += 1
        }
        throw _JinjaFailure(.syntax, "missing end of comment tag (`#}`)", line: startLine)
    }

    /// Whether `word` starts at `index` followed by a non-name character.
    private func matchesWord(_ word: String, at index: Int) -> Bool {
        var cursor = index
        for scalar in word.unicodeScalars {
            guard at(cursor) == scalar else { return false }
            cursor += 1
        }
        if let next = at(cursor), next._isNameContinue { return false }
        return true
    }

    private func skipSpaces(_ index: Int) -> Int {
        var cursor = index
        while let scalar = at(cursor), scalar._isPythonWhitespace { cursor += 1 }
        return cursor
    }

    /// Handles `{% raw %}...{% endraw %}`; `position` is just past `{%` and its modifier.
    private mutating func lexRawIfPresent() throws(_JinjaFailure) -> Bool {
        let wordStart = skipSpaces(position)
        guard matchesWord("raw", at: wordStart) else { return false }
        var cursor = skipSpaces(wordStart + 3)
        var beginModifier: Unicode.Scalar?
        if at(cursor) == "-" {
            beginModifier = "-"
            cursor += 1
        }
        guard at(cursor) == "%", at(cursor + 1) == "}" else { return false }
        let startLine = line
        countLines(position, cursor + 2)
        position = cursor + 2
        if beginModifier == "-" {
            while let scalar = at(position), scalar._isPythonWhitespace {
                if scalar == "\n" { line += 1 }
                position += 1
            }
        }
        lineStarting = false
        // Find `{%[-+]? endraw [-+]?%}`.
        var search = position
        while let tagStart = nextTagStart(from: search) {
            guard source[tagStart + 1] == "%" else {
                search = tagStart + 1
                continue
            }
            var index = tagStart + 2
            var modifier: Unicode.Scalar?
            if at(index) == "-" || at(index) == "+" {
                modifier = at(index)
                index += 1
            }
            index = skipSpaces(index)
            guard matchesWord("endraw", at: index) else {
                search = tagStart + 1
                continue
            }
            index = skipSpaces(index + 6)
            var endModifier: Unicode.Scalar?
            if at(index) == "-" || at(index) == "+" {
                endModifier = at(index)
                index += 1
            }
            guard at(index) == "%", at(index + 1) == "}" else {
                search = tagStart + 1
                continue
            }
            emitText(position, tagStart, tagKind: "%", modifier: modifier)
            countLines(tagStart, index + 2)
            position = index + 2
            consumeAfterTagEnd(modifier: endModifier, trims: true)
            return true
        }
        throw _JinjaFailure(.syntax, "`{% raw %}` without `{% endraw %}`", line: startLine)
    }

    private mutating func lexTag(isBlock: Bool) throws(_JinjaFailure) {
        let tagLine = line
        emit(isBlock ? .blockBegin : .variableBegin)
        var depth = 0
        while true {
            while let scalar = at(position), scalar._isPythonWhitespace {
                if scalar == "\n" { line += 1 }
                position += 1
            }
            guard let scalar = at(position) else {
                throw _JinjaFailure(
                    .syntax, isBlock ? "unclosed block tag: missing `%}`" : "unclosed expression: missing `}}`", line: tagLine)
            }
            if depth == 0 {
                let closer: Unicode.Scalar = isBlock ? "%" : "}"
                if scalar == "-" || scalar == "+", at(position + 1) == closer, at(position + 2) == "}" {
                    if scalar == "-" || isBlock {
                        position += 3
                        emit(isBlock ? .blockEnd : .variableEnd)
                        consumeAfterTagEnd(modifier: scalar, trims: isBlock)
                        return
                    }
                }
                if scalar == closer, at(position + 1) == "}" {
                    position += 2
                    emit(isBlock ? .blockEnd : .variableEnd)
                    consumeAfterTagEnd(modifier: nil, trims: isBlock)
                    return
                }
            }
            if scalar._isNameStart {
                var name = ""
                while let next = at(position), next._isNameContinue {
                    name.unicodeScalars.append(next)
                    position += 1
                }
                emit(.name(name))
            } else if scalar.properties.numericType != nil, ("0"..."9").contains(scalar) {
                try lexNumber()
            } else if scalar == "'" || scalar == "\"" {
                try lexString(quote: scalar)
            } else {
                let two = at(position + 1).map { String(scalar) + String($0) }
                if let two, ["//", "**", "==", "!=", "<=", ">="].contains(two) {
                    emit(.op(two))
                    position += 2
                } else if "+-*/%~<>=()[]{},.:|;".unicodeScalars.contains(scalar) {
                    if "([{".unicodeScalars.contains(scalar) { depth += 1 }
                    if ")]}".unicodeScalars.contains(scalar) { depth = max(0, depth - 1) }
                    emit(.op(String(scalar)))
                    position += 1
                } else {
                    throw _JinjaFailure(.syntax, "unexpected character '\(scalar)'", line: line)
                }
            }
        }
    }

    private mutating func lexNumber() throws(_JinjaFailure) {
        // 0x1F, 0o17, 0b101 (with `_` between digits), as jinja2's integer pattern reads them.
        if at(position) == "0", let prefix = at(position + 1), let radix = Self.radix(of: prefix) {
            var cursor = position + 2
            var digits = ""
            while let scalar = at(cursor), scalar == "_" || (scalar.properties.isASCIIHexDigit && Int(String(scalar), radix: radix) != nil) {
                if scalar != "_" { digits.unicodeScalars.append(scalar) }
                cursor += 1
            }
            if !digits.isEmpty {
                guard let value = Int(digits, radix: radix) else {
                    throw _JinjaFailure(.syntax, "integer 0\(prefix)\(digits) is too large", line: line)
                }
                position = cursor
                emit(.integer(value))
                return
            }
        }
        var text = ""
        func digits(_ lexer: inout _JinjaLexer, into text: inout String) {
            while let scalar = lexer.at(lexer.position), ("0"..."9").contains(scalar) || scalar == "_" {
                if scalar != "_" { text.unicodeScalars.append(scalar) }
                lexer.position += 1
            }
        }
        digits(&self, into: &text)
        var isFloat = false
        if at(position) == ".", let next = at(position + 1), ("0"..."9").contains(next) {
            isFloat = true
            text += "."
            position += 1
            digits(&self, into: &text)
        }
        if let e = at(position), e == "e" || e == "E" {
            var cursor = position + 1
            var exponent = "e"
            if let sign = at(cursor), sign == "+" || sign == "-" {
                exponent.unicodeScalars.append(sign)
                cursor += 1
            }
            if let digit = at(cursor), ("0"..."9").contains(digit) {
                position = cursor
                text += exponent
                digits(&self, into: &text)
                isFloat = true
            }
        }
        if isFloat {
            guard let value = Double(text) else { throw _JinjaFailure(.syntax, "bad number \(text)", line: line) }
            emit(.float(value))
        } else {
            guard let value = Int(text) else { throw _JinjaFailure(.syntax, "integer \(text) is too large", line: line) }
            emit(.integer(value))
        }
    }

    private mutating func lexString(quote: Unicode.Scalar) throws(_JinjaFailure) {
        let startLine = line
        position += 1
        var value = ""
        while true {
            guard let scalar = at(position) else {
                throw _JinjaFailure(.syntax, "unterminated string literal", line: startLine)
            }
            position += 1
            if scalar == quote { break }
            if scalar == "\n" { line += 1 }
            guard scalar == "\\" else {
                value.unicodeScalars.append(scalar)
                continue
            }
            guard let escaped = at(position) else {
                throw _JinjaFailure(.syntax, "unterminated string literal", line: startLine)
            }
            position += 1
            switch escaped {
            case "n": value += "\n"
            case "t": value += "\t"
            case "r": value += "\r"
            case "\\": value += "\\"
            case "'": value += "'"
            case "\"": value += "\""
            case "0"..."7":
                // Python's octal escape: up to three octal digits (`\0`, `\101`).
                var code = escaped.value - 0x30
                for _ in 0..<2 {
                    guard let digit = at(position), ("0"..."7").contains(digit) else { break }
                    code = code * 8 + digit.value - 0x30
                    position += 1
                }
                value.unicodeScalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            case "N":
                // Python's `\N{NAME}`: a character by its Unicode name (case-insensitive).
                guard at(position) == "{", let close = (position..<source.count).first(where: { source[$0] == "}" }) else {
                    throw _JinjaFailure(.syntax, "malformed \\N character escape in a string literal", line: line)
                }
                let name = String(String.UnicodeScalarView(source[(position + 1)..<close])).uppercased()
                let decoded = "\\N{\(name)}".applyingTransform(StringTransform("Name-Any"), reverse: false)
                guard let decoded, !name.isEmpty, decoded.unicodeScalars.count == 1 else {
                    throw _JinjaFailure(.syntax, "unknown Unicode character name '\(name)' in a \\N{...} escape", line: line)
                }
                value += decoded
                position = close + 1
            case "a": value += "\u{07}"
            case "b": value += "\u{08}"
            case "f": value += "\u{0C}"
            case "v": value += "\u{0B}"
            case "\n": line += 1
            case "x", "u", "U":
                let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<width {
                    guard let digit = at(position), digit.properties.isASCIIHexDigit else {
                        throw _JinjaFailure(.syntax, "bad \\\(escaped) escape in a string literal", line: line)
                    }
                    hex.unicodeScalars.append(digit)
                    position += 1
                }
                guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                    throw _JinjaFailure(.syntax, "bad \\\(escaped) escape in a string literal", line: line)
                }
                value.unicodeScalars.append(decoded)
            default:
                value += "\\"
                value.unicodeScalars.append(escaped)
            }
        }
        emit(.string(value), line: startLine)
    }
}

extension _JinjaLexer {
    /// The radix an integer literal's prefix letter names (`0x`, `0o`, `0b`), or `nil`.
    fileprivate static func radix(of prefix: Unicode.Scalar) -> Int? {
        switch prefix {
        case "x", "X": return 16
        case "o", "O": return 8
        case "b", "B": return 2
        default: return nil
        }
    }
}

extension Unicode.Scalar {
    var _isNameStart: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_"
    }

    var _isNameContinue: Bool {
        _isNameStart || ("0"..."9").contains(self)
    }
}
