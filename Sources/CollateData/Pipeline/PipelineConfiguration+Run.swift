import Collate
import CollateTokenizers
import Foundation

extension BadLinePolicy: CaseIterable {
    /// Both policies, for messages that list them.
    public static var allCases: [BadLinePolicy] { [.reject, .skip] }
}

extension PipelineConfiguration {
    // MARK: - The pieces

    /// The model folder named by `model.path`, read; `nil` when there is none.
    /// - Throws: ``ModelFolderError``.
    public func modelFolder() throws -> ModelFolder? {
        guard let path = model?.path else { return nil }
        return try ModelFolder(contentsOf: path)
    }

    /// The tokenizer: `tokenizer`, else the model folder's tokenizer.json; `nil` when neither exists.
    /// - Parameter folder: The model folder, when already read.
    /// - Throws: ``InputError`` naming the tokenizer file.
    public func loadTokenizer(folder: ModelFolder? = nil) throws -> PretrainedTokenizer? {
        guard let url = tokenizer ?? folder?.tokenizerFile.map({ $0.deletingLastPathComponent() }) else { return nil }
        do {
            return try PretrainedTokenizer(contentsOf: url)
        } catch {
            throw InputError(file: url.path, line: nil, reason: "\(error)")
        }
    }

    /// The chat format a template reference names: the one place a `chat_template` value (or
    /// `--template`) becomes a ``ChatFormat``.
    ///
    /// - A built-in name (`chatml`, `mistral-inst`, ...): that format.
    /// - A path to a model folder, a `tokenizer_config.json` (its `chat_template`: a string or a
    ///   list of `{"name", "template"}`) or a `.jinja` file: the model's own Jinja template
    ///   (``ChatTemplate/load(from:)``), rendered by Collate's interpreter as transformers renders
    ///   it, with assistant masks by the generation-span rule.
    /// - No reference: the model folder's own template, when it has one.
    ///
    /// Special tokens a template uses (`bos_token`, `eos_token`, ...) come from the
    /// `tokenizer_config.json` beside the template; those it does not name, from the one beside
    /// ``tokenizer`` and then from the model folder.
    /// - Parameters:
    ///   - reference: The `chat_template` value; `nil` takes the model folder's template.
    ///   - folder: The model folder, for its template and special tokens.
    /// - Returns: The format, or `nil` when neither names a template.
    /// - Throws: ``PipelineFileError/invalidValue(file:path:value:reason:)`` naming `chat_template`
    ///   for an unknown name or a template that cannot be loaded.
    public func chatFormat(reference: String?, folder: ModelFolder?) throws -> ChatFormat? {
        let names = ChatFormat.builtInNames.joined(separator: ", ")
        let source = file ?? "command line"
        if let reference {
            if let format = try? ChatFormat.named(reference) { return format }
            guard Self.looksLikePath(reference) || FileManager.default.fileExists(atPath: reference) else {
                let reason = "unknown chat format; built-in formats: \(names), or a path to a model folder, a tokenizer_config.json or a .jinja file"
                    + (PipelineFileError.closest(to: reference, in: ChatFormat.builtInNames).map { " (did you mean \"\($0)\"?)" } ?? "")
                throw PipelineFileError.invalidValue(file: source, path: "chat_template", value: "\"\(reference)\"", reason: reason)
            }
            return ChatFormat(template: try loadTemplate(URL(fileURLWithPath: reference), folder: folder, value: "\"\(reference)\""))
        }
        guard let folder, folder.chatTemplate != nil else { return nil }
        return ChatFormat(template: try loadTemplate(folder.url, folder: folder, value: "(the chat template of \(folder.url.path))"))
    }

