import Collate
import Foundation

// `collate`: thin command-line front end over the Collate libraries (the command-line contract in the README).
// Help, version and did-you-mean follow swift-argument-parser's conventions; every command's
// help is generated from its definition in Support/Help.swift.

/// The whole `collate` command-line tool as a library, so a package with its own collator
/// types, transforms and validation rules builds a `collate`-compatible executable in a few
/// lines — every command, flag, output format and exit status as the stock tool's:
///
/// ```swift
/// // Sources/my-collate/main.swift
/// import Collate
/// import CollateCommandLine
///
/// let registry = CollatorRegistry()                     // the built-in types …
/// try registry.register("prefix-lm", keys: PrefixLMCollator.specKeys) { spec in
///     try PrefixLMCollator(spec: spec)                  // … and this package's
/// }
/// exit(CollateTool(name: CollateTool.executableName, registry: registry, rules: [PrefixTooLongRule()]).run())
/// ```
///
/// Exit statuses: 0 success, 1 rejected input (diagnostics with errors, an unreadable file),
/// 2 usage error (unknown command or flag, a missing value).
public struct CollateTool: Sendable {
    /// The executable's name that usage lines, help and messages print where the stock tool
    /// prints `collate` (`usage: my-collate batch ...`, `my-collate batch: ...`).
    public var name: String
    /// The collator types the tool's specs may name (`"type"`).
    public var registry: CollatorRegistry
    /// The batch-transform types the tool's specs may name (`"transforms"`).
    public var transforms: TransformRegistry
    /// Validation rules run after the built-in ones, by `validate` and by every command that
    /// validates before building batches.
    public var rules: [any ValidationRule]

    /// Creates the tool.
    /// - Parameters:
    ///   - name: The executable's name for usage, help and messages; `"collate"` unless given.
    ///     ``executableName`` is the name the process was started with.
    ///   - registry: The collator types; the task's current registry (the shared one, with the
    ///     built-in types) unless given.
    ///   - transforms: The batch-transform types; the task's current registry unless given.
    ///   - rules: Extra validation rules (a package's own diagnostic codes); none unless given.
    public init(
        name: String = "collate",
        registry: CollatorRegistry = CollatorRegistry.current,
        transforms: TransformRegistry = TransformRegistry.current,
        rules: [any ValidationRule] = []
    ) {
        self.name = name
        self.registry = registry
        self.transforms = transforms
        self.rules = rules
    }

