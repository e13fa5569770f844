extension Unicode.Scalar {
    /// Whether Python's `str.isspace()` is true for this scalar — the set Jinja's `trim`
    /// filter (`str.strip()`) removes.
    var _isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// The string with leading and trailing whitespace removed exactly as Jinja's `trim`
    /// filter (Python `str.strip()`) removes it.
    var _jinjaTrimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0._isPythonWhitespace }),
              let last = scalars.lastIndex(where: { !$0._isPythonWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
