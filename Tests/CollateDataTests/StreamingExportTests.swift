import Collate
import CollateData
import Foundation
import Testing

/// The streaming export's pieces: the on-disk example spool, the streamed run (whose units must
/// be exactly the in-memory run's), packing statistics from lengths alone, and shards made
/// durable a group at a time.
@Suite("Streaming export")
struct StreamingExportTests {
    static let fixtures = PipelineConfigurationTests.fixtures
    static let tokenizerPath = fixtures.appendingPathComponent("tokenizers/mistral-v1").path

    /// Every kind of field value, sequences of several lengths (empty included).
    static let examples: [Example] = (0..<40).map { index in
        var example = Example(inputIDs: (0..<(index % 7)).map { Int32($0 * 1000 + index) }, labels: index % 3 == 0 ? nil : [ignoreIndex, Int32(index)])
        if index % 4 == 0 { example["label"] = .scalar(Int32(-index)) }
        if index % 5 == 0 { example["margin"] = .float(Float(index) / 3) }
        if index % 6 == 0 { example["kto"] = .bool(index % 12 == 0) }
        if index % 9 == 0 { example["labels"] = .null }
        return example
    }

    @Test func theSpoolGivesBackEveryExampleInAnyOrder() throws {
        let dir = try PipelineConfigurationTests.folder([:])
        let spool = try ExampleSpool(directory: dir)
        for (index, example) in Self.examples.enumerated() { try spool.append(example, line: index * 2 + 1) }
        try spool.finishWriting()
        // Unlinked at once: nothing shows in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".collate-spool") }.isEmpty)
        #expect(spool.count == Self.examples.count)
        #expect(spool.lines == Self.examples.indices.map { $0 * 2 + 1 })
        #expect(spool.lengths == Self.examples.map { Int32($0.inputIDs.count) })
        #expect(try spool.examples(Array(Self.examples.indices)) == Self.examples)
        let order = [39, 0, 1, 2, 17, 16, 5, 6, 7, 0]   // runs, reversed pairs, a repeat
        #expect(try spool.examples(order) == order.map { Self.examples[$0] })
        #expect(try spool.example(13) == Self.examples[13])
    }

    /// Past the write buffer: examples straddling flushes read back whole.
    @Test func theSpoolHoldsMoreThanItsBuffer() throws {
        let spool = try ExampleSpool(directory: try PipelineConfigurationTests.folder([:]))
        let long = (0..<300).map { Example(inputIDs: Array(repeating: Int32($0), count: 4_000 + $0)) }   // ~5 MB
        for (index, example) in long.enumerated() { try spool.append(example, line: index) }
        try spool.finishWriting()
        #expect(try spool.examples(Array(long.indices)) == long)
        #expect(try spool.examples([299, 150, 0]) == [long[299], long[150], long[0]])
    }

    /// A pipeline over `data` with the extra keys, both ways: in memory and streamed.
    static func runs(_ data: String, _ keys: String) throws -> (PipelineRun, StreamedRun) {
        let configuration = try PipelineRunTests.pipeline(data, keys)
        let spoolFolder = try PipelineConfigurationTests.folder([:])
        return (try configuration.prepare(), try configuration.prepareStreaming(spoolDirectory: spoolFolder))
    }

    static let tokenized = (1...30).map { line in
        let length = (line * 7) % 23 + 1
        return #"{"input_ids": [\#((0..<length).map { String(line * 100 + $0) }.joined(separator: ", "))], "labels": [\#((0..<length).map { String($0 % 4 == 0 ? -100 : line) }.joined(separator: ", "))]}"#
    }.joined(separator: "\n") + "\n\n"

    static let layouts = [
        #""collator": {"type": "flattening"}"#,
        #""collator": {"type": "flattening"}, "shuffle": true, "seed": 5, "batch_size": 4"#,
        #""collator": {"type": "flattening"}, "packing": {"strategy": "bfd", "max_tokens": 32}, "batch_size": 2"#,
        #""collator": {"type": "flattening"}, "packing": {"strategy": "bfd", "max_tokens": 24}, "shuffle": true, "seed": 9"#,
        #""collator": {"type": "seq2seq", "pad_token_id": 0}, "max_length": 10, "truncation": "left", "train_on": "all""#,
        #""collator": {"type": "seq2seq", "pad_token_id": 0}, "max_length": 12, "truncation": "drop", "shuffle": true, "seed": 1"#,
    ]

