/// Packed rows: every list field of the examples concatenated row by row, plus `seq_lengths`,
/// as TRL 1.16's `pack_dataset` returns them.
///
/// Made by ``Packer/packRows(_:groupSize:)``. The rows are built on access from the plan and
/// the examples (no copy of the tokens is held), as ``Example`` values or straight into JSON.
public struct PackedRows: Sendable, Hashable, RandomAccessCollection {
    /// Which tokens of which example fill each row.
    public let plan: PackedRowPlan
    /// The examples the rows are cut from.
    public let examples: [Example]
    /// The list fields carried into every row, in the first example's order.
    public let fieldNames: [String]

    /// Creates rows from a plan over `examples` (whose fields `fieldNames` are all sequences).
    public init(plan: PackedRowPlan, examples: [Example], fieldNames: [String]) {
        self.plan = plan
        self.examples = examples
        self.fieldNames = fieldNames
    }

    /// The index of the first row.
    public var startIndex: Int { 0 }
    /// One past the last row.
    public var endIndex: Int { plan.rowCount }

    /// Row `index`: each field's segments concatenated, then `seq_lengths` (not for `wrapped`).
    /// - Complexity: O(*L*) in the row's length times the number of fields.
    public subscript(index: Int) -> Example {
        let segments = plan.segments(ofRow: index)
        var fields: [(String, Example.Value)] = []
        for field in fieldNames {
            var values: [Int32] = []
            for segment in segments {
                guard let source = examples[Int(plan.segmentExamples[segment])].sequence(field) else { continue }
                let start = Int(plan.segmentStarts[segment])
                values += source[start ..< start + Int(plan.segmentLengths[segment])]
            }
            fields.append((field, .sequence(values)))
        }
        if plan.hasSequenceLengths {
            fields.append(("seq_lengths", .sequence(Array(plan.segmentLengths[segments]))))
        }
        var row = Example([:])
        for (name, value) in fields { row[name] = value }
        return row
    }

    /// Appends row `index` as one compact JSON object (`{"input_ids": [...], ..., "seq_lengths": [...]}`),
    /// in the layout every `collate` command prints, without building the row first.
    /// - Complexity: O(*L*) in the row's length times the number of fields.
    public func writeJSON(row index: Int, into out: inout [UInt8]) {
        let segments = plan.segments(ofRow: index)
        out.append(UInt8(ascii: "{"))
        for (position, field) in fieldNames.enumerated() {
            if position > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            JSONWriter.appendKey(field, into: &out)
            out.append(UInt8(ascii: "["))
            var first = true
            for segment in segments {
                let example = examples[Int(plan.segmentExamples[segment])]
                guard let fieldIndex = example.names.firstIndex(of: field), case .sequence(let source) = example.values[fieldIndex] else { continue }
                let start = Int(plan.segmentStarts[segment])
                source.withUnsafeBufferPointer { buffer in
                    JSONWriter.appendIntegers(UnsafeBufferPointer(rebasing: buffer[start ..< start + Int(plan.segmentLengths[segment])]), first: &first, into: &out)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
        if plan.hasSequenceLengths {
            if !fieldNames.isEmpty { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            JSONWriter.appendKey("seq_lengths", into: &out)
            out.append(UInt8(ascii: "["))
            var first = true
            plan.segmentLengths.withUnsafeBufferPointer { buffer in
                JSONWriter.appendIntegers(UnsafeBufferPointer(rebasing: buffer[segments]), first: &first, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }
}
