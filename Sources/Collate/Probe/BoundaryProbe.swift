/// Checks that a backend keeps the sequences of a padding-free batch apart: it runs a few
/// sequences alone and then packed into one flattened row, and compares each sequence's
/// outputs position by position.
///
/// ```
///   seq 0 ─► backend ─► out 0          ┐
///   seq 1 ─► backend ─► out 1          ├─ compare, per sequence, max |Δ|
///   seq 2 ─► backend ─► out 2          ┘
///   [seq 0 | seq 1 | seq 2] (position_ids restart) ─► backend ─► packed out, sliced per sequence
/// ```
///
/// A backend that honours the boundaries (position-id aware attention, flash-attention varlen
/// with `cu_seq_lens`) gives the same numbers up to float noise; one that lets a sequence attend
/// to the ones packed before it does not — logits were measured off by up to 2.25 for a
/// transformers 5.17 model run with `use_cache=True`. A failed probe yields the validator's
/// `packing-without-boundaries` diagnostic with the measured difference, and ``ProbedBackend``
/// then refuses padding-free batches.
///
/// The compared outputs are the logits when both runs return them, otherwise an extra output
/// named `token_losses` (`[B, L]`, position *t* holding the loss of predicting token *t + 1*),
/// which is what the external worker returns instead of megabytes of logits.
///
/// ```swift
/// let report = try BoundaryProbe(vocabSize: 32_000).run(backend)
/// if let diagnostic = report.diagnostic { print(diagnostic) }   // error[packing-without-boundaries] ...
/// ```
public struct BoundaryProbe: Sendable {
    /// The sequences run alone and packed; at least two, each at least two tokens long.
    public var sequences: [[Int32]]
    /// The largest absolute difference accepted between alone and packed outputs.
    public var tolerance: Double
    /// Builds the packed batch; its `position_ids` (and, if enabled, `cu_seq_lens_*`) are what
    /// the backend must honour.
    public var collator: FlatteningCollator

    /// The default ``tolerance``: float32 noise is ~1e-5, a leak is ~0.1 to several units.
    /// Use ~5e-2 for bfloat16 models.
    public static let defaultTolerance = 1e-3

    /// Creates a probe over explicit sequences.
    public init(sequences: [[Int32]], tolerance: Double = defaultTolerance, collator: FlatteningCollator = FlatteningCollator()) {
        self.sequences = sequences
        self.tolerance = tolerance
        self.collator = collator
    }

