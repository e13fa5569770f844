import Foundation
import Synchronization

/// A usage error: the command line itself is wrong. Exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The parsed `--name value` / `--name=value` options and `--flag` switches of one subcommand.
///
/// Parsing follows swift-argument-parser's rules for what it reports: an unknown option names
/// the closest known one ("Did you mean '--input'?"), an option given twice is an error naming
/// it, and a value of `-` for an option that names an input file (``stdinOptions``) reads
/// standard input — every command that takes `--input` reads stdin with `--input -`.
struct Arguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// The options whose value is a file the command reads, so `-` means standard input.
    static let stdinOptions: Set<String> = ["--input", "--spec", "--config"]

    /// Parses `arguments` against the option names that take a value and the switches.
    ///
    /// A value of `-` for one of ``stdinOptions`` is replaced by the path of a file holding all
    /// of standard input (see ``inputPath(_:)``), so commands read it as any other file.
    /// - Throws: ``UsageError`` for an unknown option (with a did-you-mean suggestion), an option
    ///   or switch given twice, a missing value, a stray word, or stdin named twice.
    init(_ arguments: [String], options: Set<String>, flags allowedFlags: Set<String> = []) throws(UsageError) {
        var index = 0
        var stdinOption: String?
        while index < arguments.count {
            var word = arguments[index]
            var inlineValue: String?
            if let equals = word.firstIndex(of: "="), word.hasPrefix("--") {
                inlineValue = String(word[word.index(after: equals)...])
                word = String(word[..<equals])
            }
            if allowedFlags.contains(word), inlineValue == nil {
                guard flags.insert(word).inserted else { throw UsageError("\(word) is given twice; give it once") }
            } else if options.contains(word) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    index += 1
                    guard index < arguments.count else { throw UsageError("\(word) needs a value") }
                    value = arguments[index]
                }
                if let earlier = values[word] {
                    throw UsageError("\(word) is given twice ('\(earlier)' and '\(value)'); give it once")
                }
                if value == "-", Self.stdinOptions.contains(word) {
                    if let stdinOption {
                        throw UsageError("\(stdinOption) and \(word) both read stdin ('-'); only one can")
                    }
                    stdinOption = word
                    values[word] = try Self.inputPath(value)
                } else {
                    values[word] = value
                }
            } else {
                throw Self.unknown(arguments[index], word: word, known: options.union(allowedFlags))
            }
            index += 1
        }
    }

    /// The error for an argument no option matches, with the closest known option when one is near.
    static func unknown(_ argument: String, word: String, known: Set<String>) -> UsageError {
        if word.hasPrefix("-"), let suggestion = Suggestion.closest(to: word, among: known) {
            return UsageError("unknown option '\(argument)'. Did you mean '\(suggestion)'?")
        }
        let list = known.sorted().joined(separator: ", ")
        return word.hasPrefix("-")
            ? UsageError("unknown option '\(argument)'; expected one of: \(list)")
            : UsageError("unexpected argument '\(argument)'; options take the form --name VALUE; expected one of: \(list)")
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

// MARK: - Standard input

extension Arguments {
    /// The paths of the files stdin was copied into, removed when the process exits.
    private static let stdinCopies = Mutex<[String: String]>([:])

    /// The name messages give standard input read with `-`: `<stdin>:3: ...`.
    static let standardInputName = "<stdin>"

    /// Whether `path` is the file ``inputPath(_:)`` copied standard input into (`-`).
    /// - Parameter path: A path a command received in place of `-`.
    /// - Returns: `true` for the stdin copy.
    static func isStandardInputCopy(_ path: String) -> Bool {
        stdinCopies.withLock { $0.values.contains(path) }
    }

    /// `text` with the path of the stdin copy written as ``standardInputName``, so a message
    /// names `<stdin>:1` rather than a temporary file the user never made.
    /// - Parameter text: A message for stderr.
    /// - Returns: The message, unchanged when stdin was not read.
    static func namingStandardInput(_ text: String) -> String {
        stdinCopies.withLock { copies in
            copies.values.reduce(text) { $0.replacingOccurrences(of: $1, with: standardInputName) }
        }
    }

    /// The file a command should read for `path`: `path` itself, or for `-` a file holding all
    /// of standard input (read once per process, then reused).
    ///
    /// ``init(_:options:flags:)`` already applies this to ``stdinOptions``; a command that takes
    /// a file under another option name calls it on the value:
    /// `let input = try Arguments.inputPath(parsed.required("--train-file"))`.
    /// The copy lives in `…/collate-stdin-…/stdin`; ``Console/message(_:)`` names it `<stdin>`,
    /// with the line numbers of the input.
    /// - Throws: ``UsageError`` when stdin cannot be copied to a temporary file.
    static func inputPath(_ path: String) throws(UsageError) -> String {
        guard path == "-" else { return path }
        do {
            return try stdinCopies.withLock { copies in
                if let copy = copies["-"] { return copy }
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-stdin-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let file = directory.appendingPathComponent("stdin")
                try FileHandle.standardInput.readDataToEndOfFile().write(to: file)
                copies["-"] = file.path
                atexit {
                    Arguments.stdinCopies.withLock { copies in
                        for path in copies.values { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
                    }
                }
                return file.path
            }
        } catch {
            throw UsageError("cannot read stdin ('-') into a temporary file: \(error.localizedDescription)")
        }
    }
}

// MARK: - Did you mean

/// The closest known name to a mistyped one, as swift-argument-parser suggests it.
enum Suggestion {
    /// The known name nearest to `word` by edit distance (a swapped pair of letters counts as
    /// one edit), or `nil` when none is near enough to be a typo (more than a third of the
    /// letters, at least 2, differ).
    /// - Complexity: O(*k* × *n* × *m*) for *k* names of length *m* and a word of length *n*.
    static func closest(to word: String, among names: some Sequence<String>) -> String? {
        let target = Array(word.lowercased())
        var best: (name: String, distance: Int)?
        for name in names.sorted() {
            let distance = editDistance(target, Array(name.lowercased()))
            if distance < (best?.distance ?? .max) { best = (name, distance) }
        }
        guard let best else { return nil }
        let core = max(word.drop { $0 == "-" }.count, 1)  // letters after the dashes
        return best.distance <= max(2, core / 3) && best.distance < core ? best.name : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// adjacent characters each cost 1.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