    /// A Jinja template loaded from `url`, with the special tokens its own folder does not name
    /// taken from the tokenizer's `tokenizer_config.json`, then from the model folder.
    private func loadTemplate(_ url: URL, folder: ModelFolder?, value: String) throws -> ChatTemplate {
        do {
            var template = try ChatTemplate.load(from: url)
            var extra: [String: String] = [:]
            if let tokenizer {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: tokenizer.path, isDirectory: &isDirectory)
                let config = (isDirectory.boolValue ? tokenizer : tokenizer.deletingLastPathComponent()).appendingPathComponent("tokenizer_config.json")
                if let data = FileManager.default.contents(atPath: config.path),
                   case .object(let object)? = try? JSONParser.parse(String(decoding: data, as: UTF8.self)) {
                    extra = try ChatTemplate.specialTokens(in: object, path: config.path)
                }
            }
            for (name, token) in folder?.specialTokens ?? [:] where extra[name] == nil { extra[name] = token }
            for (name, token) in extra where template.specialTokens[name] == nil { template.specialTokens[name] = token }
            return template
        } catch {
            throw PipelineFileError.invalidValue(file: file ?? "command line", path: "chat_template", value: value, reason: "\(error)")
        }
    }

    /// The collator of the `collator` spec (or of ``collatorFile``), and the transforms the spec carries.
    /// - Parameters:
    ///   - collators: The registry that knows the collator types (a test's own instance, say).
    ///   - transforms: The registry that knows the transform types.
    /// - Throws: ``PipelineFileError`` when there is no spec or the inline spec is wrong; ``InputError``
    ///   naming the spec file when the file is, or ``collatorSource`` when that is set; all carry
    ///   the registry's message naming the key.
    public func makeCollator(
        collators: CollatorRegistry = .current, transforms: TransformRegistry = .current
    ) throws -> (collator: any Collator<Batch>, transforms: TransformPipeline) {
        if collator == nil, let url = collatorFile {
            // Bytes, not a String: the registry's strict parser names invalid UTF-8 and the byte offset.
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw InputError(file: url.path, line: nil, reason: "cannot read the spec file; check the path")
            }
            var bytes = [UInt8](data)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            do {
                guard let value = try? bytes.withUnsafeBufferPointer({ (buffer) throws(JSONSyntaxError) in try JSONParser.parse(buffer) }) else {
                    return (try collators.makeCollator(fromJSON: bytes), TransformPipeline())  // throws the registry's message
                }
                return try Self.collator(from: value, collators: collators, transforms: transforms)
            } catch {
                throw InputError(file: url.path, line: nil, reason: "\(error)")
            }
        }
        guard let spec = collator else {
            throw PipelineFileError.missingKey(file: file ?? "command line", path: "collator",
                                           reason: "name the collator, e.g. \"collator\": {\"type\": \"seq2seq\", \"pad_token_id\": 0} (or --spec SPEC.json)")
        }
        do {
            return try Self.collator(from: spec, collators: collators, transforms: transforms)
        } catch {
            if let collatorSource { throw InputError(file: collatorSource, line: nil, reason: "\(error)") }
            throw PipelineFileError.invalidValue(file: file ?? "command line", path: "collator", value: spec.preview(), reason: "\(error)")
        }
    }

    /// A collator and its transforms from a spec that may carry `"transforms"`.
    static func collator(
        from spec: JSONValue, collators: CollatorRegistry = .current, transforms registry: TransformRegistry = .current
    ) throws -> (collator: any Collator<Batch>, transforms: TransformPipeline) {
        var spec = spec
        var transforms = TransformPipeline()
        if case .object(var object) = spec, object["transforms"] != nil {
            transforms = try registry.makePipeline(from: spec)
            object["transforms"] = nil
            spec = .object(object)
        }
        return (try collators.makeCollator(from: spec), transforms)
    }

    /// The assistant masking ``trainOn`` asks for.
    public var masking: AssistantMasking {
        AssistantMasking(turns: trainOn == .lastAssistant ? .last : .all)
    }

    /// Reads the dataset into examples with their lines, as `data`, the tokenizer, the chat
    /// template and ``trainOn`` say (``TrainOn/all`` sets `labels` = `input_ids`).
    /// - Parameters:
    ///   - tokenizer: The tokenizer for text formats.
    ///   - chatFormat: The chat format for messages (and Alpaca).
    /// - Throws: ``InputError`` naming the file and line; ``PipelineFileError`` when there is no data path.
    public func readExamples(tokenizer: (any Tokenizer)?, chatFormat: ChatFormat?) throws -> (records: [DatasetReader.Record], report: DatasetReport) {
        var records: [DatasetReader.Record] = []
        let report = try forEachRecord(tokenizer: tokenizer, chatFormat: chatFormat) { records.append($0) }
        return (records, report)
    }

    /// Reads every record and runs `transforms` on its example with the steps, counts and indices
    /// of `TransformPipeline.applyExampleTransforms`, one example at a time; `body` gets each
    /// example that is kept, with its file line.
    func forEachTransformedExample(
        _ transforms: [any ExampleTransform], tokenizer: (any Tokenizer)?, chatFormat: ChatFormat?,
        report transformReport: inout TransformPipeline.Report, _ body: (Example, Int) throws -> Void
    ) throws -> DatasetReport {
        try forEachRecord(tokenizer: tokenizer, chatFormat: chatFormat) { record in
            let index = transformReport.examplesIn
            transformReport.examplesIn += 1
            var example = record.example
            for transform in transforms {
                switch try transform.apply(to: &example, index: index) {
                case .unchanged: break
                case .modified: transformReport.modified[transform.name, default: 0] += 1
                case .dropped:
                    transformReport.dropped[transform.name, default: 0] += 1
                    return
                }
            }
            transformReport.examplesOut += 1
            try body(example, record.line)
        }
    }

    /// Streams the dataset's examples with their lines, in file order, as ``readExamples(tokenizer:chatFormat:)``
    /// reads them (labels set for ``TrainOn/all``), holding one line in memory at a time.
    /// - Parameters:
    ///   - tokenizer: The tokenizer for text formats.
    ///   - chatFormat: The chat format for messages (and Alpaca).
    ///   - body: Called with each record.
    /// - Returns: What reading did (examples, skipped lines).
    /// - Throws: ``InputError`` naming the file and line; ``PipelineFileError`` when there is no
    ///   data path; whatever `body` throws.
    @discardableResult
    public func forEachRecord(tokenizer: (any Tokenizer)?, chatFormat: ChatFormat?, _ body: (DatasetReader.Record) throws -> Void) throws -> DatasetReport {
        guard let path = data.path else {
            throw PipelineFileError.missingKey(file: file ?? "command line", path: "data.path", reason: "name the dataset, e.g. \"data\": {\"path\": \"train.jsonl\"} (or --input PATH)")
        }
        let labelAll = trainOn == .all
        func deliver(_ record: DatasetReader.Record) throws {
            var record = record
            if labelAll { record.example["labels"] = .sequence(record.example.inputIDs) }
            try body(record)
        }
        var report = DatasetReport()
        if data.badLines == .reject, data.format == .tokenized || (data.format == nil && Self.firstLineLooksTokenized(path, undetectable: tokenizer == nil)) {
            // Pre-tokenized lines: the example file's strict reader and its messages.
            let file = path.path   // once: URL.path costs microseconds, a tenth of a line's parse
            try JSONLinesReader(url: path).forEachLine { line, bytes in
                try deliver(DatasetReader.Record(line: line, example: try ExampleFile.decode(bytes, file: file, line: line)))
                report.examples += 1
            }
        } else {
            let reader = DatasetReader(url: path, format: data.format, tokenizer: tokenizer, chatFormat: chatFormat, masking: masking, badLines: data.badLines)
            do {
                report = try reader.forEach(deliver)
            } catch var error as InputError where chatFormat == nil && error.reason.contains("needs a chat format") {
                let folder = try? modelFolder()
                if let folder, folder.chatTemplate != nil {
                    error.reason += "; the model folder's Jinja chat template is not rendered by this build: set chat_template (or --template) to the built-in format that matches it: "
                        + ChatFormat.builtInNames.joined(separator: ", ")
                }
                throw error
            }
        }
        return report
    }

    /// Whether the first non-blank line is pre-tokenized (so a bad line gets the example
    /// reader's message); `undetectable` answers for a line whose keys name no format.
    static func firstLineLooksTokenized(_ url: URL, undetectable: Bool) -> Bool {
        struct Stop: Error {}
        var tokenized = true
        do {
            try JSONLinesReader(url: url).forEachLine { _, bytes in
                if case .object(let object)? = try? JSONParser.parse(bytes) {
                    tokenized = DatasetFormat.detect(object).map { $0 == .tokenized } ?? undetectable
                }
                throw Stop()
            }
        } catch {}
        return tokenized
    }

    /// The example transforms ``maxLength`` and ``truncation`` ask for.
    public var truncationTransforms: [Transform] {
        guard let maxLength else { return [] }
        switch truncation ?? .right {
        case .right: return [.example(Truncate(maxLength: maxLength, side: .keepStart))]
        case .left: return [.example(Truncate(maxLength: maxLength, side: .keepEnd))]
        case .drop: return [.example(_DropLonger(maxLength: maxLength))]
        }
    }

    // MARK: - The run

    /// Turns the configuration into a run: reads the dataset (tokenizing and chat-rendering it
    /// when it is text), truncates, packs (best-fit decreasing into `max_tokens` rows) when
    /// `packing` is set, orders (seeded shuffle when `shuffle`), and cuts batches of
    /// `batch_size` units for the collator.
    /// - Parameters:
    ///   - collators: The registry that knows the collator types (the task's current one by default).
    ///   - transforms: The registry that knows the transform types.
    /// - Returns: The run; ``PipelineRun/batches()`` collates it.
    /// - Throws: ``PipelineFileError`` for a missing or wrong key, ``ModelFolderError``,
    ///   ``InputError`` naming the data file and line (a bad line, an example too long to pack,
    ///   a dataset left empty).
    public func prepare(collators: CollatorRegistry = .current, transforms transformRegistry: TransformRegistry = .current) throws -> PipelineRun {
        let folder = try modelFolder()
        let tokenizer = try loadTokenizer(folder: folder)
        let format = try chatFormat(reference: chatTemplate, folder: chatTemplate == nil && needsChatFormat ? folder : nil)
        let (collator, specTransforms) = try makeCollator(collators: collators, transforms: transformRegistry)
        let dataPath = data.path?.path ?? "data"
        // Each example is transformed (truncated) as it arrives, on this thread while the
        // reader's workers tokenize the next block: no second pass over the dataset after reading.
        let exampleTransforms = TransformPipeline(truncationTransforms + specTransforms.steps).exampleTransforms
        var examples: [Example] = []
        var lines: [Int] = []
        var lengths: [Int] = []
        var transformReport = TransformPipeline.Report()
        let report = try forEachTransformedExample(exampleTransforms, tokenizer: tokenizer, chatFormat: format, report: &transformReport) { example, line in
            lengths.append(example.inputIDs.count)
            examples.append(example)
            lines.append(line)
        }
        guard !examples.isEmpty else {
            let why = transformReport.examplesIn == 0 ? "the file holds no examples" : "every example was dropped (\(transformReport))"
            throw InputError(file: dataPath, line: nil, reason: why)
        }

        var units = examples
        var sources: [[Int]]
        var plan: PackingPlan?
        var runCollator: any Collator<Batch> = collator
        if let packing {
            let packer = Packer(capacity: packing.maxTokens, strategy: packing.strategy)
            do {
                plan = try packer.pack(lengths: lengths)
            } catch {
                let line = error.exampleIndex.map { lines[$0] }
                let hint = maxLength == nil ? "; set max_length (truncation) to at most packing.max_tokens" : ""
                throw InputError(file: dataPath, line: line, reason: "\(error)\(hint)")
            }
            sources = plan?.bins ?? []
            if let plan { units = Self.packedRows(examples, plan: plan) }
            runCollator = PackedRowsCollator(base: collator)
        } else {
            sources = examples.indices.map { [$0] }
        }
        if shuffle, units.count > 1 {
            let order = try ShuffleSampler(count: units.count, batchSize: 1, seed: seed).batches(epoch: 0).flatMap { $0 }
            units = order.map { units[$0] }
            sources = order.map { sources[$0] }
        }
        let size = batchSize ?? units.count
        let ranges = stride(from: 0, to: units.count, by: size).map { $0..<min($0 + size, units.count) }
        var run = PipelineRun(
            examples: examples, lines: lines, units: units, unitSources: sources, batchRanges: ranges, collator: runCollator,
            transforms: TransformPipeline(specTransforms.steps.filter { if case .batch = $0 { true } else { false } }),
            plan: plan, report: report, transformReport: transformReport, file: dataPath)
        run.tokenizer = tokenizer
        run.chatFormat = format
        return run
    }

    /// Whether the data may need a chat format (messages or Alpaca lines, or an undeclared format).
    var needsChatFormat: Bool {
        data.format == nil || data.format == .messages
    }

    /// Packed rows, one per bin in plan order: every list field the bin's examples all hold,
    /// concatenated in bin order, plus `seq_lengths` (the members' `input_ids` lengths) — the
    /// row TRL 1.16's `pack_dataset(..., strategy="bfd")` makes.
    /// - Parameters:
    ///   - examples: The examples the plan indexes.
    ///   - plan: The packing plan.
    /// - Returns: One example per bin.
    /// - Complexity: O(total tokens).
    public static func packedRows(_ examples: [Example], plan: PackingPlan) -> [Example] {
        let bins = plan.bins
        guard bins.count > 1 else { return bins.map { members in packedRow(members.map { examples[$0] }) } }
        // Rows are independent: built on every core, each into its own slot.
        var rows = [Example](repeating: Example([:]), count: bins.count)
        rows.withUnsafeMutableBufferPointer { buffer in
            let base = _RowsPointer(buffer.baseAddress)
            let chunks = min(bins.count, ProcessInfo.processInfo.activeProcessorCount * 4)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for bin in (bins.count * chunk / chunks)..<(bins.count * (chunk + 1) / chunks) {
                    base.pointer?[bin] = packedRow(bins[bin].map { examples[$0] })
                }
            }
        }
        return rows
    }

    /// One packed row: every list field the members all hold, concatenated in order, plus
    /// `seq_lengths` (the members' `input_ids` lengths); an empty example for no members.
    /// - Complexity: O(the members' tokens).
    public static func packedRow(_ members: [Example]) -> Example {
        guard let first = members.first else { return Example([:]) }
        var row = Example([:])
        for name in first.names {
            guard members.allSatisfy({ $0.sequence(name) != nil }) else { continue }
            var joined: [Int32] = []
            joined.reserveCapacity(members.reduce(0) { $0 + ($1.sequence(name)?.count ?? 0) })
            for member in members { joined += member.sequence(name) ?? [] }
            row[name] = .sequence(joined)
        }
        row["seq_lengths"] = .sequence(members.map { Int32($0.inputIDs.count) })
        return row
    }
}

