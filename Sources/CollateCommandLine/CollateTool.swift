import Collate
import Foundation

// `collate`: thin command-line front end over the Collate libraries (the command-line contract in the README).
// Help, version and did-you-mean follow swift-argument-parser's conventions; every command's
// help is generated from its definition in Support/Help.swift.

/// The entry point of every subcommand, by name.
let subcommands: [String: ([String]) -> Int32] = [
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

/// Prints `text` to stdout and exits 0.
func succeed(printing text: String) -> Never {
    Console.output(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    Console.flush()
    exit(ExitStatus.success)
}

/// Prints a usage error (with a did-you-mean suggestion when one is near) and exits 2.
func unknownCommand(_ name: String) -> Never {
    let known = Help.commands.map(\.name) + ["help", "version"]
    let hint = Suggestion.closest(to: name, among: known).map { " Did you mean '\($0)'?" } ?? ""
    Console.message("collate: unknown command '\(name)'.\(hint)\nSee 'collate --help' for the list of commands.")
    exit(ExitStatus.usage)
}

let commandLine = Array(CommandLine.arguments.dropFirst())
guard let name = commandLine.first else {
    Console.message(Help.rootText)
    exit(ExitStatus.usage)
}
let rest = Array(commandLine.dropFirst())
switch name {
case "--help", "-h":
    succeed(printing: Help.rootText)
case "help":
    guard let topic = rest.first else { succeed(printing: Help.rootText) }
    guard rest.count == 1 else {
        Console.message("collate help: give one command, got \(rest.joined(separator: " "))")
        exit(ExitStatus.usage)
    }
    if topic == "help" || topic == "version" { succeed(printing: Help.rootText) }
    guard let help = Help.command(topic) else { unknownCommand(topic) }
    succeed(printing: help.text)
case "--version", "version":
    guard rest.isEmpty else {
        Console.message("collate \(name): takes no arguments, got \(rest.joined(separator: " "))")
        exit(ExitStatus.usage)
    }
    succeed(printing: Help.versionText)
default:
    guard let run = subcommands[name] else { unknownCommand(name) }
    if rest.contains("--help") || rest.contains("-h"), let help = Help.command(name) {
        succeed(printing: help.text)
    }
    exit(run(rest))
}
