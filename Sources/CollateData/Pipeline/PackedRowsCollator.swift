import Collate

/// Collates packed rows (made by ``PipelineConfiguration/packedRows(_:plan:)``): a padding-free
/// collator gets the rows' sequences back, split at `seq_lengths`, so it can keep their
/// boundaries (`position_ids` restart, `cu_seq_lens_*`); a padded collator gets the rows
/// without `seq_lengths`, one row each.
public struct PackedRowsCollator: Collator {
    /// The collator the rows (or their sequences) go to.
    public var base: any Collator<Batch>

    /// Wraps a collator.
    public init(base: any Collator<Batch>) {
        self.base = base
    }

    /// The base collator's contract, reading `seq_lengths` too.
    public var contract: CollatorContract {
        var contract = base.contract
        if !contract.optionalFields.contains("seq_lengths") { contract.optionalFields.append("seq_lengths") }
        return contract
    }

    /// Splits or strips the rows and collates them with ``base``.
    /// - Throws: ``CollateError`` from the base collator, or when a row's `seq_lengths` do not add up.
    public func collate(_ rows: [Example]) throws(CollateError) -> Batch {
        if case .paddingFree = base.contract.layout {
            // TRL's SFT collator reads `seq_lengths` itself (as after `pack_dataset`): the rows go
            // to it whole, the batch it makes is the one of their sequences, without cutting and
            // rejoining every token.
            if let sft = base as? SFTCollator, sft.paddingFree, rows.allSatisfy(Self.isWellFormed) {
                return try sft.collate(rows)
            }
            var sequences: [Example] = []
            for (index, row) in rows.enumerated() { sequences += try Self.split(row, index: index) }
            return try base.collate(sequences)
        }
        return try base.collate(rows.map { row in
            var stripped = row
            stripped["seq_lengths"] = nil
            return stripped
        })
    }

    /// Whether a row is what ``PipelineConfiguration/packedRows(_:plan:)`` makes: `seq_lengths`
    /// positive and summing to the `input_ids` length, `labels` (when present) as long. Only then
    /// do the row and its ``split(_:index:)`` sequences make the same padding-free batch.
    static func isWellFormed(_ row: Example) -> Bool {
        guard let lengths = row.sequence("seq_lengths"), !lengths.isEmpty else { return false }
        let total = row.inputIDs.count
        var sum = 0
        for length in lengths {
            guard length > 0 else { return false }
            sum += Int(length)
        }
        guard sum == total else { return false }
        guard let labels = row["labels"] else { return true }
        guard case .sequence(let tokens) = labels else { return false }
        return tokens.count == total
    }

    /// The sequences a packed row holds: every field as long as the row cut at `seq_lengths`.
    /// - Throws: ``CollateError/lengthMismatch(_:example:length:expected:expectedLength:)`` when
    ///   `seq_lengths` is not positive or does not sum to the row length.
    public static func split(_ row: Example, index: Int) throws(CollateError) -> [Example] {
        guard let lengths = row.sequence("seq_lengths") else { return [row] }
        let total = row.inputIDs.count
        guard lengths.allSatisfy({ $0 > 0 }), lengths.reduce(0, { $0 + Int($1) }) == total else {
            throw .lengthMismatch("seq_lengths", example: index, length: lengths.reduce(0) { $0 + Int($1) }, expected: "input_ids", expectedLength: total)
        }
        var pieces: [Example] = []
        var start = 0
        for length in lengths.map(Int.init) {
            var piece = Example([:])
            for (name, value) in zip(row.names, row.values) where name != "seq_lengths" {
                if case .sequence(let tokens) = value, tokens.count == total {
                    piece[name] = .sequence(Array(tokens[start..<start + length]))
                }
            }
            pieces.append(piece)
            start += length
        }
        return pieces
    }
}
