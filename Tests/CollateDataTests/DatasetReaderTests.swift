import Collate
import CollateData
import CollateTokenizers
import Foundation
import Testing

@Suite("Reading training JSONL in every format")
struct DatasetReaderTests {
    static let fixtures = Fixtures.root

    static let mistral: Result<PretrainedTokenizer, Error> = Result {
        try PretrainedTokenizer(contentsOf: fixtures.appendingPathComponent("tokenizers/mistral-v1"))
    }

    static func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collate-data-\(UUID().uuidString).jsonl")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The text of the tokens a label row trains.
    static func trainedText(_ example: Example, _ tokenizer: PretrainedTokenizer) -> String {
        let trained = (example.labels ?? []).filter { $0 != ignoreIndex }
        return tokenizer.decode(ids: trained)
    }

    @Test func tokenizedLinesPassThroughWithLineNumbers() throws {
        let url = try Self.write("{\"input_ids\": [1, 2]}\r\n\n{\"input_ids\": [3], \"labels\": [-100]}\n")
        let (records, report) = try DatasetReader(url: url).readAll()
        #expect(records.map(\.line) == [1, 3])
        #expect(records[1].example.labels == [-100])
        #expect(report.examples == 2)
        #expect(report.skipped.isEmpty)
    }

    @Test func badLineIsRejectedWithFileLineFieldAndValue() throws {
        let url = try Self.write("{\"input_ids\": [1]}\n{\"input_ids\": [1, null]}\n")
        #expect(throws: InputError(file: url.path, line: 2, reason: "field 'input_ids[1]' = null: token ids must be JSON integers (found null); write ids as whole numbers, one flat array per field")) {
            try DatasetReader(url: url).readAll()
        }
    }

    @Test func skipPolicyCountsAndKeepsEveryBadLine() throws {
        let url = try Self.write("{\"input_ids\": [1]}\nnot json\n{\"input_ids\": \"x\"}\n{\"input_ids\": [2]}\n")
        let (records, report) = try DatasetReader(url: url, badLines: .skip).readAll()
        #expect(records.map(\.example.inputIDs) == [[1], [2]])
        #expect(report.skipped.map(\.line) == [2, 3])
        #expect(report.description.contains("2 lines skipped"))
    }

    /// A third-party tokenizer that refuses some text: its own error, with file and line, and
    /// under `.skip` one more skipped line instead of an aborted read.
    @Test func aTokenizersOwnErrorIsLocatedAndSkippable() throws {
        struct Refusal: Error, CustomStringConvertible { var description: String { "refuses the word 'forbidden'" } }
        struct RefusingTokenizer: Tokenizer {
            let base: PretrainedTokenizer
            func encodeWithOffsets(text: String, addSpecialTokens: Bool) throws -> Encoding {
                if text.contains("forbidden") { throw Refusal() }
                return try base.encodeWithOffsets(text: text, addSpecialTokens: addSpecialTokens)
            }
            func decode(tokens: [Int], skipSpecialTokens: Bool) -> String { base.decode(tokens: tokens, skipSpecialTokens: skipSpecialTokens) }
            func convertTokenToId(_ token: String) -> Int? { base.convertTokenToId(token) }
            func convertIdToToken(_ id: Int) -> String? { base.convertIdToToken(id) }
            var vocabularySize: Int { base.vocabularySize }
            var bosToken: String? { base.bosToken }
            var eosToken: String? { base.eosToken }
            var padToken: String? { base.padToken }
            var unknownToken: String? { base.unknownToken }
        }
        let tokenizer = RefusingTokenizer(base: try Self.mistral.get())
        let url = try Self.write(#"{"text": "fine"}"# + "\n" + #"{"text": "forbidden"}"# + "\n" + #"{"text": "also fine"}"# + "\n")
        #expect(throws: InputError(file: url.path, line: 2, reason: "refuses the word 'forbidden'")) {
            try DatasetReader(url: url, tokenizer: tokenizer).readAll()
        }
        let (records, report) = try DatasetReader(url: url, tokenizer: tokenizer, badLines: .skip).readAll()
        #expect(records.map(\.line) == [1, 3])
        #expect(report.skipped.map(\.line) == [2])
    }

    @Test func undetectableFormatNamesTheKeys() throws {
        let url = try Self.write("{\"question\": \"?\"}\n")
        #expect(throws: InputError.self) { try DatasetReader(url: url).readAll() }
        do {
            _ = try DatasetReader(url: url).readAll()
        } catch let error as InputError {
            #expect(error.line == 1)
            #expect(error.reason.contains("[\"question\"]"))
            #expect(error.reason.contains("prompt-completion"))
        }
    }

    @Test func textFormatAddsBOSAndEOS() throws {
        let tokenizer = try Self.mistral.get()
        let url = try Self.write(#"{"text": "Hello world"}"# + "\n")
        let (records, _) = try DatasetReader(url: url, tokenizer: tokenizer).readAll()
        #expect(records[0].example.inputIDs == [1, 22557, 1526, 2])
        #expect(records[0].example.labels == nil)
    }

    @Test func textFormatWithoutTokenizerIsAnError() throws {
        let url = try Self.write(#"{"text": "Hello"}"# + "\n")
        #expect(throws: InputError(file: url.path, line: nil, reason: "the text format needs a tokenizer: --tokenizer PATH, or in a pipeline file \"tokenizer\": PATH or \"model\": {\"path\": DIR}")) {
            try DatasetReader(url: url, badLines: .skip).readAll()
        }
    }

    @Test func promptCompletionTrainsOnlyTheCompletionAndEOS() throws {
        let tokenizer = try Self.mistral.get()
        let url = try Self.write(#"{"prompt": "The capital of France is", "completion": " Paris."}"# + "\n")
        let example = try DatasetReader(url: url, tokenizer: tokenizer).readAll().records[0].example
        #expect(example.labels?.count == example.inputIDs.count)
        #expect(Self.trainedText(example, tokenizer) == "Paris.</s>")
        #expect(example.labels?.first == ignoreIndex)
    }

    @Test func alpacaTrainsTheOutputOnly() throws {
        let tokenizer = try Self.mistral.get()
        let url = try Self.write(#"{"instruction": "Add the numbers.", "input": "2 and 3", "output": "5"}"# + "\n")
        let example = try DatasetReader(url: url, tokenizer: tokenizer).readAll().records[0].example
        let text = tokenizer.decode(ids: example.inputIDs)
        #expect(text.contains("### Instruction:\nAdd the numbers.\n\n### Input:\n2 and 3\n\n### Response:\n5"))
        #expect(Self.trainedText(example, tokenizer) == "5</s>")
    }

    @Test func messagesUseTheChatFormatsExactMask() throws {
        let tokenizer = try Self.mistral.get()
        let line = #"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}"#
        let url = try Self.write(line + "\n")
        let format = try ChatFormat.named("mistral-inst")
        let example = try DatasetReader(url: url, tokenizer: tokenizer, chatFormat: format).readAll().records[0].example
        let direct = try format.tokenize([.user("Hi"), .assistant("Hello!")], with: tokenizer)
        #expect(example.inputIDs == direct.masked.inputIDs)
        #expect(example.labels == direct.masked.labels)
        #expect(Self.trainedText(example, tokenizer) == "Hello!</s>")
    }

    @Test func badMessagesNameTheField() throws {
        let tokenizer = try Self.mistral.get()
        let format = try ChatFormat.named("chatml")
        let cases: [(String, String)] = [
            (#"{"messages": [{"role": "user", "content": 5}]}"#, "field 'messages[0].content': expected a string, got 5"),
            (#"{"messages": [{"content": "x"}]}"#, "field 'messages[0].role' is missing"),
            (#"{"messages": "hi"}"#, "field 'messages': expected an array of {\"role\", \"content\"} objects, got \"hi\""),
        ]
        for (line, expected) in cases {
            let url = try Self.write(line + "\n")
            do {
                _ = try DatasetReader(url: url, tokenizer: tokenizer, chatFormat: format).readAll()
                Issue.record("accepted \(line)")
            } catch let error as InputError {
                #expect(error.line == 1)
                #expect(error.reason.hasPrefix(expected), "\(error.reason)")
            }
        }
    }
}

extension DatasetReaderTests {
    /// Lines tokenized on several threads arrive exactly as on one: the same examples in file
    /// order, the same first bad line under `.reject`, the same skipped lines under `.skip`.
    @Test(arguments: [1, 2, 4, 7])
    func severalThreadsGiveWhatOneThreadGives(_ concurrency: Int) throws {
        let tokenizer = try Self.mistral.get()
        var lines: [String] = []
        for index in 0..<2_500 {
            switch index {
            case 1_999, 2_200: lines.append(#"{"messages": [{"role": "user", "content": 5}]}"#)
            case 100: lines.append("")
            default:
                let words = String(repeating: "word\(index % 97) ", count: 1 + index % 23)
                lines.append(#"{"messages": [{"role": "user", "content": "Line \#(index)?"}, {"role": "assistant", "content": "\#(words)"}]}"#)
            }
        }
        let url = try Self.write(lines.joined(separator: "\n") + "\n")
        func reader(_ threads: Int, _ policy: BadLinePolicy) throws -> DatasetReader {
            var reader = DatasetReader(url: url, format: .messages, tokenizer: tokenizer, chatFormat: try .named("chatml"), badLines: policy)
            reader.concurrency = threads
            return reader
        }
        let (expected, expectedReport) = try reader(1, .skip).readAll()
        let (records, report) = try reader(concurrency, .skip).readAll()
        #expect(records.count == 2_497)
        #expect(records.map(\.line) == expected.map(\.line))
        #expect(records.map(\.example) == expected.map(\.example))
        #expect(report.skipped == expectedReport.skipped)
        #expect(report.skipped.map(\.line) == [2_000, 2_201])
        #expect(report.examples == expectedReport.examples)
        let error = try #require(throws: InputError.self) { try reader(concurrency, .reject).readAll() }
        #expect(error.line == 2_000)
        // `body` stops the read at the line it throws on, as with one thread.
        var seen: [Int] = []
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try reader(concurrency, .skip).forEach { record in
                seen.append(record.line)
                if record.line == 1_500 { throw Stop() }
            }
        }
        #expect(seen == Array(1...100) + Array(102...1_500))
    }
}
