import Foundation
import Testing

/// `swift package collate-lint` on the sample package in Samples/LintDemo, which depends on
/// Collate by path. Building that package takes a minute, so this runs in CI (`CI=true`) or
/// when `COLLATE_PLUGIN_TESTS=1`.
enum PluginTestGate {
    static var enabled: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["COLLATE_PLUGIN_TESTS"] == "1" || environment["CI"] == "true"
    }
}

@Suite("swift package collate-lint", .enabled(if: PluginTestGate.enabled, "set COLLATE_PLUGIN_TESTS=1 (CI sets CI=true) to build the sample package"))
struct LintPluginTests {
    static let demo = CollateProcess.repositoryRoot.appendingPathComponent("Samples/LintDemo")

    /// One `swift package` at a time in LintDemo: SwiftPM locks the package's .build, and a
    /// second instance prints "Another instance of SwiftPM ... is already running" into the
    /// output the tests read.
    static let packageLock = NSLock()

    static func lint(_ extra: [String]) throws -> CollateProcess.Result {
        packageLock.lock()
        defer { packageLock.unlock() }
        return try CollateProcess.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["swift", "package", "collate-lint"] + extra, in: demo)
    }

    @Test func cleanChecksPassAndBrokenOnesFailWithTheDiagnostic() throws {
        let clean = try Self.lint([])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect((clean.stdout + clean.stderr).contains("collate-lint: 2 check(s) passed"))

        let broken = try Self.lint(["--config", "collate-broken.json"])
        #expect(broken.status != 0)
        // The padding collator does not pad labels, and the SFT examples' labels differ in length.
        #expect((broken.stdout + broken.stderr).contains("error[ragged-labels]"))

        // A misspelt key would otherwise be ignored, and the flattening check would pass.
        let typo = try Self.lint(["--config", "collate-typo.json"])
        #expect(typo.status != 0)
        #expect((typo.stdout + typo.stderr).contains("unknown key 'paddingFree' in checks[0]"))

        // JSONDecoder would keep one of two equal keys without a word.
        let duplicate = try Self.lint(["--config", "collate-duplicate.json"])
        #expect(duplicate.status != 0)
        #expect((duplicate.stdout + duplicate.stderr).contains(#"duplicate key "padding_free" on line 3: remove one of the two "padding_free" keys"#))
    }
}