    /// Creates a probe over four pseudo-random sequences (lengths 9, 14, 6, 11) of ids in
    /// `1..<vocabSize` (capped at `Int32.max`, the largest id a tensor holds), drawn from `seed`.
    /// - Precondition: `vocabSize` ≥ 2.
    public init(vocabSize: Int, seed: UInt64 = 7, tolerance: Double = defaultTolerance, collator: FlatteningCollator = FlatteningCollator()) {
        precondition(vocabSize >= 2, "a probe needs a vocabulary of at least 2 ids")
        let vocabSize = min(vocabSize, Int(Int32.max))
        // The LCG stream keeps the sequences (and the frames and reports built from them) as they were.
        var generator = SeededGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15, algorithm: .mmixLinearCongruential)
        let sequences = [9, 14, 6, 11].map { length in
            (0..<length).map { _ in Int32(1 + Int((generator.next() >> 17) % UInt64(vocabSize - 1))) }
        }
        self.init(sequences: sequences, tolerance: tolerance, collator: collator)
    }

    /// The batch of one sequence run alone: `input_ids`, an all-ones `attention_mask` and
    /// `labels` equal to `input_ids`.
    public static func aloneBatch(_ sequence: [Int32]) -> Batch {
        let shape = [1, sequence.count]
        return Batch([
            "input_ids": Tensor(shape: shape, scalars: sequence),
            "attention_mask": Tensor(shape: shape, scalars: [Int32](repeating: 1, count: sequence.count)),
            "labels": Tensor(shape: shape, scalars: sequence),
        ])
    }

    /// The packed batch of all ``sequences``, as ``collator`` builds it.
    /// - Throws: ``BoundaryProbeError/invalidSequences(_:)``.
    public func packedBatch() throws(BoundaryProbeError) -> Batch {
        try checkSequences()
        do {
            return try collator.collate(sequences.map { Example(inputIDs: $0) })
        } catch {
            throw .invalidSequences(error.description)
        }
    }

    /// Runs the probe.
    /// - Parameter backend: Any backend; it must return logits or a `token_losses` extra.
    /// - Returns: The per-sequence differences and whether all are within ``tolerance``.
    /// - Throws: ``BoundaryProbeError`` when the backend fails, returns nothing comparable, or
    ///   returns NaN or an infinity where the runs are compared (`.nonFiniteOutput`).
    /// - Complexity: ``sequences``.count + 1 forward passes.
    public func run<Backend: ModelBackend>(_ backend: Backend) throws(BoundaryProbeError) -> BoundaryProbeReport {
        let packed = try packedBatch()
        var alone: [ModelOutput] = []
        for (index, sequence) in sequences.enumerated() {
            do {
                alone.append(try backend.forward(Self.aloneBatch(sequence)))
            } catch {
                throw .backendFailed(run: "sequence \(index) alone", message: String(describing: error))
            }
        }
        let together: ModelOutput
        do {
            together = try backend.forward(packed)
        } catch {
            throw .backendFailed(run: "the packed batch", message: String(describing: error))
        }

        let total = sequences.reduce(0) { $0 + $1.count }
        var differences: [Double] = []
        let compared: BoundaryProbeReport.Output
        if let packedLogits = together.logits, alone.allSatisfy({ $0.logits != nil }) {
            compared = .logits
            guard packedLogits.shape.count == 3, packedLogits.shape[0] == 1, packedLogits.shape[1] == total else {
                throw .unexpectedShape(output: "logits", shape: packedLogits.shape, expected: "[1, \(total), V]")
            }
            let vocab = packedLogits.shape[2]
            var offset = 0
            for (index, sequence) in sequences.enumerated() {
                guard let logits = alone[index].logits, logits.shape == [1, sequence.count, vocab] else {
                    throw .unexpectedShape(output: "logits", shape: alone[index].logits?.shape ?? [], expected: "[1, \(sequence.count), \(vocab)]")
                }
                try Self.checkFinite(logits.values[...], output: "logits", run: "sequence \(index) alone", stride: vocab)
                let packedSlice = packedLogits.values[(offset * vocab)..<((offset + sequence.count) * vocab)]
                try Self.checkFinite(packedSlice, output: "logits", run: "sequence \(index) in the packed batch", stride: vocab)
                var worst = 0.0
                for i in 0..<(sequence.count * vocab) {
                    worst = max(worst, abs(Double(logits.values[i]) - Double(packedLogits.values[offset * vocab + i])))
                }
                differences.append(worst)
                offset += sequence.count
            }
        } else if let packedLosses = Self.tokenLosses(together), alone.allSatisfy({ Self.tokenLosses($0) != nil }) {
            compared = .tokenLosses
            guard packedLosses.values.count == total else {
                throw .unexpectedShape(output: "token_losses", shape: packedLosses.shape, expected: "[1, \(total)]")
            }
            var offset = 0
            for (index, sequence) in sequences.enumerated() {
                guard let losses = Self.tokenLosses(alone[index]), losses.values.count == sequence.count else {
                    throw .unexpectedShape(output: "token_losses", shape: Self.tokenLosses(alone[index])?.shape ?? [], expected: "[1, \(sequence.count)]")
                }
                // The last position predicts nothing alone and the next sequence's first token packed.
                let compared = sequence.count - 1
                try Self.checkFinite(losses.values[..<compared], output: "token_losses", run: "sequence \(index) alone", stride: 1)
                try Self.checkFinite(packedLosses.values[offset..<(offset + compared)], output: "token_losses", run: "sequence \(index) in the packed batch", stride: 1)
                var worst = 0.0
                for t in 0..<compared {
                    worst = max(worst, abs(Double(losses.values[t]) - Double(packedLosses.values[offset + t])))
                }
                differences.append(worst)
                offset += sequence.count
            }
        } else {
            throw .noComparableOutput(keys: together.keys)
        }
        return BoundaryProbeReport(compared: compared, differences: differences, tolerance: tolerance, sequenceLengths: sequences.map(\.count))
    }

    private func checkSequences() throws(BoundaryProbeError) {
        guard sequences.count >= 2 else { throw .invalidSequences("a probe needs at least 2 sequences, got \(sequences.count)") }
        if let index = sequences.firstIndex(where: { $0.count < 2 }) {
            throw .invalidSequences("sequence \(index) has \(sequences[index].count) tokens; each needs at least 2")
        }
    }

    private static func tokenLosses(_ output: ModelOutput) -> OutputTensor? {
        output.extras.first { $0.name == "token_losses" }?.value
    }

    /// Throws ``BoundaryProbeError/nonFiniteOutput(output:run:position:value:)`` for the first
    /// NaN or infinite value: such an output cannot show whether sequences stay apart (NaN
    /// compares as no difference, and inf − inf is NaN), so the probe must not pass on it.
    /// `stride` is the number of values per position (the vocabulary for logits).
    private static func checkFinite(_ values: ArraySlice<Float>, output: String, run: String, stride: Int) throws(BoundaryProbeError) {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw .nonFiniteOutput(output: output, run: run, position: (index - values.startIndex) / max(stride, 1), value: "\(values[index])")
    }
}