/// Drops an example whose `input_ids` are longer than `maxLength` (`"truncation": "drop"`).
struct _DropLonger: ExampleTransform {
    var maxLength: Int
    var name: String { "drop-longer" }
    var description: String { "drop-longer(max_length: \(maxLength))" }

    func apply(to example: inout Example, index: Int) -> ExampleTransformOutcome {
        example.inputIDs.count > maxLength ? .dropped : .unchanged
    }
}

extension PipelineConfiguration {
    /// The dataset's examples after truncation, without a collator (what `collate pack` needs).
    /// - Returns: The examples, the 1-based file line of each, and the reader's report.
    /// - Throws: as ``prepare()``.
    public func prepareExamples() throws -> (examples: [Example], lines: [Int], report: DatasetReport) {
        let folder = try modelFolder()
        let tokenizer = try loadTokenizer(folder: folder)
        let format = try chatFormat(reference: chatTemplate, folder: chatTemplate == nil && needsChatFormat ? folder : nil)
        let (records, report) = try readExamples(tokenizer: tokenizer, chatFormat: format)
        let prepared = try TransformPipeline(truncationTransforms).applyExampleTransforms(records.map(\.example))
        guard !prepared.examples.isEmpty else {
            throw InputError(file: data.path?.path ?? "data", line: nil, reason: records.isEmpty ? "the file holds no examples" : "every example was dropped (\(prepared.report))")
        }
        return (prepared.examples, prepared.sourceIndices.map { records[$0].line }, report)
    }
}

