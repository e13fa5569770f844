extension Batch {
    /// Whether the batch is padding-free: several sequences share a row, marked by
    /// `cu_seq_lens_q`, `seq_idx` or `position_ids` restarting at 0 after a real token.
    /// - Complexity: O(*B* × *L*).
    public var isPaddingFree: Bool {
        if contains("cu_seq_lens_q") || contains("cu_seq_lens_k") || contains("seq_idx") { return true }
        guard let inputs = self["input_ids"], inputs.rank == 2 else { return false }
        return sequenceStarts(rows: inputs.shape[0], width: inputs.shape[1]).contains(true)
    }
}
