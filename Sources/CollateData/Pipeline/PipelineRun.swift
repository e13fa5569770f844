import Collate
import CollateTokenizers

/// A pipeline made ready: the examples read from the dataset (with their lines), the units the
/// collator receives in batch order (the examples, or packed rows), and the collator.
///
/// Made by ``PipelineConfiguration/prepare()``. ``batches()`` collates every batch;
/// ``batch(_:)`` one of them.
public struct PipelineRun: Sendable {
    /// Every example after the dataset reader and truncation, in file order.
    public var examples: [Example]
    /// The 1-based file line of each of ``examples``.
    public var lines: [Int]
    /// What the collator receives, in batch order: the examples (shuffled when the pipeline
    /// says so), or packed rows — every list field of a bin's examples concatenated in bin
    /// order, plus `seq_lengths`.
    public var units: [Example]
    /// For each unit, the indices in ``examples`` it holds (one, or a packed row's members).
    public var unitSources: [[Int]]
    /// Consecutive ranges of ``units``, one per batch.
    public var batchRanges: [Range<Int>]
    /// The collator; a ``PackedRowsCollator`` around the spec's collator when packing.
    public var collator: any Collator<Batch>
    /// The spec's `"transforms"` (its batch transforms run over every batch).
    public var transforms: TransformPipeline
    /// The packing plan, when the pipeline packs.
    public var plan: PackingPlan?
    /// What reading the dataset did (examples, skipped lines), and what truncation changed or dropped.
    public var report: DatasetReport
    /// What the example transforms (truncation, the spec's transforms) did.
    public var transformReport: TransformPipeline.Report
    /// The data file.
    public var file: String
    /// The tokenizer the text was tokenized with, when the data was text.
    public var tokenizer: PretrainedTokenizer?
    /// The chat format conversations were rendered with (its markers are what
    /// `template-tokens-missing` checks against the tokenizer).
    public var chatFormat: ChatFormat?

    /// Creates a run from its parts (``PipelineConfiguration/prepare()`` is the usual way).
    public init(
        examples: [Example], lines: [Int], units: [Example], unitSources: [[Int]], batchRanges: [Range<Int>],
        collator: any Collator<Batch>, transforms: TransformPipeline = TransformPipeline(), plan: PackingPlan? = nil,
        report: DatasetReport = DatasetReport(), transformReport: TransformPipeline.Report = .init(), file: String
    ) {
        self.examples = examples
        self.lines = lines
        self.units = units
        self.unitSources = unitSources
        self.batchRanges = batchRanges
        self.collator = collator
        self.transforms = transforms
        self.plan = plan
        self.report = report
        self.transformReport = transformReport
        self.file = file
    }

    /// Collates batch `index` and runs the batch transforms over it.
    /// - Throws: ``InputError`` naming the data file and the line of the example at fault.
    public func batch(_ index: Int) throws -> Batch {
        let range = batchRanges[index]
        do {
            let batch = try collator.collate(Array(units[range]))
            try batch.checkStructure(contract: collator.contract, exampleCount: range.count)   // a third-party collator's bug, named
            return try transforms.applyBatchTransforms(batch)
        } catch let error as CollateError {
            throw locate(error, offset: range.lowerBound)
        }
    }

    /// Collates every batch, in order.
    /// - Throws: ``InputError`` naming the data file and line, for the first batch that fails.
    public func batches() throws -> [Batch] {
        try batchRanges.indices.map(batch)
    }

    /// The file line of a unit (a packed row's first member).
    public func line(ofUnit unit: Int) -> Int? {
        guard unit >= 0, unit < unitSources.count, let first = unitSources[unit].first else { return nil }
        return lines[first]
    }

    /// A collation error in the batch starting at unit `offset`, as an error naming the file and line.
    public func locate(_ error: CollateError, offset: Int) -> InputError {
        let global = error.offsettingExample(by: offset)
        // A packed row's index names a row; a padding-free collator's names a sequence of the batch.
        let unitLine: Int? = plan == nil ? global.exampleIndex.flatMap { self.line(ofUnit: $0) } : nil
        return InputError(file: file, line: unitLine, reason: global.description)
    }
}
