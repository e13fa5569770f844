import Foundation

// `collate`: thin command-line front end over the Collate libraries (DESIGN.md's contract).
let usage = """
    usage: collate <command> [options]

    commands:
      batch      collate JSONL examples into batches (JSON Lines on stdout)
      bench      time collation of JSONL examples
    run 'collate <command> --help' for a command's options
    """

let commandLine = Array(CommandLine.arguments.dropFirst())
guard let command = commandLine.first else {
    Console.message(usage)
    exit(ExitStatus.usage)
}
let rest = Array(commandLine.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    let commandUsage: String? = switch command {
    case "batch": BatchCommand.usage
    case "bench": BenchCommand.usage
    default: nil
    }
    print(commandUsage ?? usage)
    exit(ExitStatus.success)
}
switch command {
case "batch": exit(BatchCommand.run(arguments: rest))
case "bench": exit(BenchCommand.run(arguments: rest))
case "--help", "-h", "help":
    print(usage)
    exit(ExitStatus.success)
default:
    Console.message("collate: unknown command '\(command)'\n\(usage)")
    exit(ExitStatus.usage)
}
