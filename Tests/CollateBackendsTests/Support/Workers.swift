import CollateTestSupport
import Foundation

/// Where the test workers are and which Python runs them.
enum Workers {
    static let repositoryRoot = Fixtures.repositoryRoot

    /// The torch-free test worker (the shipped protocol layer plus a counting model).
    static let fake = repositoryRoot.appendingPathComponent("Tests/Fixtures/workers/fake_worker.py").path
    /// The shipped transformers worker.
    static let torch = repositoryRoot.appendingPathComponent("Sources/CollateBackends/Worker/collate_worker.py").path

    /// `python3` on `PATH`, or `nil` (the protocol tests are then skipped).
    static let python3: String? = executable(named: "python3")

    /// A Python that can import torch and transformers: `COLLATE_TORCH_PYTHON` if set, else
    /// `python3`; `nil` when neither can (the torch tests are then skipped).
    static let torchPython: String? = {
        let candidates = [ProcessInfo.processInfo.environment["COLLATE_TORCH_PYTHON"], python3].compactMap { $0 }
        return candidates.first { canImportTorch($0) }
    }()

    static let skipMessage = "python3 not found on PATH: the external-backend protocol tests need it"
    static let torchSkipMessage = "torch and transformers are not importable (set COLLATE_TORCH_PYTHON to a Python that has them)"

    /// The fake worker's command line with `arguments`.
    static func fakeCommand(_ arguments: String...) -> [String] {
        [python3 ?? "python3", fake] + arguments
    }

    private static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func canImportTorch(_ python: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import torch, transformers"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
