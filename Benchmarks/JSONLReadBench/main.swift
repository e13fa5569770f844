// JSONLReadBench: MB/s of tokenized JSONL parsed into `Example`s on one core, the read every
// `collate` command does first. Release builds only:
//
//     swift run -c release JSONLReadBench WORKLOAD.jsonl [RUNS]
//
// WORKLOAD.jsonl is `python3 Benchmarks/trl/make_workload.py 20000 16 /tmp/work.jsonl`.
// Timed (wall clock and this thread's CPU time, best of RUNS, default 5): `ExampleFile.read` (the chunked line reader + the integer-array
// fast path), and in the same run the general path every line took before the fast path
// (`JSONParser.parse` into `JSONValue`, then `Example(json:)`) as the named baseline.
// Python's `json.loads` and pyarrow's `read_json` on the same file: Benchmarks/jsonl_read_python.py.
import Collate
import CollateData
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: JSONLReadBench WORKLOAD.jsonl [RUNS]\n".utf8))
    exit(2)
}
let runs = arguments.count > 1 ? Int(arguments[1]) ?? 5 : 5
let url = URL(fileURLWithPath: path)
let megabytes = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6

/// CPU seconds of this thread: on a shared machine the wall clock measures the neighbours too.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func bestSeconds(_ body: () throws -> Int) rethrows -> (seconds: Double, cpu: Double, tokens: Int) {
    var best = Double.infinity
    var bestCPU = Double.infinity
    var tokens = 0
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let cpuStart = threadCPUSeconds()
        tokens = try body()
        bestCPU = min(bestCPU, threadCPUSeconds() - cpuStart)
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return (best, bestCPU, tokens)
}

let fast = try bestSeconds {
    try ExampleFile.read(url).reduce(0) { $0 + $1.example.inputIDs.count }
}
let general = try bestSeconds {
    var tokens = 0
    try JSONLinesReader(url: url).forEachLine { _, bytes in
        tokens += try Example(json: JSONParser.parse(bytes)).inputIDs.count
    }
    return tokens
}
precondition(fast.tokens == general.tokens, "the two paths read different tokens")
func line(_ name: String, _ result: (seconds: Double, cpu: Double, tokens: Int)) -> String {
    name.padding(toLength: 44, withPad: " ", startingAt: 0)
        + String(format: " wall %6.3f s %7.1f MB/s | CPU %6.3f s %7.1f MB/s %6.1f M tokens/s", result.seconds, megabytes / result.seconds,
                 result.cpu, megabytes / result.cpu, Double(result.tokens) / result.cpu / 1e6)
}
print("workload: \(path) (\(String(format: "%.1f", megabytes)) MB, \(fast.tokens) tokens), best of \(runs)")
print(line("ExampleFile.read (fast path)", fast))
print(line("JSONParser + Example(json:) (general path)", general))
print(String(format: "ratio fast / general: %.1fx wall, %.1fx CPU", general.seconds / fast.seconds, general.cpu / fast.cpu))
