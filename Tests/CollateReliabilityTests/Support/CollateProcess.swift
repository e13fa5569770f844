import Foundation

/// Runs the built `collate` executable, as a user would.
struct CollateProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the run was killed at its timeout.
        var timedOut = false
    }

    /// The directory holding the built products (`.build/debug` or `.build/release`).
    static let productsDirectory: URL = {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("collate").path) }
            ?? Bundle.main.bundleURL
    }()

    static var executable: URL { productsDirectory.appendingPathComponent("collate") }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Runs the built `collate` with `arguments`, collecting stdout and stderr (never echoed).
    ///
    /// With a `timeout`, a run still going after it is killed (SIGKILL) and reported with
    /// ``Result/timedOut`` set: a test of a former hang fails instead of hanging the suite.
    static func run(_ arguments: [String], timeout: Duration? = nil, standardInput: Any? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let standardInput { process.standardInput = standardInput }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        try process.run()
        let killer: DispatchWorkItem? = timeout.map { timeout in
            let item = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
            return item
        }
        // Drain stderr on another thread so neither pipe can fill and block the child.
        nonisolated(unsafe) var stderr = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        killer?.cancel()
        // A crash reads as 128 + signal, as a shell reports it, so it never passes for exit 1.
        let signalled = process.terminationReason == .uncaughtSignal
        let status = signalled ? 128 + process.terminationStatus : process.terminationStatus
        return Result(status: status, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self), timedOut: signalled && process.terminationStatus == SIGKILL && timeout != nil)
    }

    /// A fresh temporary directory for one test's files.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-reliability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
