import CollateTokenizers
import Foundation

// usage: TokenizerBench TOKENIZER_PATH TEXT_FILE [REPEATS]
// Prints one JSON line per run: load seconds, encode seconds of one call on the whole
// text, MB/s (MB = 10^6 UTF-8 bytes), token count. The word cache is cleared between
// runs by loading a fresh tokenizer, so every run is a cold single call, as for HF.
// TOKENIZER_BENCH_DUMP=FILE writes the last run's tokens for a parity diff.

let arguments = CommandLine.arguments
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// CPU time of the process: on a machine shared with other work it measures the
/// encoder, not the scheduler (the single-thread ratio is taken from it).
func processCPU() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

// usage: TokenizerBench load TOKENIZER_PATH [REPEATS]
// Loads the tokenizer REPEATS times (default 10); one JSON line per load: wall and CPU seconds
// (compare with hf_load_bench.py: HF `Tokenizer.from_file`).
if arguments.count >= 3, arguments[1] == "load" {
    let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 10 : 10
    for run in 1...repeats {
        let start = now()
        let cpuStart = processCPU()
        do {
            _ = try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: arguments[2]))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        print(String(
            format: "{\"impl\": \"collate\", \"mode\": \"load\", \"run\": %d, \"seconds\": %.4f, \"cpu_s\": %.4f}",
            run, now() - start, processCPU() - cpuStart))
    }
    exit(0)
}

// usage: TokenizerBench batch TOKENIZER_PATH TEXTS.jsonl [REPEATS] [threads]
// Encodes every {"text": ...} line with `encodeBatch` (one thread, or all cores with
// "threads"), as HF's `encode_batch`; one JSON line per run: texts/s and MB/s. The first
// run is a warm-up that fills the word cache (HF's cache is warm after its first batch too).
if arguments.count >= 4, arguments[1] == "batch" {
    let tokenizer: PretrainedTokenizer
    let texts: [String]
    do {
        tokenizer = try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: arguments[2]))
        let data = try String(contentsOf: URL(fileURLWithPath: arguments[3]), encoding: .utf8)
        texts = try data.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["text"] as? String ?? ""
        }
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
    let repeats = arguments.count > 4 ? Int(arguments[4]) ?? 5 : 5
    let concurrently = arguments.count > 5 && arguments[5] == "threads"
    let megabytes = Double(texts.reduce(0) { $0 + $1.utf8.count }) / 1e6
    for run in 0...repeats {
        let start = now()
        let cpuStart = processCPU()
        let encodings = tokenizer.encodeBatch(texts, addSpecialTokens: true, concurrently: concurrently)
        let seconds = now() - start
        let cpu = processCPU() - cpuStart
        let tokens = encodings.reduce(0) { $0 + $1.ids.count }
        if run == 0 { continue }
        print(String(
            format: "{\"impl\": \"collate\", \"mode\": \"batch\", \"run\": %d, \"seconds\": %.4f, \"cpu_s\": %.4f, \"texts_per_s\": %.0f, \"mb_per_s\": %.2f, \"tokens\": %d}",
            run, seconds, cpu, Double(texts.count) / seconds, megabytes / seconds, tokens))
        if run == repeats, let dump = ProcessInfo.processInfo.environment["TOKENIZER_BENCH_DUMP"] {
            var out = ""
            for encoding in encodings {
                out += zip(encoding.ids, encoding.offsets).map { "\($0) \($1.lowerBound) \($1.upperBound)" }.joined(separator: " ") + "\n"
            }
            _ = FileManager.default.createFile(atPath: dump, contents: Data(out.utf8))
        }
    }
    exit(0)
}

guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: TokenizerBench TOKENIZER_PATH TEXT_FILE [REPEATS]\n".utf8))
    exit(2)
}
let tokenizerURL = URL(fileURLWithPath: arguments[1])
let text: String
do {
    text = try String(contentsOf: URL(fileURLWithPath: arguments[2]), encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("cannot read \(arguments[2]): \(error)\n".utf8))
    exit(1)
}
let repeats = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
let megabytes = Double(text.utf8.count) / 1e6

for run in 0..<repeats {
    let loadStart = now()
    let tokenizer: PretrainedTokenizer
    do {
        tokenizer = try PretrainedTokenizer(contentsOf: tokenizerURL)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
    let loadSeconds = now() - loadStart
    let start = now()
    let encoding = tokenizer.encode(text, addSpecialTokens: false)
    let seconds = now() - start
    let line = String(
        format: "{\"impl\": \"collate\", \"run\": %d, \"load_s\": %.3f, \"encode_s\": %.3f, \"mb_per_s\": %.2f, \"tokens\": %d}",
        run, loadSeconds, seconds, megabytes / seconds, encoding.ids.count)
    print(line)
    // TOKENIZER_BENCH_DUMP=FILE writes "id start end" per token, to diff with hf_bench.py.
    if run == repeats - 1, let dump = ProcessInfo.processInfo.environment["TOKENIZER_BENCH_DUMP"] {
        var out = ""
        for (id, range) in zip(encoding.ids, encoding.offsets) { out += "\(id) \(range.lowerBound) \(range.upperBound)\n" }
        _ = FileManager.default.createFile(atPath: dump, contents: Data(out.utf8))
    }
}
