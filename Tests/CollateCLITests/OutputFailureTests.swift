import Foundation
import Testing

/// A stdout that cannot be written ends a command with exit 1 and a message, never a crash
/// (`FileHandle.write` used to trap with SIGILL on `> /dev/full`).
@Suite struct OutputFailureTests {
    static let bad = CollateProcess.fixtures.appendingPathComponent("bad")

    /// The command lines checked: each prints something on stdout when it succeeds.
    static let commands: [[String]] = [
        ["batch", "--spec", bad.appendingPathComponent("support/lm-spec.json").path,
         "--input", bad.appendingPathComponent("support/examples.jsonl").path],
        ["tokenize", "--tokenizer", CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1").path,
         "--input", bad.appendingPathComponent("support/texts.jsonl").path],
        ["chat", "--template", "chatml", "--tokenizer", CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml").path,
         "--input", bad.appendingPathComponent("support/conversation.jsonl").path],
        // `pack --rows` writes its rows as bytes, past Console's line queue.
        ["pack", "--input", bad.appendingPathComponent("support/examples.jsonl").path, "--max-tokens", "8", "--rows"],
    ]

    /// Runs `collate ARGS` through `sh` with `redirection` applied to its stdout.
    static func runRedirected(_ arguments: [String], _ redirection: String) throws -> CollateProcess.Result {
        let collate = CollateProcess.productsDirectory.appendingPathComponent("collate").path
        return try CollateProcess.run(executable: URL(fileURLWithPath: "/bin/sh"),
                                      ["-c", "exec \"$0\" \"$@\" \(redirection)", collate] + arguments)
    }

    @Test(arguments: commands)
    func aFullDiskIsExitOneWithTheCause(_ arguments: [String]) throws {
        let succeeded = try CollateProcess.run(arguments)
        try #require(succeeded.status == 0 && !succeeded.stdout.isEmpty, "stderr: \(succeeded.stderr)")
        let result = try Self.runRedirected(arguments, "> /dev/full")
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("collate: cannot write the output to stdout: No space left on device"), "stderr: \(result.stderr)")
    }

    @Test(arguments: commands)
    func aClosedStdoutIsExitOneWithTheCause(_ arguments: [String]) throws {
        let result = try Self.runRedirected(arguments, ">&-")
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("collate: cannot write the output to stdout: Bad file descriptor"), "stderr: \(result.stderr)")
    }
}