    /// The streamed run's units, tokens and lines are the in-memory run's, unit for unit.
    @Test(arguments: layouts)
    func streamedUnitsAreTheInMemoryRunsUnits(_ keys: String) throws {
        let (memory, streamed) = try Self.runs(Self.tokenized, keys)
        #expect(streamed.unitCount == memory.units.count)
        #expect(try streamed.units(Array(0..<streamed.unitCount)) == memory.units)
        #expect((0..<streamed.unitCount).map(streamed.tokens(ofUnit:)) == memory.units.map(\.inputIDs.count))
        #expect((0..<streamed.unitCount).map(streamed.line(ofUnit:)) == memory.unitSources.indices.map(memory.line(ofUnit:)))
        #expect((0..<streamed.unitCount).map(streamed.members(ofUnit:)) == memory.unitSources)
        #expect(streamed.transformReport == memory.transformReport)
        #expect(streamed.report.examples == memory.report.examples)
        #expect(streamed.plan == memory.plan)
        let spec = "s"
        #expect(try ShardExporter.fingerprint(streamed.source, spec: spec, worldSize: 2, batchSize: 3)
            == ShardExporter.fingerprint(examples: memory.units, spec: spec, worldSize: 2, batchSize: 3))
    }

    /// Chat lines are tokenized and masked once, on the way into the spool.
    @Test func chatLinesStreamAsTheyPrepare() throws {
        let keys = #""tokenizer": "\#(Self.tokenizerPath)", "chat_template": "mistral-inst", "collator": {"type": "seq2seq", "pad_token_id": 0}, "packing": {"max_tokens": 64}"#
        let (memory, streamed) = try Self.runs(PipelineRunTests.chat, keys)
        #expect(try streamed.units(Array(0..<streamed.unitCount)) == memory.units)
    }

    /// The same errors, naming the file and line: an empty dataset, an example too long to pack.
    @Test func errorsNameTheFileAndLine() throws {
        let empty = try PipelineRunTests.pipeline("\n\n", #""collator": {"type": "flattening"}"#)
        #expect(throws: InputError.self) { try empty.prepareStreaming(spoolDirectory: try PipelineConfigurationTests.folder([:])) }
        let tooLong = try PipelineRunTests.pipeline(Self.tokenized, #""collator": {"type": "flattening"}, "packing": {"max_tokens": 8}"#)
        do {
            _ = try tooLong.prepareStreaming(spoolDirectory: try PipelineConfigurationTests.folder([:]))
            Issue.record("an example longer than max_tokens packed")
        } catch let error as InputError {
            #expect(error.line != nil && error.reason.contains("max_length"), "\(error)")
        }
    }

    /// `collate pack`'s statistics read lengths alone: the same lengths and lines as the examples'.
    @Test func lengthsAreTheExamplesLengths() throws {
        let configuration = try PipelineRunTests.pipeline(Self.tokenized, #""max_length": 9, "truncation": "drop""#)
        let lengths = try configuration.prepareLengths()
        let examples = try configuration.prepareExamples()
        #expect(lengths.lengths == examples.examples.map(\.inputIDs.count))
        #expect(lengths.lines == examples.lines)
        #expect(lengths.lengths.count < 30)
    }

    /// The spool's linear initialiser: fields in order; a repeated name as `Example(_:)` keeps it.
    @Test func examplesFromNamesAndValues() {
        let values: [Example.Value] = [.sequence([1, 2]), .scalar(3), .null, .float(0.5)]
        let example = Example(names: ["input_ids", "label", "labels", "margin"], values: values)
        #expect(example.names == ["input_ids", "label", "labels", "margin"] && example.values == values)
        let repeated = Example(names: ["a", "b", "a"], values: [.scalar(1), .scalar(2), .scalar(3)])
        #expect(repeated == Example(["a": .scalar(1), "b": .scalar(2), "a": .scalar(3)]))
        #expect(repeated.names == ["a", "b"] && repeated["a"] == .scalar(3))
        #expect(Example(names: ["a", "b"], values: [.null]).names == ["a"])
    }

    /// A group's files take their names only at the commit; a discarded group leaves nothing.
    @Test func aGroupNamesItsFilesAtTheCommit() throws {
        let dir = try PipelineConfigurationTests.folder([:])
        var group = AtomicFile.Group()
        let first = dir.appendingPathComponent("a.bin"), second = dir.appendingPathComponent("b.bin")
        try Data("old".utf8).write(to: second)
        try group.write([1, 2, 3], to: first)
        try group.write([4, 5], to: second)
        #expect(group.count == 2 && group.bytes == 5)
        #expect(!FileManager.default.fileExists(atPath: first.path))
        #expect(try Data(contentsOf: second) == Data("old".utf8))
        try group.commit()
        #expect(group.count == 0)
        #expect(try Data(contentsOf: first) == Data([1, 2, 3]))
        #expect(try Data(contentsOf: second) == Data([4, 5]))
        try group.write([9], to: dir.appendingPathComponent("c.bin"))
        group.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.bin", "b.bin"])
    }

    /// A full disk, a missing folder: the error names the file.
    @Test func aGroupWriteIntoAMissingFolderNamesThePath() throws {
        var group = AtomicFile.Group()
        let url = URL(fileURLWithPath: "/nonexistent-collate-folder/x.safetensors")
        #expect { try group.write([1], to: url) } throws: { "\($0)".contains("/nonexistent-collate-folder/x.safetensors") }
    }
}
