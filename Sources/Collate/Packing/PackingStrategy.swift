/// How sequences are assigned to fixed-capacity bins.
public enum PackingStrategy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Best-fit decreasing: longest first, each into the fullest bin it still fits
    /// (the default; closest to optimal on SFT length distributions).
    case bfd
    /// First-fit decreasing: longest first, each into the oldest bin it fits.
    case ffd
    /// Input order, a new bin whenever the next sequence does not fit (torchtune `PackedDataset`).
    case greedy
}
