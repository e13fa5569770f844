/// A usage error: the command line itself is wrong. Exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The parsed `--name value` / `--name=value` options and `--flag` switches of one subcommand.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments` against the option names that take a value and the switches.
    /// - Throws: ``UsageError`` for an unknown option, a missing value or a stray word.
    init(_ arguments: [String], options: Set<String>, flags allowedFlags: Set<String> = []) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            var word = arguments[index]
            var inlineValue: String?
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                inlineValue = String(word[word.index(after: equals)...])
                word = String(word[..<equals])
            }
            if allowedFlags.contains(word), inlineValue == nil {
                flags.insert(word)
            } else if options.contains(word) {
                if let inlineValue {
                    values[word] = inlineValue
                } else {
                    index += 1
                    guard index < arguments.count else { throw UsageError("\(word) needs a value") }
                    values[word] = arguments[index]
                }
            } else {
                let known = (options.union(allowedFlags)).sorted().joined(separator: ", ")
                throw UsageError("unknown argument '\(arguments[index])'; expected one of: \(known)")
            }
            index += 1
        }
    }

    func value(_ name: String) -> String? { values[name] }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = values[name] else { throw UsageError("missing \(name)") }
        return value
    }

    func positiveInt(_ name: String) throws(UsageError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Int(text), number > 0 else { throw UsageError("\(name) must be a positive integer, got '\(text)'") }
        return number
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
}
