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

    static func lint(_ extra: [String]) throws -> CollateProcess.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "collate-lint"] + extra
        process.currentDirectoryURL = demo
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func cleanChecksPassAndBrokenOnesFailWithTheDiagnostic() throws {
        let clean = try Self.lint([])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect((clean.stdout + clean.stderr).contains("collate-lint: 2 check(s) passed"))

        let broken = try Self.lint(["--config", "collate-broken.json"])
        #expect(broken.status != 0)
        #expect((broken.stdout + broken.stderr).contains("error[missing-labels]"))
    }
}
