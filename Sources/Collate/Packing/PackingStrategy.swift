/// How sequences are assigned to fixed-capacity bins.
///
/// `bfd`, `bfd-split` and `wrapped` are TRL 1.16's `pack_dataset` strategies (`bfd`,
/// `bfd_split`, `wrapped`); ``Packer/packRows(_:groupSize:)`` reproduces its rows exactly.
public enum PackingStrategy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Best-fit decreasing: longest first, each into the fullest bin it still fits
    /// (the default; closest to optimal on SFT length distributions). Rows truncate sequences
    /// longer than a bin, as TRL's `bfd` does.
    case bfd
    /// Best-fit decreasing over fragments: a sequence longer than a bin is cut into pieces of
    /// the bin's size (the last one shorter) which are packed like whole sequences (TRL's `bfd_split`).
    case bfdSplit = "bfd-split"
    /// Concatenate everything and cut it into rows of exactly the capacity, ignoring sequence
    /// boundaries (TRL's `wrapped`); the last row is shorter.
    case wrapped
    /// First-fit decreasing: longest first, each into the oldest bin it fits.
    case ffd
    /// Input order, a new bin whenever the next sequence does not fit (torchtune `PackedDataset`).
    case greedy
}
