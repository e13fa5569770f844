import Collate
import Testing

/// ``Packer/packRows(_:groupSize:)`` beyond the TRL goldens: errors, groups, statistics.
@Suite("Packed rows")
struct PackedRowsTests {
    @Test func scalarAndRaggedFieldsAreRefusedAsTRLRefusesThem() {
        let packer = Packer(capacity: 4)
        #expect(throws: PackingError.fieldNotAList("label", example: 1)) {
            try packer.packRows([Example(["input_ids": .sequence([1]), "label": .sequence([1])]), Example(["input_ids": .sequence([2]), "label": .scalar(0)])])
        }
        #expect(throws: PackingError.fieldLengthMismatch("labels", example: 0, length: 1, expected: "input_ids", expectedLength: 2)) {
            try packer.packRows([Example(inputIDs: [1, 2], labels: [1])])
        }
        #expect(throws: PackingError.fieldNotAList("labels", example: 1)) {
            try packer.packRows([Example(inputIDs: [1]), Example(inputIDs: [2], labels: [2])])
        }
        #expect(throws: PackingError.invalidGroupSize(0)) { try packer.packRows([Example(inputIDs: [1])], groupSize: 0) }
        #expect(throws: PackingError.invalidCapacity(0)) { try Packer(capacity: 0).planRows(lengths: [1]) }
    }

    /// Rows that are already packed carry `seq_lengths`; packing them again would print that
    /// key twice in a row (TRL 1.16: `KeyError: 'Field "seq_lengths" exists 2 times in schema'`).
    @Test func anInputSeqLengthsFieldIsRefusedWhereRowsAddTheirOwn() throws {
        let packed = [Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([2, 0])]),
                      Example(["input_ids": .sequence([3]), "seq_lengths": .sequence([1])])]
        for strategy in [PackingStrategy.bfd, .bfdSplit, .ffd, .greedy] {
            #expect(throws: PackingError.reservedField("seq_lengths", example: 0)) {
                try Packer(capacity: 4, strategy: strategy).packRows(packed)
            }
        }
        // `wrapped` adds no `seq_lengths`: the field is packed like any other list (as TRL does).
        let wrapped = try Packer(capacity: 4, strategy: .wrapped).packRows(packed)
        #expect(wrapped.count == 1)
        #expect(wrapped[0].sequence("seq_lengths") == [2, 0, 1])
        #expect(PackingError.reservedField("seq_lengths", example: 0).description.contains("already has a field 'seq_lengths'"))
    }

    @Test func groupsArePackedApartAndWholeSetPackingIsAtLeastAsTight() throws {
        var generator = SeededGenerator(seed: 7)
        let lengths = (0 ..< 2000).map { _ in 1 + Int(generator.next(below: 700)) }
        for strategy in [PackingStrategy.bfd, .bfdSplit, .wrapped] {
            let packer = Packer(capacity: 1024, strategy: strategy)
            let whole = try packer.planRows(lengths: lengths)
            let grouped = try packer.planRows(lengths: lengths, groupSize: 100)
            #expect(whole.tokens == grouped.tokens)
            #expect(whole.rowCount <= grouped.rowCount, "\(strategy)")
            // No segment of a group's row comes from another group.
            for row in 0 ..< grouped.rowCount {
                let groups = Set(grouped.segments(ofRow: row).map { grouped.segmentExamples[$0] / 100 })
                #expect(groups.count == 1)
            }
            #expect((0 ..< whole.rowCount).allSatisfy { row in whole.segments(ofRow: row).reduce(0) { $0 + Int(whole.segmentLengths[$1]) } <= 1024 })
        }
    }

    @Test func bfdTruncatesBfdSplitKeepsEveryToken() throws {
        let examples = [Example(inputIDs: [1, 2, 3, 4, 5, 6, 7]), Example(inputIDs: []), Example(inputIDs: [8])]
        let bfd = try Packer(capacity: 3, strategy: .bfd).packRows(examples)
        #expect(bfd.map(\.inputIDs) == [[1, 2, 3], [8]])
        let split = try Packer(capacity: 3, strategy: .bfdSplit).packRows(examples)
        #expect(split.map(\.inputIDs) == [[1, 2, 3], [4, 5, 6], [7, 8]])
        #expect(split.map { $0.sequence("seq_lengths") ?? [] } == [[3], [3], [1, 1]])
        let plan = try Packer(capacity: 3, strategy: .wrapped).pack(lengths: [7, 1])
        #expect(plan.loads == [3, 3, 2])
    }
}
