import Foundation

/// Runs the built `collate` executable (or a sample, or `swift`), as a user would, and collects
/// its exit status and output: the one process runner every test target shares.
public enum CollateProcess {
    /// What a finished (or killed) run left.
    public struct Result: Sendable {
        /// The exit status; a child killed by a signal reads as 128 + signal, as a shell reports
        /// it, so a crash never passes for an ordinary failure.
        public var status: Int32
        /// Everything the child wrote to standard output.
        public var stdout: String
        /// Everything the child wrote to standard error (collected, never echoed).
        public var stderr: String
        /// Whether the run was killed at its deadline.
        public var timedOut = false

        /// Creates a result (for a test that ran a child its own way).
        public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.timedOut = timedOut
        }

        /// Standard output split into lines (empty lines dropped).
        public var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// The directory holding the built products (`.build/debug` or `.build/release`).
    public static let productsDirectory: URL = {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("collate").path) }
            ?? Bundle.main.bundleURL
    }()

    /// The built `collate`.
    public static var executable: URL { productsDirectory.appendingPathComponent("collate") }

    /// `Tests/Fixtures` (the same as ``Fixtures/root``).
    public static var fixtures: URL { Fixtures.root }

    /// The package's root folder (the same as ``Fixtures/repositoryRoot``).
    public static var repositoryRoot: URL { Fixtures.repositoryRoot }

    /// Runs the built `collate` with `arguments` (see ``run(executable:_:in:timeout:standardInput:environment:)``).
    /// - Throws: When the process cannot be started.
    public static func run(
        _ arguments: [String], in directory: URL? = nil, timeout: Duration = .seconds(600),
        standardInput: Any? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        try run(executable: executable, arguments, in: directory, timeout: timeout, standardInput: standardInput, environment: environment)
    }

    /// Runs any executable and collects its exit status and output.
    ///
    /// Every run has a deadline (`timeout`, default 10 minutes): a child still running then is
    /// killed (SIGKILL) and reported with ``Result/timedOut`` set, so a hang fails its test
    /// instead of stalling the suite. Each pipe is drained by a blocking `read(2)` until end of
    /// file, so a large output cannot fill a pipe and only a true end of file ends a read; once
    /// the child exits, a background grandchild that still holds the pipes is not waited for
    /// beyond a minute.
    /// - Parameters:
    ///   - executable: The program to run.
    ///   - arguments: Its arguments.
    ///   - directory: Its working directory (the test's own when `nil`).
    ///   - timeout: Its deadline.
    ///   - standardInput: A `Pipe` or `FileHandle` for its standard input (inherited when `nil`).
    ///   - environment: Variables added to (or replacing those of) the test's environment.
    /// - Throws: When the process cannot be started.
    public static func run(
        executable: URL, _ arguments: [String], in directory: URL? = nil, timeout: Duration = .seconds(600),
        standardInput: Any? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let standardInput { process.standardInput = standardInput }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let collected = OutputCollector()
        let closed = DispatchGroup()
        for (pipe, isError) in [(out, false), (err, true)] {
            // A blocking read(2) per pipe until end of file: only a true EOF ends it.
            let descriptor = pipe.fileHandleForReading.fileDescriptor
            closed.enter()
            DispatchQueue.global().async {
                // The pipe stays alive (and its descriptor open) while this reader runs.
                withExtendedLifetime(pipe) {}
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    if count <= 0 { break }
                    collected.append(Data(chunk[..<count]), isError: isError)
                }
                closed.leave()
            }
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var timedOut = false
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            timedOut = true
            _ = exited.wait(timeout: .now() + 5)
        }
        _ = closed.wait(timeout: .now() + 60)
        let (stdout, stderr) = collected.contents
        let status: Int32
        if process.isRunning {
            status = 128 + SIGKILL
        } else {
            status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        }
        return Result(status: status, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self), timedOut: timedOut)
    }

    /// The bytes a child wrote, gathered from two reader threads.
    private final class OutputCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var stdout = Data(), stderr = Data()

        func append(_ data: Data, isError: Bool) {
            lock.lock()
            defer { lock.unlock() }
            if isError { stderr.append(data) } else { stdout.append(data) }
        }

        var contents: (Data, Data) {
            lock.lock()
            defer { lock.unlock() }
            return (stdout, stderr)
        }
    }

    /// A fresh temporary directory for one test's files.
    /// - Throws: When it cannot be created.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `name` in `directory` and returns its path.
    /// - Throws: When the file cannot be written.
    public static func write(_ text: String, to name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