    /// Runs one command line, writing results to stdout and messages to stderr.
    /// - Parameter arguments: The arguments after the executable's name, e.g.
    ///   `["batch", "--spec", "lm.json", "--input", "train.jsonl"]`; the process's own by default.
    /// - Returns: The exit status: 0 success, 1 rejected input, 2 usage error.
    public func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        Console.claimClosedStandardDescriptors()
        // Past a file-size limit (`ulimit -f`) write(2) then fails with EFBIG, which the
        // commands report with the file's name, instead of SIGXFSZ ending the process silently.
        signal(SIGXFSZ, SIG_IGN)
        return Tool.$name.withValue(name) { runNamed(arguments) }
    }

    /// The name the process was started with: the last path component of its first argument
    /// (`my-collate` for `.build/debug/my-collate`), or `"collate"` when there is none.
    public static var executableName: String {
        let path = CommandLine.arguments.first ?? ""
        let last = URL(fileURLWithPath: path).lastPathComponent
        return path.isEmpty || last.isEmpty ? "collate" : last
    }

    /// ``run(_:)`` inside the tool's name.
    private func runNamed(_ arguments: [String]) -> Int32 {
        // A rule whose code cannot be printed, parsed by --strict or told from a built-in one is the tool's own usage error.
        if let problem = rules.lazy.compactMap({ Self.codeProblem(of: $0) }).first {
            Console.message(problem)
            Console.flush()
            return ExitStatus.usage
        }
        return CollatorRegistry.$current.withValue(registry) {
            TransformRegistry.$current.withValue(transforms) {
                Validator.$additionalRules.withValue(Validator.additionalRules + rules) {
                    let status = Self.dispatch(arguments)
                    Console.flush()
                    return status
                }
            }
        }
    }

    /// Why `rule`'s code cannot be one of this tool's extra rules, or `nil` when it can: it must
    /// be a well-formed third-party code (``Collate/Diagnostic/Code/isWellFormed``), not a built-in one.
    static func codeProblem(of rule: any ValidationRule) -> String? {
        let code = rule.code
        let shown = String(reflecting: code.rawValue)
        if code.isBuiltIn {
            return "\(Tool.name): the validation rule \(type(of: rule)) reports under the built-in code \(shown), so its findings could not be "
                + "told from Collate's own (nor raised apart by --strict). Fix: give it a code of its own, "
                + "Diagnostic.Code(namespace: \"my-package\", name: \"my-rule\")"
        }
        guard code.isWellFormed else {
            return "\(Tool.name): the validation rule \(type(of: rule)) reports under the code \(shown), which the text and JSON formats and "
                + "--strict cannot use: a third-party code is namespace/name, each lowercase letters and digits joined by single hyphens. "
                + "Fix: Diagnostic.Code(namespace: \"my-package\", name: \"my-rule\")"
        }
        return nil
    }

    /// The entry point of every subcommand, by name.
    static let subcommands: [String: @Sendable ([String]) -> Int32] = [
        "batch": BatchCommand.run,
        "bench": BenchCommand.run,
        "pack": PackCommand.run,
        "export": ExportCommand.run,
        "tokenize": TokenizeCommand.run,
        "validate": ValidateCommand.run,
        "train": TrainCommand.run,
        "probe": ProbeCommand.run,
        "inspect": InspectCommand.run,
        "chat": ChatCommand.run,
    ]

    /// Runs the command `commandLine` names, or prints help or the version.
    static func dispatch(_ commandLine: [String]) -> Int32 {
        guard let name = commandLine.first else {
            Console.message(Help.rootText)
            return ExitStatus.usage
        }
        let rest = Array(commandLine.dropFirst())
        switch name {
        case "--help", "-h":
            return succeed(printing: Help.rootText)
        case "help":
            guard let topic = rest.first else { return succeed(printing: Help.rootText) }
            guard rest.count == 1 else {
                Console.message("\(Tool.name) help: give one command, got \(rest.joined(separator: " "))")
                return ExitStatus.usage
            }
            if topic == "help" || topic == "version" { return succeed(printing: Help.rootText) }
            guard let help = Help.command(topic) else { return unknownCommand(topic) }
            return succeed(printing: help.text)
        case "--version", "version":
            guard rest.isEmpty else {
                Console.message("\(Tool.name) \(name): takes no arguments, got \(rest.joined(separator: " "))")
                return ExitStatus.usage
            }
            return succeed(printing: Help.versionText)
        default:
            guard let run = subcommands[name] else { return unknownCommand(name) }
            if rest.contains("--help") || rest.contains("-h"), let help = Help.command(name) {
                return succeed(printing: help.text)
            }
            return run(rest)
        }
    }

    /// Prints `text` to stdout; returns the success status.
    static func succeed(printing text: String) -> Int32 {
        Console.output(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        return ExitStatus.success
    }

    /// Prints a usage error (with a did-you-mean suggestion when one is near); returns the usage status.
    static func unknownCommand(_ name: String) -> Int32 {
        let known = Help.commands.map(\.name) + ["help", "version", "--help", "--version"]
        let hint = Suggestion.closest(to: name, among: known).map { " Did you mean '\($0)'?" } ?? ""
        Console.message("\(Tool.name): unknown command '\(name)'.\(hint)\nSee '\(Tool.name) --help' for the list of commands.")
        return ExitStatus.usage
    }
}

/// The name of the running tool, for the text it prints.
enum Tool {
    /// `collate` for the stock tool; ``CollateTool/name`` while a ``CollateTool`` runs.
    @TaskLocal static var name = "collate"

    /// `text` (a command line written for the stock tool) with the leading `collate` and any
    /// piped `| collate` written as ``name``; unchanged for the stock tool.
    static func naming(_ text: String) -> String {
        guard name != "collate" else { return text }
        var result = text.hasPrefix("collate ") ? name + text.dropFirst("collate".count) : text
        result = result.replacingOccurrences(of: "| collate ", with: "| \(name) ")
        return result
    }
}
