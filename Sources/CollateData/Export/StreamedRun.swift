import Collate
import CollateTokenizers

/// A pipeline made ready without holding its dataset in memory: the examples sit in an
/// ``ExampleSpool`` on disk, and what the collator receives — the examples, or packed rows,
/// shuffled when the pipeline says so — is read back a batch at a time.
///
/// Made by ``PipelineConfiguration/prepareStreaming(spoolDirectory:collators:transforms:)``.
/// It holds, per example, an offset, a line, a length and a hash (28 bytes), plus the packing plan's
/// member list and the shuffle order (8 bytes per unit each); its units are exactly the
/// ``PipelineRun/units`` that ``PipelineConfiguration/prepare(collators:transforms:)`` makes
/// for the same configuration, in the same order.
///
/// ```swift
/// let run = try configuration.prepareStreaming(spoolDirectory: outputFolder)
/// let summary = try exporter.export(run.source, collator: run.collator, transforms: run.transforms)
/// ```
public struct StreamedRun: Sendable {
    /// The examples after the dataset reader and the example transforms, in file order.
    public var spool: ExampleSpool
    /// The packing plan, when the pipeline packs: unit *u* is the packed row of bin `order[u]`.
    public var plan: PackingPlan?
    /// The seeded shuffle: unit *u* is example (or bin) `order[u]`; `nil` keeps file (or plan) order.
    public var order: [Int]?
    /// The collator; a ``PackedRowsCollator`` around the spec's collator when packing.
    public var collator: any Collator<Batch>
    /// The spec's batch transforms, run over every batch.
    public var transforms: TransformPipeline
    /// What reading the dataset did.
    public var report: DatasetReport
    /// What the example transforms (truncation, the spec's transforms) did.
    public var transformReport: TransformPipeline.Report
    /// The data file.
    public var file: String
    /// The tokenizer the text was tokenized with, when the data was text.
    public var tokenizer: PretrainedTokenizer?
    /// The chat format conversations were rendered with.
    public var chatFormat: ChatFormat?

    /// The number of units (examples, or packed rows).
    public var unitCount: Int { plan?.binCount ?? spool.count }

    /// The spool indices of the examples unit `unit` holds (one, or a packed row's members).
    /// - Precondition: `unit` is in `0..<unitCount`.
    public func members(ofUnit unit: Int) -> [Int] {
        let index = order?[unit] ?? unit
        guard let plan else { return [index] }
        return Array(plan[bin: index])
    }

    /// The real tokens of a unit: its examples' `input_ids` lengths (0 for a packed row whose
    /// members do not all have `input_ids`, as the row then has none).
    public func tokens(ofUnit unit: Int) -> Int {
        var total = 0
        for member in members(ofUnit: unit) {
            let length = spool.lengths[member]
            if length < 0 { return 0 }
            total += Int(length)
        }
        return total
    }

    /// The 1-based file line of a unit (a packed row's first member), or `nil` for an index out of range.
    public func line(ofUnit unit: Int) -> Int? {
        guard unit >= 0, unit < unitCount, let first = members(ofUnit: unit).first else { return nil }
        return spool.lines[first]
    }

    /// Reads units back, in the order given (packed rows are built from their members).
    /// - Throws: ``AtomicFile/WriteError`` when the spool cannot be read.
    public func units(_ indices: [Int]) throws -> [Example] {
        guard plan != nil else { return try spool.examples(indices.map { order?[$0] ?? $0 }) }
        return try indices.map { unit in PipelineConfiguration.packedRow(try spool.examples(members(ofUnit: unit))) }
    }

    /// The run as a shard exporter's source (lines 0-based, as shards record them).
    public var source: ShardExporter.UnitSource {
        var source = ShardExporter.UnitSource(
            count: unitCount, tokens: { tokens(ofUnit: $0) }, line: { (line(ofUnit: $0) ?? 1) - 1 }, units: { try units($0) })
        if plan != nil {
            source.memberLines = { members(ofUnit: $0).map { spool.lines[$0] - 1 } }
        }
        // An unpacked unit is one spooled example: its hash was taken as it was spooled. A
        // packed row is built from its members, so it is read back and hashed.
        if plan == nil {
            let hashes = spool.hashes, order = order
            source.unitHash = { hashes[order?[$0] ?? $0] }
        }
        return source
    }
}
