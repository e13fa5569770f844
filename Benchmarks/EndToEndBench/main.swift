// End-to-end input pipeline throughput: messages JSONL → chat-rendered, tokenized, exactly
// masked examples → padding-free batches (and, separately, BFD-packed bins).
//
//     swift run -c release EndToEndBench CONVERSATIONS.jsonl TOKENIZER TEMPLATE [BATCH_SIZE]
//     swift run -c release EndToEndBench --config PIPELINE.json     (see below)
//
// Prints one JSON line per layout: {"layout", "examples", "tokens", "batches", "seconds",
// "tokens_per_second"}. The clock covers everything after the tokenizer is loaded: reading
// the file, rendering, tokenizing, masking, packing and collating. Compare with
// Benchmarks/end_to_end_hf.py (HF datasets.map + DataCollatorWithFlattening) on the same file.
import Collate
import CollateData
import CollateTokenizers
import Foundation

let processStart = ContinuousClock.now

/// The labels other than -100. A plain loop in a function: a closure written in this file's
/// top-level code is main-actor isolated, and `reduce` calling one per label checked the
/// executor 6.5 million times (a tenth of the in-memory row's CPU, none of it Collate's).
func trainedCount(_ labels: [Int32]) -> Int {
    var count = 0
    for label in labels where label != -100 { count += 1 }
    return count
}

/// Collates every batch of `run` on every core (each worker takes every n-th batch, counts
/// its tokens and trained labels, and drops it) and returns the totals; the first failing
/// batch's error, in batch order, is thrown. A plain function, not top-level code, so the
/// workers' closure is not main-actor isolated.
func countBatches(_ run: PipelineRun) throws -> (tokens: Int, trained: Int) {
    let count = run.batchRanges.count
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
    let slots = _Slots(count: workers)
    defer { slots.free() }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var tokens = 0, trained = 0
        var index = worker
        while index < count {
            do {
                let batch = try run.batch(index)
                tokens += batch["input_ids"]?.count ?? 0
                if let labels = batch["labels"] { trained += trainedCount(labels.scalars) }
            } catch {
                slots.pointer[worker] = (tokens, trained, index, error)
                return
            }
            index += workers
        }
        slots.pointer[worker] = (tokens, trained, nil, nil)
    }
    var tokens = 0, trained = 0
    var failure: (index: Int, error: any Error)?
    for worker in 0..<workers {
        let slot = slots.pointer[worker]
        tokens += slot.tokens
        trained += slot.trained
        if let index = slot.failedAt, let error = slot.error, index < (failure?.index ?? .max) { failure = (index, error) }
    }
    if let failure { throw failure.error }
    return (tokens, trained)
}

/// One result slot per worker, each written by its own worker only.
final class _Slots: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<(tokens: Int, trained: Int, failedAt: Int?, error: (any Error)?)>
    let count: Int
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: (0, 0, nil, nil), count: count)
    }
    func free() {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())

// `EndToEndBench --config PIPELINE.json`: the pipeline file's whole run into batches held in
// memory — tokenizer loading, reading, rendering, tokenizing, masking, truncating, packing
// and collating every batch, exactly what `collate export --config` does before it writes
// shards (Benchmarks/e2e/run.sh's in-memory row). Prints one JSON line: the batches' tokens
// and trained tokens (labels other than -100), and the seconds since the process started.
if arguments.first == "--config" {
    guard arguments.count == 2 else {
        FileHandle.standardError.write(Data("usage: EndToEndBench --config PIPELINE.json\n".utf8))
        exit(2)
    }
    do {
        let run = try PipelineConfiguration(contentsOf: URL(fileURLWithPath: arguments[1])).prepare()
        let (tokens, trained) = try countBatches(run)
        let elapsed = ContinuousClock.now - processStart
        let time = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(#"{"layout": "pipeline", "tokens": \#(tokens), "trained_tokens": \#(trained), "batches": \#(run.batchRanges.count), "seconds": \#(time), "tokens_per_second": \#(Double(tokens) / time)}"#)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("EndToEndBench: \(error)\n".utf8))
        exit(1)
    }
}

guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: EndToEndBench CONVERSATIONS.jsonl TOKENIZER TEMPLATE [BATCH_SIZE] | --config PIPELINE.json\n".utf8))
    exit(2)
}
let batchSize = arguments.count > 3 ? Int(arguments[3]) ?? 16 : 16

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ layout: String, examples: Int, tokens: Int, batches: Int, elapsed: Duration) {
    let time = seconds(elapsed)
    print(#"{"layout": "\#(layout)", "examples": \#(examples), "tokens": \#(tokens), "batches": \#(batches), "seconds": \#(time), "tokens_per_second": \#(Double(tokens) / time)}"#)
}

do {
    let tokenizer = try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: arguments[1]))
    let reader = DatasetReader(url: URL(fileURLWithPath: arguments[0]), tokenizer: tokenizer, chatFormat: try ChatFormat.named(arguments[2]))
    let clock = ContinuousClock()

    // 1. Flattened batches of `batchSize` conversations, as DataCollatorWithFlattening would make.
    var start = clock.now
    let examples = try reader.readAll().records.map(\.example)
    var batches = 0
    var sink = 0
    for index in stride(from: 0, to: examples.count, by: batchSize) {
        let batch = try FlatteningCollator().collate(Array(examples[index..<min(index + batchSize, examples.count)]))
        sink &+= batch.tokenCount
        batches += 1
    }
    let tokens = examples.reduce(0) { $0 + $1.inputIDs.count }
    report("flattened-\(batchSize)", examples: examples.count, tokens: tokens, batches: batches, elapsed: clock.now - start)

    // 2. The same conversations BFD-packed into 4096-token bins with every boundary field.
    start = clock.now
    let again = try reader.readAll().records.map(\.example)
    let (plan, packed) = try Packer(capacity: 4096).pack(again)
    for bin in 0..<plan.binCount {
        sink &+= try FlatteningCollator.packed.collate(plan[bin: bin].map { packed[$0] }).tokenCount
    }
    report("packed-4096", examples: again.count, tokens: plan.tokens, batches: plan.binCount, elapsed: clock.now - start)
    precondition(sink > 0)
} catch {
    FileHandle.standardError.write(Data("EndToEndBench: \(error)\n".utf8))
    exit(1)
}
