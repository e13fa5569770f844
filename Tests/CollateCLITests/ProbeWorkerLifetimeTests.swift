import Foundation
import Testing

/// Every wait on a worker has a deadline and a stopped `collate probe` takes its worker with it.
/// The workers are `sh` one-liners, so these run without Python.
///
/// Before: `--timeout 2` still waited 600 s for the handshake; a worker that exited while a
/// process it started held its stdout hung the probe until the timeout (its exit was never
/// watched); SIGTERM or Ctrl-C left the worker's process group running.
@Suite struct ProbeWorkerLifetimeTests {
    struct Run {
        var status: Int32
        var signalled: Bool
        var stderr: String
        var seconds: Double
    }

    /// Starts `collate ARGS`; `whileRunning` gets the process; killed after `deadline` seconds.
    static func collate(_ arguments: [String], deadline: Double = 60, whileRunning: (Process) throws -> Void = { _ in }) throws -> Run {
        let process = Process()
        process.executableURL = CollateProcess.productsDirectory.appendingPathComponent("collate")
        process.arguments = arguments
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        let start = Date()
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        try whileRunning(process)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Run(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                   stderr: String(decoding: stderr, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }

    /// Whether `pid` is a live process (a zombie, dead but not reaped, does not count).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        }
        return true
    }

    /// Waits up to `seconds` for `pid` to die.
    static func dies(_ pid: pid_t, within seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isAlive(pid), Date() < deadline { usleep(20_000) }
        return !isAlive(pid)
    }

    /// Reads a pid a worker wrote, waiting for the file.
    static func pid(in file: URL, within seconds: Double = 30) throws -> pid_t {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(20_000)
        }
        throw CocoaError(.fileReadNoSuchFile)
    }

    @Test func theTimeoutBoundsTheHandshake() throws {
        let run = try Self.collate(["probe", "--backend", "sh -c 'exec sleep 600'", "--timeout", "2"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the worker did not answer 'hello' within 2.0 s"), "\(run.stderr)")
        #expect(run.seconds < 30, "took \(run.seconds) s")
    }

    @Test func aWorkerThatExitsIsNoticedWhileItsChildHoldsTheOutput() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let childFile = directory.appendingPathComponent("child.pid")
        let run = try Self.collate(["probe", "--backend", "sh -c 'sleep 600 & echo $! > \(childFile.path); exit 0'", "--timeout", "300"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the worker exited during 'hello' (exit status 0)"), "\(run.stderr)")
        #expect(run.seconds < 30, "took \(run.seconds) s")
        // The child in the worker's process group is ended too.
        #expect(Self.dies(try Self.pid(in: childFile)), "the worker's child still runs")
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalToProbeEndsTheWorkersGroup(_ signalNumber: Int32) throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let workerFile = directory.appendingPathComponent("worker.pid")
        let childFile = directory.appendingPathComponent("child.pid")
        var worker: pid_t = 0, child: pid_t = 0
        let run = try Self.collate([
            "probe", "--backend", "sh -c 'sleep 600 & echo $! > \(childFile.path); echo $$ > \(workerFile.path); wait'", "--timeout", "300",
        ]) { process in
            worker = try Self.pid(in: workerFile)
            child = try Self.pid(in: childFile)
            kill(process.processIdentifier, signalNumber)
        }
        #expect(run.signalled && run.status == signalNumber, "collate ended with \(run.status) (signalled: \(run.signalled)): \(run.stderr)")
        #expect(Self.dies(worker), "the worker still runs")
        #expect(Self.dies(child), "the worker's child still runs")
        #expect(run.seconds < 30, "took \(run.seconds) s")
    }
}
