/// What a ``BoundaryProbe`` measured: for each sequence, the largest absolute difference
/// between its outputs run alone and packed with the others.
public struct BoundaryProbeReport: Sendable, Hashable {
    /// Which output was compared.
    public enum Output: String, Sendable, Hashable {
        /// The logits `[1, L, V]`, every position and vocabulary entry.
        case logits
        /// The per-token losses `[1, L]`, every position that predicts a token of its own sequence.
        case tokenLosses = "token_losses"
    }

    /// Which output was compared.
    public var compared: Output
    /// Per sequence, the max |alone − packed| (infinity when only one side is NaN).
    public var differences: [Double]
    /// The largest difference accepted.
    public var tolerance: Double
    /// The probed sequences' lengths, in packing order.
    public var sequenceLengths: [Int]

    /// Creates a report.
    public init(compared: Output, differences: [Double], tolerance: Double, sequenceLengths: [Int]) {
        self.compared = compared
        self.differences = differences
        self.tolerance = tolerance
        self.sequenceLengths = sequenceLengths
    }

    /// The largest difference over all sequences.
    public var maxDifference: Double { differences.max() ?? 0 }

    /// Whether every sequence's difference is within ``tolerance``.
    public var passed: Bool { differences.allSatisfy { $0 <= tolerance } }

    /// The sequence with the largest difference.
    public var worstSequence: Int { differences.indices.max { differences[$0] < differences[$1] } ?? 0 }

    /// `packing-without-boundaries` with the measured difference when the probe failed, else `nil`.
    public var diagnostic: Diagnostic? {
        guard !passed else { return nil }
        let worst = worstSequence
        let worstText = maxDifference.isFinite ? "\(Self.format(maxDifference))" : "NaN on one side only"
        return Diagnostic(.packingWithoutBoundaries, message:
            "boundary probe failed: sequence \(worst) (of \(differences.count), lengths \(sequenceLengths)) gives \(compared.rawValue) "
            + "that differ by up to \(worstText) when packed after the others instead of run alone (tolerance \(Self.format(tolerance)); "
            + "per sequence: [\(differences.map(Self.format).joined(separator: ", "))]). The backend lets packed sequences attend to each other, so a "
            + "padding-free batch would train across example joins and padding-free batches are refused. Fix: make the backend "
            + "honour position_ids / cu_seq_lens (with transformers pass use_cache=False, or use flash-attention varlen), "
            + "or use a padded collator.")
    }

    /// The report as one JSON line:
    /// `{"passed": true, "compared": "token_losses", "max_difference": 1.2e-06, "tolerance": 0.001, "differences": [...]}`.
    public var jsonText: String {
        let numbers = differences.map(Self.jsonNumber).joined(separator: ", ")
        return "{\"passed\": \(passed), \"compared\": \"\(compared.rawValue)\", \"max_difference\": \(Self.jsonNumber(maxDifference)), "
            + "\"tolerance\": \(Self.jsonNumber(tolerance)), \"differences\": [\(numbers)], \"sequence_lengths\": \(sequenceLengths)}"
    }

    private static func jsonNumber(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    private static func format(_ value: Double) -> String {
        guard value.isFinite else { return "inf" }
        if value == 0 { return "0" }
        if abs(value) >= 0.01 && abs(value) < 1e4 { return String(Double((value * 10_000).rounded()) / 10_000) }
        return "\(value)"
    }
}
