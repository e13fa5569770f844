/// A collator whose batches are random (seeded) and can be built for an explicit step of its
/// random stream, so a resumed run reproduces the batches of an uninterrupted one.
///
/// ``MaskedLanguageModelingCollator`` counts its calls to pick the masks of each batch; a run
/// that restarts (a resumed ``ShardExporter`` export, say) has a fresh count. Writers that know
/// each batch's position call ``collate(_:step:)`` with it instead, so batch *n* gets the masks
/// of step *n* however many batches this process built before.
public protocol StepSeededCollator<Output>: Collator {
    /// Builds the batch of stream position `step`: the same examples, seed and step always give
    /// the same batch.
    /// - Throws: ``CollateError``, as ``Collator/collate(_:)``.
    func collate(_ examples: [Example], step: UInt64) throws(CollateError) -> Output
}

extension MaskedLanguageModelingCollator: StepSeededCollator {}
