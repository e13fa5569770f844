/// `packing-without-boundaries`: a flattened or packed batch goes to a backend that cannot
/// honour `position_ids` / `cu_seq_lens_*`, or carries no boundaries at all.
///
/// An encoder-decoder (``BackendContract/ModelKind/seq2seqLM``) never takes a padding-free
/// batch, whatever `acceptsPaddingFree` says: HF's `DataCollatorWithFlattening` and TRL's
/// `padding_free` are for decoder-only models; an encoder-decoder has no `position_ids` input,
/// its encoder would attend across the joined sources and its decoder targets are of their own
/// length, so one flattened row cannot say where each example's target belongs.
public struct PackingWithoutBoundariesRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .packingWithoutBoundaries }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.collator.layout == .paddingFree else { return [] }
        if context.backend.kind == .seq2seqLM { return [.encoderDecoderCannotTakePaddingFree(context.collator)] }
        guard !context.backend.acceptsPaddingFree else { return [] }
        return [.backendCannotTakePaddingFree(context.collator)]
    }

    public func check(batch: Batch, _ context: BatchValidationContext) -> [Diagnostic] {
        let hasBoundaries = batch.contains("position_ids") || batch.contains("cu_seq_lens_q") || batch.contains("seq_idx")
        if context.collator.layout == .paddingFree {
            if !hasBoundaries { return [.batchHasNoBoundaries(context.batchPhrase)] }
            return []
        }
        // A batch packed by a collator or transform whose contract says padded.
        guard !context.backend.acceptsPaddingFree, let positions = batch["position_ids"], positions.rank == 2 else { return [] }
        // The attention mask decides, as for training targets: a left-padded row numbered by
        // HF's rule ([1, 1, 0, 1, 2]) restarts after padding, not after a real sequence.
        let rows = positions.shape[0], width = positions.shape[1]
        let starts = batch.sequenceStarts(rows: rows, width: width)
        for row in 0..<rows where starts[(row * width)..<((row + 1) * width)].contains(true) {
            return [.batchPackedForPaddedBackend(context.batchPhrase, row: row, width: width)]
        }
        return []
    }
}

extension Diagnostic {
    fileprivate static func backendCannotTakePaddingFree(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.packingWithoutBoundaries, message:
            "\(collator.phrase) concatenates each batch's examples into one row with boundaries only in position_ids / cu_seq_lens_*, "
            + "but the backend does not take padding-free batches: every sequence would attend to the ones before it and the loss "
            + "would train across example joins. Fix: use a padded collator (language-modeling, or completion-only without "
            + "padding_free), or a backend that honours boundaries (flash-attention varlen; with transformers also use_cache=False).")
    }

    fileprivate static func encoderDecoderCannotTakePaddingFree(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.packingWithoutBoundaries, message:
            "\(collator.phrase) concatenates each batch's examples into one row with boundaries only in position_ids / cu_seq_lens_*, "
            + "but the backend is \(BackendContract.ModelKind.seq2seqLM.phrase): flattening (HF DataCollatorWithFlattening, TRL "
            + "padding_free) is for decoder-only models. An encoder-decoder takes no position_ids, so its encoder attends across "
            + "the joined sources, and the decoder targets (labels of their own length) cannot be split back per example. "
            + "Fix: use the seq2seq collator (padded rows, labels padded with -100), or --model-kind causal-lm if the model "
            + "is decoder-only (…ForCausalLM).")
    }

    fileprivate static func batchHasNoBoundaries(_ batch: String) -> Diagnostic {
        Diagnostic(.packingWithoutBoundaries, message:
            "\(batch) is padding-free (one concatenated row) but has neither position_ids nor cu_seq_lens_q nor seq_idx: nothing tells "
            + "the model where sequences end, so they attend across each other. Fix: enable return_position_ids (or "
            + "return_flash_attn_kwargs) on the collator.")
    }

    fileprivate static func batchPackedForPaddedBackend(_ batch: String, row: Int, width: Int) -> Diagnostic {
        Diagnostic(.packingWithoutBoundaries, message:
            "\(batch): row \(row) of \(width) positions packs several sequences (position_ids restart at 0) but the backend does not "
            + "take padding-free batches, so the sequences attend across each other. Fix: stop packing for this backend, or use one "
            + "that honours position_ids / cu_seq_lens.")
    }
}
