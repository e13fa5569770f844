import Collate
import Testing

/// A worker answering NaN or infinite token losses used to pass the boundary probe: NaN on
/// both sides counted as no difference, and inf − inf (NaN) was dropped by `max`.
@Suite("Boundary probe: non-finite outputs fail it")
struct BoundaryProbeNonFiniteTests {
    /// Returns `token_losses` of `value` at `position` of every run (alone and packed), zero elsewhere.
    struct ConstantLosses: ModelBackend {
        var value: Float
        var position: Int
        var contract: BackendContract { BackendContract() }
        func forward(_ batch: Batch) throws -> ModelOutput {
            let count = batch["input_ids"]?.scalars.count ?? 0
            var values = [Float](repeating: 0.5, count: count)
            if position < count { values[position] = value }
            return ModelOutput(extras: [(name: "token_losses", value: OutputTensor(shape: [1, count], values: values))])
        }
    }

    /// Returns logits that are all `value`.
    struct ConstantLogits: ModelBackend {
        var value: Float
        var contract: BackendContract { BackendContract() }
        func forward(_ batch: Batch) throws -> ModelOutput {
            let count = batch["input_ids"]?.scalars.count ?? 0
            return ModelOutput(logits: OutputTensor(shape: [1, count, 3], values: [Float](repeating: value, count: count * 3)))
        }
    }

    static let probe = BoundaryProbe(sequences: [[1, 2, 3], [4, 5, 6]])

    @Test(arguments: [(Float.nan, "nan"), (Float.infinity, "inf"), (-Float.infinity, "-inf")])
    func nonFiniteTokenLossesFailTheProbe(_ value: Float, _ text: String) {
        let expected = BoundaryProbeError.nonFiniteOutput(output: "token_losses", run: "sequence 0 alone", position: 1, value: text)
        #expect(throws: expected) { try Self.probe.run(ConstantLosses(value: value, position: 1)) }
        #expect(expected.description.contains("token_losses for sequence 0 alone is \(text) at position 1"))
        #expect(expected.description.contains("the probe fails"))
    }

    @Test(arguments: [Float.nan, Float.infinity])
    func nonFiniteLogitsFailTheProbe(_ value: Float) {
        #expect(throws: BoundaryProbeError.nonFiniteOutput(output: "logits", run: "sequence 0 alone", position: 0, value: "\(value)")) {
            try Self.probe.run(ConstantLogits(value: value))
        }
    }

    @Test func aNonFiniteValueOnlyInThePackedRunIsNamedThere() {
        /// Finite alone; NaN at the packed row's position 4 (sequence 1, position 1).
        struct PackedNaN: ModelBackend {
            var contract: BackendContract { BackendContract() }
            func forward(_ batch: Batch) throws -> ModelOutput {
                let count = batch["input_ids"]?.scalars.count ?? 0
                var values = [Float](repeating: 0.5, count: count)
                if count == 6 { values[4] = .nan }
                return ModelOutput(extras: [(name: "token_losses", value: OutputTensor(shape: [1, count], values: values))])
            }
        }
        #expect(throws: BoundaryProbeError.nonFiniteOutput(output: "token_losses", run: "sequence 1 in the packed batch", position: 1, value: "nan")) {
            try Self.probe.run(PackedNaN())
        }
    }

    @Test func theUncomparedLastPositionMayHoldAnything() throws {
        // Position 2 of a 3-token sequence predicts nothing alone; it is not compared.
        let report = try Self.probe.run(ConstantLosses(value: .nan, position: 2))
        #expect(report.passed)
    }
}
