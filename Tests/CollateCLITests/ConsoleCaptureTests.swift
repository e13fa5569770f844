import Foundation
import Testing
@testable import CollateCommandLine

/// Commands run in-process by the tests used to print their expected error messages (and
/// results) into the `swift test` output; in a test runner they go to `Console.transcript`.
@Suite struct ConsoleCaptureTests {
    @Test func inProcessCommandsDoNotEchoIntoTheTestOutput() {
        #expect(Console.isTestProcess)
        let marker = "collate test: captured \(UUID().uuidString)"
        Console.message(marker)
        Console.output(marker + " (stdout)")
        Console.flush()
        #expect(Console.transcript.contains(marker + "\n"))
        #expect(Console.transcript.contains(marker + " (stdout)\n"))
        // A rejected in-process run: its message is in the transcript, not on the real stderr.
        #expect(PackCommand.run(arguments: ["--input", "/nonexistent/\(marker).jsonl", "--max-tokens", "8"]) == 1)
        #expect(Console.transcript.contains("/nonexistent/\(marker).jsonl"))
    }
}