extension PipelineConfiguration {
    /// Prepares the run as ``prepare(collators:transforms:)`` does, without holding the dataset
    /// in memory: each example is transformed as it is read and spilled to an ``ExampleSpool``
    /// in `spoolDirectory`; packing plans over the lengths alone and shuffling permutes indices.
    /// The run's units, read back, are exactly ``PipelineRun/units``.
    /// - Parameters:
    ///   - spoolDirectory: Where the spool's (unlinked) temporary file goes: a folder on a disk
    ///     with room for the examples, about 4 bytes a token (the export's output folder, say).
    ///   - collators: The registry that knows the collator types.
    ///   - transforms: The registry that knows the transform types.
    /// - Returns: The run.
    /// - Throws: as ``prepare(collators:transforms:)``; ``AtomicFile/WriteError`` when the spool
    ///   cannot be written.
    /// - Complexity: O(dataset) time; memory O(examples) at 20 bytes each plus one line.
    public func prepareStreaming(
        spoolDirectory: URL, collators: CollatorRegistry = .current, transforms transformRegistry: TransformRegistry = .current
    ) throws -> StreamedRun {
        let folder = try modelFolder()
        let tokenizer = try loadTokenizer(folder: folder)
        let format = try chatFormat(reference: chatTemplate, folder: chatTemplate == nil && needsChatFormat ? folder : nil)
        let (collator, specTransforms) = try makeCollator(collators: collators, transforms: transformRegistry)
        let dataPath = data.path?.path ?? "data"
        let exampleTransforms = TransformPipeline(truncationTransforms + specTransforms.steps).exampleTransforms
        let spool = try ExampleSpool(directory: spoolDirectory)
        var transformReport = TransformPipeline.Report()
        let report = try forEachTransformedExample(exampleTransforms, tokenizer: tokenizer, chatFormat: format, report: &transformReport) { example, line in
            try spool.append(example, line: line)
        }
        try spool.finishWriting()
        guard spool.count > 0 else {
            let why = transformReport.examplesIn == 0 ? "the file holds no examples" : "every example was dropped (\(transformReport))"
            throw InputError(file: dataPath, line: nil, reason: why)
        }
        var plan: PackingPlan?
        var runCollator: any Collator<Batch> = collator
        if let packing {
            let packer = Packer(capacity: packing.maxTokens, strategy: packing.strategy)
            do {
                plan = try packer.pack(lengths: spool.lengths.map { Int(max($0, 0)) })
            } catch {
                let line = error.exampleIndex.map { spool.lines[$0] }
                let hint = maxLength == nil ? "; set max_length (truncation) to at most packing.max_tokens" : ""
                throw InputError(file: dataPath, line: line, reason: "\(error)\(hint)")
            }
            runCollator = PackedRowsCollator(base: collator)
        }
        let unitCount = plan?.binCount ?? spool.count
        var order: [Int]?
        if shuffle, unitCount > 1 {
            // ShuffleSampler's epoch-0 permutation, as `prepare` takes it (batches of one, flattened).
            var generator = SeededGenerator.forEpoch(0, seed: seed)
            order = generator.permutation(unitCount)
        }
        var run = StreamedRun(
            spool: spool, plan: plan, order: order, collator: runCollator,
            transforms: TransformPipeline(specTransforms.steps.filter { if case .batch = $0 { true } else { false } }),
            report: report, transformReport: transformReport, file: dataPath)
        run.tokenizer = tokenizer
        run.chatFormat = format
        return run
    }
}

