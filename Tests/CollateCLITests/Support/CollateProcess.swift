import Foundation
import Testing

/// Runs the built `collate` executable, as a user would.
struct CollateProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// The directory holding the built products (`.build/debug` or `.build/release`).
    static let productsDirectory: URL = {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("collate").path) }
            ?? Bundle.main.bundleURL
    }()

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static let repositoryRoot = fixtures.deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the built `collate` with `arguments`.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        try run(executable: productsDirectory.appendingPathComponent("collate"), arguments, in: directory)
    }

    /// Runs any executable (a sample, `swift`) and collects its exit status and output.
    ///
    /// Every run has a deadline (`timeout`, default 10 minutes): a hung child is killed and the
    /// run reports status -1, so a hang fails its test instead of stalling the suite. Output is
    /// read as it arrives (a large output cannot fill the pipe), and once the child exits a
    /// background grandchild that still holds the pipes is not waited for beyond a minute.
    static func run(executable: URL, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 600) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
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
        var status: Int32
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
            status = -1
        } else {
            status = process.terminationStatus
        }
        _ = closed.wait(timeout: .now() + 60)
        let (stdout, stderr) = collected.contents
        return Result(status: status, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The bytes a child wrote, gathered from two handler threads.
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
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `name` in `directory` and returns its path.
    static func write(_ text: String, to name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
