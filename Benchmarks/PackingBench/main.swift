// PackingBench: times the packer on a million sequence lengths and measures packing
// efficiency on the reference workload. Release builds only:
//
//     swift run -c release PackingBench [WORKLOAD.jsonl] [CAPACITY]
//
// WORKLOAD.jsonl is `python3 Benchmarks/bench/make_workload.py 3000 11 /tmp/work.jsonl`
// (chat-SFT-like lengths); without it only the synthetic million-length run happens.
// Baseline: the textbook best-fit decreasing that scans every open bin (O(n × bins)),
// timed on a prefix, so the speed-up is a ratio measured in the same run.
import Collate
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let capacity = arguments.count > 1 ? Int(arguments[1]) ?? 4096 : 4096

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Log-normal lengths like make_workload.py (median ~300, capped at `cap`), seeded.
func syntheticLengths(_ count: Int, seed: UInt64, cap: Int) -> [Int] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        let u = Double(generator.next(below: 1 << 52) + 1) / Double(1 << 52)
        let v = Double(generator.next(below: 1 << 52)) / Double(1 << 52)
        let normal = (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        return max(8, min(cap, Int(exp(5.7 + 0.8 * normal))))
    }
}

/// The baseline: best fit by scanning all open bins.
func naiveBestFitBins(_ lengths: [Int], capacity: Int) -> Int {
    var loads: [Int] = []
    for size in lengths.sorted(by: >) {
        var best = -1
        for (bin, load) in loads.enumerated() where load + size <= capacity && (best < 0 || load > loads[best]) { best = bin }
        if best < 0 { loads.append(size) } else { loads[best] += size }
    }
    return loads.count
}

func workloadLengths(_ path: String) throws -> [Int] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map { line in try Example(jsonText: String(line)).inputIDs.count }
}

func report(_ fields: KeyValuePairs<String, JSONValue>) {
    print(JSONValue.object(JSONObject(fields.map { ($0.key, $0.value) })).jsonText)
}

func number(_ value: Double) -> JSONValue { .number(String(format: "%.6g", value)) }

do {
    let million = syntheticLengths(1_000_000, seed: 11, cap: capacity)
    for strategy in PackingStrategy.allCases {
        let packer = Packer(capacity: capacity, strategy: strategy)
        var plan = try packer.pack(lengths: million)   // warm-up
        var times: [Double] = []
        for _ in 0..<5 { times.append(try seconds { plan = try packer.pack(lengths: million) }) }
        times.sort()
        report([
            "run": .string("synthetic-1M"), "strategy": .string(strategy.rawValue), "sequences": .integer(Int64(million.count)),
            "capacity": .integer(Int64(capacity)), "bins": .integer(Int64(plan.binCount)),
            "lower_bound_bins": .integer(Int64((plan.tokens + capacity - 1) / capacity)),
            "efficiency": number(plan.efficiency), "seconds_median": number(times[2]), "seconds_best": number(times[0]),
        ])
    }

    // Baseline ratio on a prefix small enough for the O(n × bins) scan.
    let prefix = Array(million.prefix(50_000))
    var fastBins = 0, slowBins = 0
    let fast = try seconds { fastBins = try Packer(capacity: capacity).pack(lengths: prefix).binCount }
    let slow = seconds { slowBins = naiveBestFitBins(prefix, capacity: capacity) }
    report([
        "run": .string("baseline-50k"), "baseline": .string("textbook BFD scanning all bins"), "bins": .integer(Int64(fastBins)),
        "baseline_bins": .integer(Int64(slowBins)), "seconds": number(fast), "baseline_seconds": number(slow), "speedup": number(slow / fast),
    ])

    if let path = arguments.first {
        let lengths = try workloadLengths(path)
        for strategy in PackingStrategy.allCases {
            let plan = try Packer(capacity: capacity, strategy: strategy, overflow: .truncate).pack(lengths: lengths)
            report([
                "run": .string("workload"), "file": .string(path), "strategy": .string(strategy.rawValue), "sequences": .integer(Int64(lengths.count)),
                "tokens": .integer(Int64(plan.tokens)), "capacity": .integer(Int64(capacity)), "bins": .integer(Int64(plan.binCount)),
                "lower_bound_bins": .integer(Int64((plan.tokens + capacity - 1) / capacity)), "efficiency": number(plan.efficiency),
            ])
        }
    }
} catch {
    FileHandle.standardError.write(Data("PackingBench: \(error)\n".utf8))
    exit(1)
}
