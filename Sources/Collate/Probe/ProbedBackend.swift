/// A backend together with its ``BoundaryProbe`` result: when the probe failed, its contract
/// says it takes no padding-free batches (so the ``Validator`` reports
/// `packing-without-boundaries`) and ``forward(_:)`` refuses one with the measured difference.
///
/// ```swift
/// let probed = try ProbedBackend(model, probe: BoundaryProbe(vocabSize: 32_000))
/// print(probed.report.jsonText)
/// _ = try probed.forward(flattenedBatch)   // throws BoundaryProbeError.refused(...) if the probe failed
/// ```
public struct ProbedBackend<Base: ModelBackend>: ModelBackend {
    /// The wrapped backend.
    public var base: Base
    /// What the probe measured.
    public let report: BoundaryProbeReport

    /// Probes `base` and wraps it.
    /// - Throws: ``BoundaryProbeError`` when the probe cannot measure.
    public init(_ base: Base, probe: BoundaryProbe) throws(BoundaryProbeError) {
        self.report = try probe.run(base)
        self.base = base
    }

    /// Wraps `base` with a report measured earlier.
    public init(_ base: Base, report: BoundaryProbeReport) {
        self.base = base
        self.report = report
    }

    /// The base's contract, taking padding-free batches only if it did and the probe passed.
    public var contract: BackendContract {
        var contract = base.contract
        contract.acceptsPaddingFree = contract.acceptsPaddingFree && report.passed
        return contract
    }

    /// Runs the base backend.
    /// - Throws: ``BoundaryProbeError/refused(_:)`` for a padding-free batch when the probe
    ///   failed; otherwise whatever the base throws.
    public func forward(_ batch: Batch) throws -> ModelOutput {
        try refuseIfNeeded(batch)
        return try base.forward(batch)
    }

    func refuseIfNeeded(_ batch: Batch) throws(BoundaryProbeError) {
        if let diagnostic = report.diagnostic, batch.isPaddingFree { throw .refused(diagnostic) }
    }
}

extension ProbedBackend: TrainableBackend where Base: TrainableBackend {
    /// Accumulates gradients on the base backend, refusing a padding-free batch as ``forward(_:)`` does.
    public mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        try refuseIfNeeded(batch)
        return try base.accumulateGradients(batch, numItemsInBatch: numItemsInBatch)
    }

    /// Steps the base backend's optimizer.
    /// - Throws: what the base backend's step throws.
    public mutating func step(learningRate: Double) throws {
        try base.step(learningRate: learningRate)
    }
}

extension ProbedBackend: Sendable where Base: Sendable {}
