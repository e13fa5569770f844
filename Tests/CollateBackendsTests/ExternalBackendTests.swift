import Collate
import CollateBackends
import Testing

/// The worker protocol end to end, with the torch-free counting worker whose numbers are
/// computed here by hand (see Tests/Fixtures/workers/fake_worker.py).
@Suite("External backend protocol", .enabled(if: Workers.python3 != nil, Comment(rawValue: Workers.skipMessage)))
struct ExternalBackendTests {
    static let batch = Batch([
        "input_ids": Tensor(shape: [1, 3], scalars: [5, 6, 7]),
        "labels": Tensor(shape: [1, 3], scalars: [5, 6, 7]),
    ])

    /// The counting model's loss: position t (context sum c of its sequence so far) predicting
    /// y = labels[t + 1] costs ((c + y) % 101) / 100.
    static func countingLoss(_ rows: [[Int32]]) -> Double {
        var total = 0.0, count = 0
        for row in rows {
            var context = 0
            for t in 0..<(row.count - 1) {
                context += Int(row[t])
                total += Double((context + Int(row[t + 1])) % 101) / 100
                count += 1
            }
        }
        return total / Double(count)
    }

    @Test func handshakeReportsTheModel() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand("--vocab", "321"))
        defer { backend.close() }
        #expect(backend.worker.protocolVersion == ExternalBackend.protocolVersion)
        #expect(backend.worker.name == "collate_worker 1")
        #expect(backend.worker.vocabSize == 321)
        #expect(backend.contract.vocabSize == 321)
        #expect(backend.contract.maxLength == 512)
        #expect(backend.contract.acceptsPaddingFree == false, "padding-free only after a passed probe")
    }

    @Test func forwardReturnsTheWorkersLossShapesAndValues() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand())
        defer { backend.close() }
        let reply = try backend.run(Self.batch, returning: ["token_losses"])
        // (5 + 6) % 101 / 100 and (11 + 7) % 101 / 100.
        #expect(reply.loss.map { abs($0 - 0.145) < 1e-12 } == true)
        #expect(reply.numItems == 2)
        #expect(reply.outputs.map(\.name) == ["logits", "token_losses"])
        #expect(reply.outputs.map(\.shape) == [[1, 3, 1000], [1, 3]])
        #expect(reply.values.first?.tensor.values == [0.11, 0.18, 0])
        let output = try backend.forward(Self.batch)
        #expect(output.keys == ["loss"], "no values unless asked")
    }

    @Test func paddedAndFlattenedBatchesGiveTheSameLoss() throws {
        let rows: [[Int32]] = [[3, 9, 27, 81, 43], [10, 20, 30], [7, 1, 4, 1]]
        let examples = rows.map { Example(inputIDs: $0) }
        let padded = try LanguageModelingCollator(padTokenID: 0).collate(examples)
        let flattened = try FlatteningCollator().collate(examples)
        let backend = try ExternalBackend(command: Workers.fakeCommand())
        defer { backend.close() }
        let expected = Self.countingLoss(rows)
        let paddedLoss = try #require(try backend.forward(padded).loss)
        let flattenedLoss = try #require(try backend.forward(flattened).loss)
        #expect(abs(paddedLoss - expected) < 1e-12)
        #expect(abs(flattenedLoss - expected) < 1e-12)
    }

    @Test func noLabelsMeansNoLoss() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand())
        defer { backend.close() }
        var batch = Self.batch
        batch["labels"] = nil
        let reply = try backend.run(batch)
        #expect(reply.loss == nil)
        #expect(reply.numItems == nil)
    }

    @Test func trainsThroughTheTrainerWithNumItemsInBatch() throws {
        let backend = try ExternalBackend(configuration: .init(command: Workers.fakeCommand(), requiredInputs: ["input_ids", "labels"]))
        defer { backend.close() }
        var trainer = Trainer(backend: backend, configuration: .init(steps: 3, gradientAccumulation: 2, learningRate: 0.5))
        let other = Batch(["input_ids": Tensor(shape: [1, 2], scalars: [1, 2]), "labels": Tensor(shape: [1, 2], scalars: [1, 2])])
        let records = try trainer.train([Self.batch, other])
        // Window: 2 + 1 targets; summed losses (0.11 + 0.18 + 0.03) / 3, each step lowers every token by 0.05.
        #expect(records.map(\.numItems) == [3, 3, 3])
        for (index, record) in records.enumerated() {
            #expect(abs(record.loss - ((0.32 / 3) - 0.05 * Double(index))) < 1e-9)
        }
        #expect(backend.stepCount == 3)
    }

    @Test func aWorkersErrorReplyLeavesItRunning() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand("--error-on", "forward"))
        defer { backend.close() }
        #expect(throws: ExternalBackendError.workerError(operation: "forward", message: "ValueError: asked to fail on forward")) {
            try backend.forward(Self.batch)
        }
        #expect(backend.isRunning)
        #expect(try backend.takeStep(learningRate: 0.1) == 1)
    }

    @Test func printsOnTheWorkersStdoutCannotCorruptReplies() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand("--print-noise"))
        defer { backend.close() }
        #expect(try backend.run(Self.batch).numItems == 2)
    }

    @Test func closeStopsTheWorker() throws {
        let backend = try ExternalBackend(command: Workers.fakeCommand())
        backend.close()
        #expect(!backend.isRunning)
        #expect(throws: ExternalBackendError.notRunning(reason: "it was closed")) { try backend.forward(Self.batch) }
    }
}
