import Collate
@testable import CollateData
import CollateTokenizers
import Foundation
import Testing

/// What each key of the pipeline file does to the run: examples, labels, truncation, packing,
/// collator, batches, order, model.
@Suite("Pipeline file: what every key does to the run")
struct PipelineRunTests {
    static let fixtures = PipelineConfigurationTests.fixtures
    static let tokenizerPath = fixtures.appendingPathComponent("tokenizers/mistral-v1").path

    static let chat = """
        {"messages": [{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello! How can I help?"}]}
        {"messages": [{"role": "user", "content": "Name a colour"}, {"role": "assistant", "content": "Blue."}, {"role": "user", "content": "Another"}, {"role": "assistant", "content": "Green."}]}
        {"messages": [{"role": "user", "content": "Count to three"}, {"role": "assistant", "content": "One, two, three."}]}

        """

    static let tokenized = (1...6).map { #"{"input_ids": [\#(Array(repeating: "\($0)", count: $0).joined(separator: ", "))]}"# }.joined(separator: "\n") + "\n"

    /// A pipeline over `data` (written as data.jsonl) with the extra top-level JSON members `keys`.
    static func pipeline(_ data: String, _ keys: String, extraFiles: [String: String] = [:]) throws -> PipelineConfiguration {
        var files = extraFiles
        files["data.jsonl"] = data
        files["p.json"] = #"{"data": {"path": "data.jsonl"}\#(keys.isEmpty ? "" : ", " + keys)}"#
        let dir = try PipelineConfigurationTests.folder(files)
        return try PipelineConfiguration(contentsOf: dir.appendingPathComponent("p.json"))
    }

    static func trained(_ example: Example) -> Int { (example.labels ?? []).filter { $0 != ignoreIndex }.count }

    @Test func messagesAreRenderedWithAssistantOnlyLabels() throws {
        let run = try Self.pipeline(Self.chat, #""tokenizer": "\#(Self.tokenizerPath)", "chat_template": "mistral-inst", "collator": {"type": "seq2seq", "pad_token_id": 0}"#).prepare()
        #expect(run.examples.count == 3)
        #expect(run.lines == [1, 2, 3])
        let tokenizer = try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: Self.tokenizerPath))
        let first = run.examples[0]
        let trainedText = tokenizer.decode(ids: (first.labels ?? []).filter { $0 != ignoreIndex })
        #expect(trainedText == "Hello! How can I help?</s>")
        #expect(first.labels?.count == first.inputIDs.count)
    }

