/// Example-level and batch-level transforms in order: the first half of the flow runs over the
/// dataset before sampling, the second over each batch after collation.
///
/// ```
///   examples ──▶ truncate ▶ add-eos ▶ drop-untrainable ──▶ sampler ▶ collator
///                                                                        │
///   model ◀── num-items-in-batch ◀ position-ids ◀ pad-to-multiple ◀───────┘
/// ```
///
/// Build one in code with ``TransformBuilder`` or from JSON with ``TransformRegistry``; its
/// `description` reads like the spec it came from.
public struct TransformPipeline: Sendable, CustomStringConvertible {
    /// The steps in the order they were given.
    public var steps: [Transform]

    /// Creates a pipeline from steps in order.
    public init(_ steps: [Transform] = []) {
        self.steps = steps
    }

    /// Creates a pipeline with the ``TransformBuilder`` DSL.
    public init(@TransformBuilder _ build: () -> [Transform]) {
        self.steps = build()
    }

    /// The example-level steps, in order.
    public var exampleTransforms: [any ExampleTransform] {
        steps.compactMap { if case .example(let transform) = $0 { transform } else { nil } }
    }

    /// The batch-level steps, in order.
    public var batchTransforms: [any BatchTransform] {
        steps.compactMap { if case .batch(let transform) = $0 { transform } else { nil } }
    }

    public var description: String {
        let examples = exampleTransforms.map(\.description)
        let batches = batchTransforms.map(\.description)
        return """
            TransformPipeline
              examples: \(examples.isEmpty ? "(none)" : examples.joined(separator: " -> "))
              batches:  \(batches.isEmpty ? "(none)" : batches.joined(separator: " -> "))
            """
    }

    /// What the example-level steps did to a dataset.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Examples read.
        public var examplesIn = 0
        /// Examples kept.
        public var examplesOut = 0
        /// Examples each step modified, by step name.
        public var modified: [String: Int] = [:]
        /// Examples each step dropped, by step name.
        public var dropped: [String: Int] = [:]

        /// Creates an empty report.
        public init() {}

        public var description: String {
            var parts = ["\(examplesOut) of \(examplesIn) examples kept"]
            for (name, count) in dropped.sorted(by: { $0.key < $1.key }) { parts.append("\(name) dropped \(count)") }
            for (name, count) in modified.sorted(by: { $0.key < $1.key }) { parts.append("\(name) changed \(count)") }
            return parts.joined(separator: "; ")
        }
    }

    /// Runs the example-level steps over a dataset.
    /// - Parameter examples: The dataset.
    /// - Returns: The kept examples, in order; `sourceIndices[i]` is the dataset index of
    ///   `examples[i]` (so errors and exports can name the original line); and the counts.
    /// - Throws: Whatever a step throws, for the first example that fails.
    /// - Complexity: O(*n* × *s*) transform calls for *n* examples and *s* steps.
    public func applyExampleTransforms(_ examples: [Example]) throws -> (examples: [Example], sourceIndices: [Int], report: Report) {
        let transforms = exampleTransforms
        var report = Report()
        report.examplesIn = examples.count
        var kept: [Example] = []
        var sourceIndices: [Int] = []
        kept.reserveCapacity(examples.count)
        sourceIndices.reserveCapacity(examples.count)
        examples: for (index, original) in examples.enumerated() {
            var example = original
            for transform in transforms {
                switch try transform.apply(to: &example, index: index) {
                case .unchanged: break
                case .modified: report.modified[transform.name, default: 0] += 1
                case .dropped:
                    report.dropped[transform.name, default: 0] += 1
                    continue examples
                }
            }
            kept.append(example)
            sourceIndices.append(index)
        }
        report.examplesOut = kept.count
        return (kept, sourceIndices, report)
    }

    /// Runs the batch-level steps over one batch.
    /// - Throws: Whatever a step throws.
    /// - Complexity: the sum of the steps' costs, each O(*B* × *L*) for the built-ins.
    public func applyBatchTransforms(_ batch: Batch) throws -> Batch {
        var batch = batch
        for step in steps {
            if case .batch(let transform) = step { batch = try transform.apply(to: batch) }
        }
        return batch
    }
}
