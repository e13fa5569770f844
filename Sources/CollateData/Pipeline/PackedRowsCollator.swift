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