extension PipelineConfiguration {
    /// The `input_ids` length and 1-based file line of every example after truncation, read
    /// one line at a time: what packing statistics need, without the examples themselves
    /// (``prepareExamples()`` holds them all).
    /// - Returns: The lengths, the lines and the reader's report.
    /// - Throws: as ``prepareExamples()``.
    /// - Complexity: O(dataset) time; memory 16 bytes an example.
    public func prepareLengths() throws -> (lengths: [Int], lines: [Int], report: DatasetReport) {
        let folder = try modelFolder()
        let tokenizer = try loadTokenizer(folder: folder)
        let format = try chatFormat(reference: chatTemplate, folder: chatTemplate == nil && needsChatFormat ? folder : nil)
        let transforms = TransformPipeline(truncationTransforms).exampleTransforms
        var lengths: [Int] = [], lines: [Int] = []
        var transformReport = TransformPipeline.Report()
        let report = try forEachTransformedExample(transforms, tokenizer: tokenizer, chatFormat: format, report: &transformReport) { example, line in
            lengths.append(example.inputIDs.count)
            lines.append(line)
        }
        guard !lengths.isEmpty else {
            throw InputError(file: data.path?.path ?? "data", line: nil,
                             reason: transformReport.examplesIn == 0 ? "the file holds no examples" : "every example was dropped (\(transformReport))")
        }
        return (lengths, lines, report)
    }
}

/// The packed rows' buffer, handed to the workers that each fill their own slots.
private struct _RowsPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Example>?
    init(_ pointer: UnsafeMutablePointer<Example>?) { self.pointer = pointer }
}
