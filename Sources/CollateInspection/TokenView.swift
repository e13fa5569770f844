import Collate

/// How a token position takes part in training.
public enum TokenRole: String, Sendable, Hashable, CaseIterable {
    /// Its label is a real id: the loss trains it.
    case trained
    /// Its label is the ignore index (a masked prompt, a template, or no labels at all).
    case masked
    /// A padding position (attention mask 0).
    case padding
}

/// A batch seen token by token: for each sequence, every position's id, label and role.
///
/// Padded batches give one sequence per row; padding-free batches (one row holding several
/// sequences) are split where `position_ids` restart or at `cu_seq_lens_q` offsets, so each
/// example reads on its own.
public struct TokenView: Sendable, Hashable {
    /// One position of one sequence.
    public struct Token: Sendable, Hashable {
        /// The `input_ids` value.
        public var id: Int32
        /// The `labels` value at the same position, or `nil` when the batch has no aligned labels.
        public var label: Int32?
        /// How the position takes part in training.
        public var role: TokenRole
    }

    /// One example's tokens, with the batch row it sits in.
    public struct Sequence: Sendable, Hashable {
        /// The row of `input_ids` holding it.
        public var row: Int
        /// Its positions, padding included.
        public var tokens: [Token]
        /// The row's trained targets, in order, when the batch's `labels` have a length of their
        /// own (not aligned with `input_ids`: an encoder-decoder's decoder targets, a span-corruption
        /// collator's generated targets), the ignore index left out; `nil` when the labels are
        /// aligned or absent. Only the first sequence of a row carries them.
        public var targets: [Int32]? = nil

        /// The positions the loss trains: the ``targets`` when there are some, else the tokens
        /// whose role is ``TokenRole/trained``.
        public var trainedCount: Int { targets?.count ?? tokens.count { $0.role == .trained } }
    }

    /// A maximal run of consecutive tokens with the same role.
    public struct Run: Sendable, Hashable {
        /// The role every token of the run has.
        public var role: TokenRole
        /// The tokens, in order.
        public var tokens: ArraySlice<Token>
    }

    /// The sequences in batch order.
    public var sequences: [Sequence]

    /// Classifies every position of `batch`.
    /// - Complexity: O(*B* × *L*).
    public init(batch: Batch, ignoreIndex: Int32 = Collate.ignoreIndex) {
        sequences = []
        guard let inputs = batch["input_ids"], inputs.rank == 2 else { return }
        let rows = inputs.shape[0], width = inputs.shape[1]
        let labels = batch["labels"].flatMap { $0.shape == inputs.shape ? $0.scalars : nil }
        let mask = batch["attention_mask"].flatMap { $0.shape == inputs.shape ? $0.scalars : nil }
        // Labels of their own length, one row per example: each row's trained targets.
        let targets: [[Int32]]? = batch["labels"].flatMap { labels in
            guard labels.shape != inputs.shape, labels.rank == 2, labels.shape[0] == rows else { return nil }
            let length = labels.shape[1]
            return (0..<rows).map { row in labels.scalars[row * length..<(row + 1) * length].filter { $0 != ignoreIndex } }
        }
        let starts = batch.sequenceStarts(rows: rows, width: width)
        for row in 0..<rows {
            var current = Sequence(row: row, tokens: [], targets: targets?[row])
            for column in 0..<width {
                let index = row * width + column
                if starts[index], !current.tokens.isEmpty {
                    sequences.append(current)
                    current = Sequence(row: row, tokens: [])
                }
                let label = labels?[index]
                let role: TokenRole =
                    if let mask, mask[index] == 0 { .padding }
                    else if let label, label != ignoreIndex { .trained }
                    else { .masked }
                current.tokens.append(Token(id: inputs.scalars[index], label: label, role: role))
            }
            sequences.append(current)
        }
    }
}

extension TokenView.Sequence {
    /// The sequence split into runs of equal role, in order.
    public var runs: [TokenView.Run] {
        var runs: [TokenView.Run] = []
        var start = tokens.startIndex
        for index in tokens.indices.dropFirst() where tokens[index].role != tokens[start].role {
            runs.append(TokenView.Run(role: tokens[start].role, tokens: tokens[start..<index]))
            start = index
        }
        if start < tokens.endIndex { runs.append(TokenView.Run(role: tokens[start].role, tokens: tokens[start...])) }
        return runs
    }
}
