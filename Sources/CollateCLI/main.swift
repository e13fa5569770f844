import Foundation

// `collate`: thin command-line front end over the Collate libraries (DESIGN.md's contract).

/// A subcommand: its one-line summary, its usage text and its entry point.
struct Subcommand {
    var summary: String
    var usage: String
    var run: ([String]) -> Int32
}

let subcommands: [(name: String, command: Subcommand)] = [
    ("batch", Subcommand(summary: "collate JSONL examples into batches (JSON Lines on stdout)", usage: BatchCommand.usage, run: BatchCommand.run)),
    ("bench", Subcommand(summary: "time collation of JSONL examples", usage: BenchCommand.usage, run: BenchCommand.run)),
    ("pack", Subcommand(summary: "pack JSONL examples into fixed-capacity bins (BFD, FFD, greedy)", usage: PackCommand.usage, run: PackCommand.run)),
    ("export", Subcommand(summary: "write per-rank safetensors shards and index.json", usage: ExportCommand.usage, run: ExportCommand.run)),
    ("tokenize", Subcommand(summary: "encode texts with a tokenizer.json (ids and offsets)", usage: TokenizeCommand.usage, run: TokenizeCommand.run)),
    ("validate", Subcommand(summary: "check a spec and dataset against a model backend before training", usage: ValidateCommand.usage, run: ValidateCommand.run)),
    ("train", Subcommand(summary: "a short dry run on the reference Swift LM: loss per step", usage: TrainCommand.usage, run: TrainCommand.run)),
    ("probe", Subcommand(summary: "check that a backend keeps packed sequences apart (alone vs packed)", usage: ProbeCommand.usage, run: ProbeCommand.run)),
    ("inspect", Subcommand(summary: "show what a batch trains, token by token, with statistics and diagnostics", usage: InspectCommand.usage, run: InspectCommand.run)),
    ("chat", Subcommand(summary: "render conversations with a chat format; ids and assistant masks", usage: ChatCommand.usage, run: ChatCommand.run)),
]

let usage = """
    usage: collate <command> [options]

    commands:
    \(subcommands.map { "  " + $0.name.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.command.summary }.joined(separator: "\n"))

    run 'collate <command> --help' for a command's options
    """

let commandLine = Array(CommandLine.arguments.dropFirst())
guard let name = commandLine.first else {
    Console.message(usage)
    exit(ExitStatus.usage)
}
if ["--help", "-h", "help"].contains(name) {
    print(usage)
    exit(ExitStatus.success)
}
guard let command = subcommands.first(where: { $0.name == name })?.command else {
    Console.message("collate: unknown command '\(name)'\n\(usage)")
    exit(ExitStatus.usage)
}
let rest = Array(commandLine.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    print(command.usage)
    exit(ExitStatus.success)
}
exit(command.run(rest))
