import Collate
import Testing

/// A backend that stops the run after a given number of micro-batches, by throwing.
private struct StoppingBackend: TrainableBackend {
    struct Stop: Error {}
    var contract = BackendContract(requiredInputs: ["input_ids", "labels"])
    var stopAfter: Int
    var calls = 0
    var normalisers: Set<Int?> = []
    func forward(_ batch: Batch) throws -> ModelOutput { ModelOutput(loss: 1) }
    mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        calls += 1
        normalisers.insert(numItemsInBatch)
        if calls > stopAfter { throw Stop() }
        return ModelOutput(loss: 0.5)
    }
    mutating func step(learningRate: Double) {}
}

/// A user's step and accumulation counts are numbers from the command line: the trainer must not
/// allocate in proportion to them (`--steps 10^12` reserved 32 TB and aborted;
/// `--accumulation 10^9` built a window array of gigabytes before the first micro-batch).
@Suite("Trainer: memory does not grow with steps or accumulation")
struct TrainerLimitsTests {
    static func batches() throws -> [Batch] {
        let collator = LanguageModelingCollator(padTokenID: 0)
        return try [[Example(inputIDs: [1, 2, 3, 4])], [Example(inputIDs: [5, 6])], [Example(inputIDs: [7, 8, 9])]].map(collator.collate)
    }

    @Test func aHugeStepCountStartsAtOnce() throws {
        var trainer = Trainer(backend: StoppingBackend(stopAfter: 5), configuration: .init(steps: 1_000_000_000_000))
        var seen: [Int] = []
        #expect(throws: TrainingError.backendFailed(step: 6, message: "Stop()")) {
            try trainer.train(try Self.batches()) { seen.append($0.step) }
        }
        #expect(seen == [1, 2, 3, 4, 5])
    }

    @Test func aHugeAccumulationStartsAtOnceWithTheWindowCount() throws {
        var trainer = Trainer(backend: StoppingBackend(stopAfter: 7), configuration: .init(steps: 1, gradientAccumulation: 1 << 40))
        #expect(throws: TrainingError.backendFailed(step: 1, message: "Stop()")) { try trainer.train(try Self.batches()) }
        // The window cycles 2^40 times over batches of 3, 1 and 2 targets: 2^40 / 3 full cycles
        // of 6, plus the first batch (2^40 mod 3 = 1).
        let cycles = (1 << 40) / 3
        #expect(trainer.backend.normalisers == [cycles * 6 + 3])
        #expect(trainer.backend.calls == 8)
    }

    @Test func windowsCyclingPastTheEndCountLikeTheUnrolledWindow() throws {
        let batches = try Self.batches()
        for accumulation in 1...7 {
            var trainer = Trainer(backend: StoppingBackend(stopAfter: .max), configuration: .init(steps: 4, gradientAccumulation: accumulation))
            let records = try trainer.train(batches)
            let items = batches.map { $0.numItemsInBatch() }, tokens = batches.map(\.realTokenCount)
            for (index, record) in records.enumerated() {
                let window = (0..<accumulation).map { (index * accumulation + $0) % batches.count }
                #expect(record.numItems == window.reduce(0) { $0 + items[$1] }, "accumulation \(accumulation), step \(index + 1)")
                #expect(record.tokens == window.reduce(0) { $0 + tokens[$1] }, "accumulation \(accumulation), step \(index + 1)")
            }
        }
    }

    @Test func recordsCanStreamWithoutBeingKept() throws {
        var trainer = Trainer(backend: StoppingBackend(stopAfter: .max), configuration: .init(steps: 50, keepsRecords: false))
        var streamed = 0
        let kept = try trainer.train(try Self.batches()) { _ in streamed += 1 }
        #expect(kept.isEmpty)
        #expect(streamed == 50)
    }

    @Test func anAccumulationWhoseCountsOverflowIsRefusedNotWrapped() throws {
        var trainer = Trainer(backend: StoppingBackend(stopAfter: .max), configuration: .init(steps: 1, gradientAccumulation: .max))
        #expect(throws: TrainingError.invalidConfiguration("gradientAccumulation", value: String(Int.max))) {
            try trainer.train(try Self.batches())
        }
        #expect(trainer.backend.calls == 0)
    }
}
