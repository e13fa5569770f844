extension FlatteningCollator {
    /// The collator for packed bins: every boundary field on (`position_ids`, `seq_idx`,
    /// `cu_seq_lens_q/k`, `max_length_q/k`), the first label of each sequence the ignore index.
    ///
    /// The same field names and dtypes as `DataCollatorWithFlattening(return_flash_attn_kwargs=True,
    /// return_seq_idx=True)`: int64 ids, labels and positions; int32 `cu_seq_lens_*` and `seq_idx`.
    public static let packed = FlatteningCollator(returnPositionIDs: true, returnFlashAttentionKwargs: true, returnSequenceIndex: true)
}