    @Test func trainOnChoosesTheTrainedTokens() throws {
        let base = #""tokenizer": "\#(Self.tokenizerPath)", "chat_template": "mistral-inst", "collator": {"type": "seq2seq", "pad_token_id": 0}"#
        let assistant = try Self.pipeline(Self.chat, base + #", "train_on": "assistant""#).prepare()
        let last = try Self.pipeline(Self.chat, base + #", "train_on": "last-assistant""#).prepare()
        let all = try Self.pipeline(Self.chat, base + #", "train_on": "all""#).prepare()
        #expect(Self.trained(last.examples[1]) < Self.trained(assistant.examples[1]), "two assistant turns: last-assistant trains one")
        #expect(Self.trained(last.examples[0]) == Self.trained(assistant.examples[0]), "one assistant turn: the same")
        #expect(all.examples.allSatisfy { $0.labels == $0.inputIDs })
    }

    @Test func trainOnCompletionMasksThePrompt() throws {
        let data = #"{"prompt": "Q: 2+2?", "completion": " A: 4"}"# + "\n"
        let run = try Self.pipeline(data, #""tokenizer": "\#(Self.tokenizerPath)", "train_on": "completion", "collator": {"type": "seq2seq", "pad_token_id": 0}"#).prepare()
        let example = run.examples[0]
        #expect(example.labels?.first == ignoreIndex)
        #expect(Self.trained(example) > 0 && Self.trained(example) < example.inputIDs.count)
    }

    @Test func formatKeyOverridesDetection() throws {
        // The same line read as text, and refused as pre-tokenized.
        let data = #"{"text": "hello world"}"# + "\n"
        var configuration = try Self.pipeline(data, #""tokenizer": "\#(Self.tokenizerPath)", "collator": {"type": "language-modeling", "pad_token_id": 0}"#)
        #expect(try configuration.prepare().examples[0].inputIDs.count > 2, "detected as text and tokenized")
        configuration.data.format = .tokenized
        #expect(throws: InputError.self) { try configuration.prepare() }
    }

    @Test func badLinesSkipCountsTheLine() throws {
        let data = #"{"input_ids": [1, 2]}"# + "\n" + #"{"input_ids": [1, "x"]}"# + "\n" + #"{"input_ids": [3]}"# + "\n"
        var configuration = try Self.pipeline(data, #""collator": {"type": "language-modeling", "pad_token_id": 0}"#)
        #expect(throws: InputError.self) { try configuration.prepare() }
        configuration.data.badLines = .skip
        let run = try configuration.prepare()
        #expect(run.examples.count == 2)
        #expect(run.lines == [1, 3])
        #expect(run.report.skipped.map(\.line) == [2])
    }

    @Test(arguments: [("right", [Int32]([6, 6, 6])), ("left", [Int32]([6, 6, 6]))])
    func maxLengthTruncates(side: String, expected: [Int32]) throws {
        let run = try Self.pipeline(Self.tokenized, #""max_length": 3, "truncation": "\#(side)", "collator": {"type": "language-modeling", "pad_token_id": 0}"#).prepare()
        #expect(run.examples.map(\.inputIDs.count) == [1, 2, 3, 3, 3, 3])
        #expect(run.examples[5].inputIDs == expected)
        #expect(run.transformReport.modified["truncate"] == 3)
    }

    @Test func truncationKeepsTheChosenEnd() throws {
        let data = #"{"input_ids": [1, 2, 3, 4, 5], "labels": [1, 2, 3, 4, 5]}"# + "\n"
        let right = try Self.pipeline(data, #""max_length": 2, "collator": {"type": "seq2seq", "pad_token_id": 0}"#).prepare()
        let left = try Self.pipeline(data, #""max_length": 2, "truncation": "left", "collator": {"type": "seq2seq", "pad_token_id": 0}"#).prepare()
        #expect(right.examples[0].inputIDs == [1, 2])
        #expect(left.examples[0].inputIDs == [4, 5])
        #expect(left.examples[0].labels == [4, 5])
    }

    @Test func truncationDropDropsLongExamplesAndKeepsLines() throws {
        let run = try Self.pipeline(Self.tokenized, #""max_length": 4, "truncation": "drop", "collator": {"type": "language-modeling", "pad_token_id": 0}"#).prepare()
        #expect(run.examples.map(\.inputIDs.count) == [1, 2, 3, 4])
        #expect(run.lines == [1, 2, 3, 4])
        #expect(run.transformReport.dropped["drop-longer"] == 2)
    }

    @Test func packingMakesBFDRowsAndAPaddingFreeCollatorKeepsBoundaries() throws {
        let run = try Self.pipeline(Self.tokenized, #""packing": {"strategy": "bfd", "max_tokens": 7}, "collator": {"type": "flattening"}, "batch_size": 1"#).prepare()
        // Lengths 1..6 (21 tokens) into rows of 7: {6,1}, {5,2}, {4,3}.
        let plan = try #require(run.plan)
        #expect(plan.binCount == 3)
        #expect(run.units.map { $0.sequence("seq_lengths") ?? [] } == [[6, 1], [5, 2], [4, 3]])
        #expect(run.unitSources == [[5, 0], [4, 1], [3, 2]])
        #expect(run.units[0].inputIDs == [6, 6, 6, 6, 6, 6, 1])
        let batches = try run.batches()
        #expect(batches.count == 3)
        #expect(batches[0]["position_ids"]?.scalars == [0, 1, 2, 3, 4, 5, 0])
        #expect(batches[0]["labels"]?.scalars == [-100, 6, 6, 6, 6, 6, -100])
    }

    @Test func packingWithAPaddedCollatorPadsWholeRows() throws {
        let run = try Self.pipeline(Self.tokenized, #""packing": {"max_tokens": 7}, "collator": {"type": "language-modeling", "pad_token_id": 0}, "batch_size": 3"#).prepare()
        let batches = try run.batches()
        #expect(batches.count == 1)
        #expect(batches[0]["input_ids"]?.shape == [3, 7])
        #expect(batches[0]["seq_lengths"] == nil)
    }

    @Test func anExampleLongerThanTheRowIsNamedByLine() throws {
        let configuration = try Self.pipeline(Self.tokenized, #""packing": {"max_tokens": 5}, "collator": {"type": "flattening"}"#)
        #expect(throws: InputError.self) { try configuration.prepare() }
        do { _ = try configuration.prepare() } catch let error as InputError {
            #expect(error.line == 6)
            #expect(error.reason.contains("set max_length"))
        }
        // With max_length as long as a row, truncation makes every example fit.
        var truncated = configuration
        truncated.maxLength = 5
        #expect(try truncated.prepare().plan?.bins.map { $0.count } == [1, 1, 2, 2], "5, 5, 4+1, 3+2")
    }

    @Test func collatorAsASpecFileAndItsErrorsNameTheFile() throws {
        let good = try Self.pipeline(Self.tokenized, #""collator": "spec.json""#, extraFiles: ["spec.json": #"{"type": "language-modeling", "pad_token_id": 0}"#])
        #expect(try good.prepare().batches()[0]["input_ids"]?.shape == [6, 6])
        let bad = try Self.pipeline(Self.tokenized, #""collator": "spec.json""#, extraFiles: ["spec.json": #"{"type": "padding", "pad_token": 0}"#])
        do {
            _ = try bad.prepare()
            Issue.record("a bad spec file was accepted")
        } catch let error as InputError {
            #expect(error.file.hasSuffix("spec.json"))
            #expect(error.reason.contains(#"did you mean "pad_token_id"?"#))
        }
        let inline = try Self.pipeline(Self.tokenized, #""collator": {"type": "paddding"}"#)
        #expect(throws: PipelineFileError.self) { try inline.prepare() }
        let none = try Self.pipeline(Self.tokenized, "")
        #expect(throws: PipelineFileError.missingKey(file: none.file!, path: "collator", reason: "name the collator, e.g. \"collator\": {\"type\": \"seq2seq\", \"pad_token_id\": 0} (or --spec SPEC.json)")) {
            try none.prepare()
        }
    }

    @Test func batchSizeCutsConsecutiveBatches() throws {
        let run = try Self.pipeline(Self.tokenized, #""collator": {"type": "language-modeling", "pad_token_id": 0}, "batch_size": 4"#).prepare()
        #expect(run.batchRanges == [0..<4, 4..<6])
        let all = try Self.pipeline(Self.tokenized, #""collator": {"type": "language-modeling", "pad_token_id": 0}"#).prepare()
        #expect(all.batchRanges == [0..<6])
    }

    @Test func shuffleIsSeededAndOffByDefault() throws {
        let spec = #""collator": {"type": "language-modeling", "pad_token_id": 0}"#
        let ordered = try Self.pipeline(Self.tokenized, spec).prepare()
        #expect(ordered.unitSources == [[0], [1], [2], [3], [4], [5]])
        let a = try Self.pipeline(Self.tokenized, spec + #", "shuffle": true, "seed": 1"#).prepare()
        let b = try Self.pipeline(Self.tokenized, spec + #", "shuffle": true, "seed": 1"#).prepare()
        let c = try Self.pipeline(Self.tokenized, spec + #", "shuffle": true, "seed": 2"#).prepare()
        #expect(a.unitSources == b.unitSources)
        #expect(a.unitSources != ordered.unitSources)
        #expect(a.unitSources != c.unitSources)
        #expect(Set(a.unitSources.flatMap { $0 }) == Set(0..<6))
        #expect(a.units.map(\.inputIDs.count) == a.unitSources.map { $0[0] + 1 })
    }

    @Test func theModelFolderGivesTheTokenizerAndTheModelKeysWin() throws {
        let model = Self.fixtures.appendingPathComponent("models/mistral-style").path
        let configuration = try Self.pipeline(Self.chat, #""model": {"path": "\#(model)", "max_length": 1024}, "chat_template": "mistral-inst", "collator": {"type": "flattening"}"#)
        let run = try configuration.prepare()
        #expect(run.examples.count == 3, "the folder's tokenizer.json renders the messages")
        let description = try configuration.modelDescription()
        #expect(description.kind == "causal-lm")
        #expect(description.vocabSize == 32000)
        #expect(description.maxLength == 1024, "model.max_length wins over max_position_embeddings 32768")
        #expect(description.backendContract().maxLength == 1024)
        #expect(description.eosTokenIDs == [2])
        #expect(description.tokenizerPadTokenID == nil)
    }

    @Test func messagesWithoutATemplateAreRefusedNamingTheFix() throws {
        let configuration = try Self.pipeline(Self.chat, #""tokenizer": "\#(Self.tokenizerPath)", "collator": {"type": "flattening"}"#)
        #expect(throws: InputError.self) { try configuration.prepare() }
        let unknown = try Self.pipeline(Self.chat, #""tokenizer": "\#(Self.tokenizerPath)", "chat_template": "chatlm", "collator": {"type": "flattening"}"#)
        do {
            _ = try unknown.prepare()
            Issue.record("an unknown template was accepted")
        } catch let error as PipelineFileError {
            #expect(error.description.contains(#"did you mean "chatml"?"#))
        }
    }

    @Test func packedRowsConcatenateEveryCommonListField() {
        let examples = [
            Example(["input_ids": .sequence([1, 2]), "labels": .sequence([-100, 2]), "label": .scalar(1)]),
            Example(["input_ids": .sequence([3]), "labels": .sequence([3])]),
        ]
        let plan = PackingPlan(members: [0, 1], binStarts: [0, 2], loads: [3], capacity: 4)
        let rows = PipelineConfiguration.packedRows(examples, plan: plan)
        #expect(rows == [Example(["input_ids": .sequence([1, 2, 3]), "labels": .sequence([-100, 2, 3]), "seq_lengths": .sequence([2, 1])])])
        #expect(throws: CollateError.self) {
            try PackedRowsCollator.split(Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([3])]), index: 0)
        }
    }

    /// Packed rows go to the padding-free SFT collator whole (it reads `seq_lengths`, as TRL
    /// 1.16's collator does after `pack_dataset`): the batch must be exactly the one their split
    /// sequences make, with and without `pad_to_multiple_of`, labels or not; a malformed row
    /// still takes the splitting path and its error.
    @Test(arguments: [nil, 8] as [Int?])
    func packedRowsGoWholeToThePaddingFreeSFTCollator(padToMultipleOf: Int?) throws {
        let rows = [
            Example(["input_ids": .sequence([1, 2, 3, 4, 5]), "labels": .sequence([-100, 2, 3, -100, 5]), "seq_lengths": .sequence([3, 2])]),
            Example(["input_ids": .sequence([6, 7, 8]), "labels": .sequence([6, -100, 8]), "seq_lengths": .sequence([1, 1, 1])]),
            Example(["input_ids": .sequence([9, 10]), "seq_lengths": .sequence([2])]),
        ]
        let sft = SFTCollator(padTokenID: 0, paddingFree: true, padToMultipleOf: padToMultipleOf)
        let split = try rows.enumerated().flatMap { try PackedRowsCollator.split($1, index: $0) }
        #expect(split.count == 6)
        let whole = try PackedRowsCollator(base: sft).collate(rows)
        #expect(whole == (try sft.collate(split)))
        #expect(whole["position_ids"]?.scalars.prefix(10) == [0, 1, 2, 0, 1, 0, 0, 0, 0, 1])
        #expect(rows.allSatisfy(PackedRowsCollator.isWellFormed))
        let ragged = Example(["input_ids": .sequence([1, 2]), "labels": .sequence([1]), "seq_lengths": .sequence([2])])
        #expect(!PackedRowsCollator.isWellFormed(ragged))
        #expect(!PackedRowsCollator.isWellFormed(Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([3])])))
        #expect(!PackedRowsCollator.isWellFormed(Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([2, 0])])))
        #expect(throws: CollateError.self) {
            try PackedRowsCollator(base: sft).collate([Example(["input_ids": .sequence([1, 2]), "seq_lengths": .sequence([3])])])
        }
    }

    @Test func packingStrategyIsUsed() throws {
        let greedy = try Self.pipeline(Self.tokenized, #""packing": {"strategy": "greedy", "max_tokens": 7}, "collator": {"type": "flattening"}"#).prepare()
        #expect(greedy.unitSources == [[0, 1, 2], [3], [4], [5]], "greedy keeps file order: 1+2+3, 4, 5, 6")
        let ffd = try Self.pipeline(Self.tokenized, #""packing": {"strategy": "ffd", "max_tokens": 7}, "collator": {"type": "flattening"}"#).prepare()
        #expect(ffd.unitSources == [[5, 0], [4, 1], [3, 2]])
    }

    @Test func modelKeysAloneDescribeTheBackend() throws {
        let configuration = try Self.pipeline(Self.tokenized, #""model": {"kind": "token-classification", "vocab_size": 50, "max_length": 6, "padding_free": false}, "collator": {"type": "flattening"}"#)
        let description = try configuration.modelDescription()
        #expect(description.kind == "token-classification")
        let contract = description.backendContract()
        #expect(contract.vocabSize == 50)
        #expect(contract.maxLength == 6)
        #expect(!contract.acceptsPaddingFree)
    }

    @Test func aTemplateFileThatDoesNotExistIsNamed() throws {
        let configuration = try Self.pipeline(Self.chat, #""tokenizer": "\#(Self.tokenizerPath)", "chat_template": "model/tokenizer_config.json", "collator": {"type": "flattening"}"#)
        do {
            _ = try configuration.prepare()
            Issue.record("a missing template file was accepted")
        } catch let error as PipelineFileError {
            #expect(error.description.contains("key \"chat_template\""))
            #expect(error.description.contains("model/tokenizer_config.json"))
        }
    }

    @Test func aModelFolderWithAJinjaTemplateServesTokenizedDataAndRendersMessages() throws {
        let dir = try PipelineConfigurationTests.folder([
            "model/config.json": #"{"architectures": ["MistralForCausalLM"], "vocab_size": 32000}"#,
            "model/tokenizer_config.json": #"{"chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}", "bos_token": "<s>", "eos_token": "</s>"}"#,
        ])
        try FileManager.default.createSymbolicLink(
            at: dir.appendingPathComponent("model/tokenizer.json"), withDestinationURL: URL(fileURLWithPath: Self.tokenizerPath).appendingPathComponent("tokenizer.json"))
        let model = dir.appendingPathComponent("model").path
        let tokenized = try Self.pipeline(Self.tokenized, #""model": {"path": "\#(model)"}, "collator": {"type": "flattening"}"#)
        #expect(try tokenized.prepare().examples.count == 6)
        // The folder's own Jinja template renders the conversations when no template is named.
        let chat = try Self.pipeline(Self.chat, #""model": {"path": "\#(model)"}, "collator": {"type": "flattening"}"#)
        let rendered = try chat.prepare()
        #expect(rendered.examples.count == 3)
        var named = chat
        named.chatTemplate = "mistral-inst"
        let builtIn = try named.prepare()
        // A different template gives different tokens for the same conversations.
        #expect(builtIn.examples.map(\.inputIDs) != rendered.examples.map(\.inputIDs))
        #expect(try named.prepare().examples.count == 3)
    }
}
