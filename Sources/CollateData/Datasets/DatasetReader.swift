import Collate
import CollateTokenizers
import Foundation

/// Streams a training JSONL file as examples: pre-tokenized lines pass through; text,
/// prompt-completion, Alpaca and messages lines are tokenized (and chat-rendered) with exact
/// label masks.
///
/// The file is read line by line, never whole. Every bad line is either an ``InputError``
/// (file, line, field, value, fix) or, under ``BadLinePolicy/skip``, counted in the report.
///
/// ```swift
/// let reader = DatasetReader(url: url, tokenizer: tokenizer, chatFormat: try .named("chatml"))
/// let report = try reader.forEach { record in batchBuilder.append(record.example) }
/// ```
public struct DatasetReader: Sendable {
    /// One example with the line it came from.
    public struct Record: Sendable, Hashable {
        /// 1-based line number in the file.
        public var line: Int
        /// The example, with `input_ids` and, for formats with a completion, `labels`.
        public var example: Example
    }

    /// The file.
    public var url: URL
    /// The line format; `nil` detects it from the first line's keys.
    public var format: DatasetFormat?
    /// The tokenizer for every format but ``DatasetFormat/tokenized``.
    public var tokenizer: (any Tokenizer)?
    /// The chat format for ``DatasetFormat/messages`` (and Alpaca, which defaults to `alpaca`).
    public var chatFormat: ChatFormat?
    /// Which assistant tokens are trained.
    public var masking: AssistantMasking
    /// Whether text and prompt-completion examples end with the tokenizer's EOS (TRL's SFT does this).
    public var appendEOS: Bool
    /// What to do with a bad line.
    public var badLines: BadLinePolicy
    /// The most lines tokenized at once when the format is given (all cores by default); the
    /// examples still arrive in file order. Pre-tokenized lines and a format detected from the
    /// first line are read on one thread.
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount

    /// Creates a reader.
    public init(url: URL, format: DatasetFormat? = nil, tokenizer: (any Tokenizer)? = nil, chatFormat: ChatFormat? = nil,
                masking: AssistantMasking = AssistantMasking(), appendEOS: Bool = true, badLines: BadLinePolicy = .reject) {
        self.url = url
        self.format = format
        self.tokenizer = tokenizer
        self.chatFormat = chatFormat
        self.masking = masking
        self.appendEOS = appendEOS
        self.badLines = badLines
    }

    /// Calls `body` with each example in file order.
    /// - Returns: counts and skipped lines.
    /// - Throws: ``InputError`` for a bad line under ``BadLinePolicy/reject``, a missing
    ///   tokenizer or chat format; whatever `body` throws.
    /// - Complexity: O(file size) time; memory bounded by the longest line.
    @discardableResult
    public func forEach(_ body: (Record) throws -> Void) throws -> DatasetReport {
        if let format, format != .tokenized, concurrency > 1 {
            return try forEachConcurrently(format: format, body)
        }
        var report = DatasetReport()
        var resolved = format
        try JSONLinesReader(url: url).forEachLine { line, bytes in
            let example: Example
            do {
                let object = try parseObject(bytes, line: line)
                let lineFormat = try resolved ?? detectFormat(object, line: line)
                resolved = lineFormat
                example = try makeExample(object, format: lineFormat, line: line)
            } catch {
                // A third-party tokenizer's or chat format's own error gets the file and line too,
                // and is skipped like any other bad line under `.skip`.
                let located = error as? InputError ?? fail(line, "\(error)")
                guard badLines == .skip, located.line != nil else { throw located }
                report.skipped.append(located)
                return
            }
            report.examples += 1
            try body(Record(line: line, example: example))
        }
        return report
    }

    /// ``forEach(_:)`` with lines parsed and tokenized on ``concurrency`` threads: the same
    /// examples, errors and report, in the same order.
    private func forEachConcurrently(format: DatasetFormat, _ body: (Record) throws -> Void) throws -> DatasetReport {
        var report = DatasetReport()
        let reader = self
        try JSONLinesReader(url: url).forEachLine(concurrency: concurrency) { line, bytes -> Result<Example, any Error> in
            Result { try reader.makeExample(reader.parseObject(bytes, line: line), format: format, line: line) }
        } body: { line, result in
            switch result {
            case .success(let example):
                report.examples += 1
                try body(Record(line: line, example: example))
            case .failure(let error):
                let located = error as? InputError ?? fail(line, "\(error)")
                guard badLines == .skip, located.line != nil else { throw located }
                report.skipped.append(located)
            }
        }
        return report
    }

    /// Reads every example into memory.
    public func readAll() throws -> (records: [Record], report: DatasetReport) {
        var records: [Record] = []
        let report = try forEach { records.append($0) }
        return (records, report)
    }

    // MARK: - One line

    private func fail(_ line: Int, _ reason: String) -> InputError {
        InputError(file: url.path, line: line, reason: reason)
    }

    private func parseObject(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw fail(line, error.duplicateKey == nil ? "\(error); each line must be one complete JSON object" : "\(error)")
        }
        guard case .object(let object) = value else {
            throw fail(line, "a line must be a JSON object, found \(value.typeName) \(value.preview())")
        }
        return object
    }

    private func detectFormat(_ object: JSONObject, line: Int) throws -> DatasetFormat {
        guard let detected = DatasetFormat.detect(object) else {
            throw InputError(file: url.path, line: line, reason:
                "cannot tell the dataset format from the keys \(object.keys); use one of "
                + DatasetFormat.allCases.map { "\($0.rawValue) \($0.requiredKeys)" }.joined(separator: ", "))
        }
        return detected
    }

    private func string(_ object: JSONObject, _ key: String, line: Int, optional: Bool = false) throws -> String? {
        switch object[key] {
        case .string(let text)?: return text
        case nil, .null?:
            if optional { return nil }
            throw fail(line, "missing \"\(key)\"; this format needs \(key) as a string")
        case let other?:
            throw fail(line, "field '\(key)' = \(other.preview()): must be a string, found \(other.typeName)")
        }
    }

    private func requireTokenizer(_ format: DatasetFormat, line: Int) throws -> any Tokenizer {
        guard let tokenizer else {
            throw InputError(file: url.path, line: nil, reason: "the \(format.rawValue) format needs a tokenizer: --tokenizer PATH, or in a pipeline file \"tokenizer\": PATH or \"model\": {\"path\": DIR}")
        }
        return tokenizer
    }

    private func makeExample(_ object: JSONObject, format: DatasetFormat, line: Int) throws -> Example {
        switch format {
        case .tokenized:
            do {
                return try Example(json: .object(object))
            } catch {
                throw fail(line, error.description)
            }
        case .text:
            let tokenizer = try requireTokenizer(format, line: line)
            let text = try string(object, "text", line: line) ?? ""
            var ids = try tokenizer.encodeWithOffsets(text: text, addSpecialTokens: true).ids
            if appendEOS, let eos = tokenizer.eosTokenId { ids.append(Int32(eos)) }
            return Example(inputIDs: ids)
        case .promptCompletion:
            let tokenizer = try requireTokenizer(format, line: line)
            let prompt = try string(object, "prompt", line: line) ?? ""
            let completion = try string(object, "completion", line: line) ?? ""
            return try promptCompletionExample(prompt: prompt, completion: completion, tokenizer: tokenizer)
        case .alpaca:
            let tokenizer = try requireTokenizer(format, line: line)
            let instruction = try string(object, "instruction", line: line) ?? ""
            let input = try string(object, "input", line: line, optional: true) ?? ""
            let output = try string(object, "output", line: line) ?? ""
            let user = input.isEmpty ? instruction : instruction + "\n\n### Input:\n" + input
            return try chatExample([.user(user), .assistant(output)], format: chatFormat ?? ChatFormat.named("alpaca"),
                                   tokenizer: tokenizer, line: line)
        case .messages:
            let tokenizer = try requireTokenizer(format, line: line)
            guard let chatFormat else {
                throw InputError(file: url.path, line: nil, reason: "the messages format needs a chat format (--template NAME)")
            }
            if let template = chatFormat.template {
                // A model's own template sees the whole line: tools, add_generation_prompt, variables.
                return try templateExample(object, template: template, tokenizer: tokenizer, line: line)
            }
            return try chatExample(try messages(object, line: line), format: chatFormat, tokenizer: tokenizer, line: line)
        }
    }

    private func messages(_ object: JSONObject, line: Int) throws -> [ChatMessage] {
        do {
            return try ChatMessage.list(fromJSON: object["messages"])
        } catch {
            throw fail(line, error.description)
        }
    }

    private func templateExample(_ object: JSONObject, template: ChatTemplate, tokenizer: some Tokenizer, line: Int) throws -> Example {
        do {
            let chat = try template.tokenize(try ChatConversation(line: object), with: tokenizer, masking: masking)
            return Example(inputIDs: chat.masked.inputIDs, labels: chat.masked.labels)
        } catch let error as ChatConversationError {
            throw fail(line, error.description)
        } catch let error as ChatTemplateError {
            throw fail(line, error.description)
        }
    }

    private func chatExample(_ messages: [ChatMessage], format: ChatFormat, tokenizer: some Tokenizer, line: Int) throws -> Example {
        do {
            let chat = try format.tokenize(messages, with: tokenizer, masking: masking)
            return Example(inputIDs: chat.masked.inputIDs, labels: chat.masked.labels)
        } catch let error as ChatFormatError {
            if case let .unsupportedField(index, field, _) = error {
                throw fail(line, "field 'messages[\(index)].\(field)': \(error)")
            }
            throw fail(line, error.description)
        }
    }

    /// Prompt and completion tokenized as one text (so the boundary merges as it would in
    /// use); a token is trained when it covers any completion character, like HF's assistant mask.
    private func promptCompletionExample(prompt: String, completion: String, tokenizer: some Tokenizer) throws -> Example {
        let encoding = try tokenizer.encodeWithOffsets(text: prompt + completion, addSpecialTokens: true)
        let promptLength = prompt.unicodeScalars.count
        var ids = encoding.ids
        var labels = zip(encoding.ids, encoding.offsets).map { id, span in
            span.upperBound > promptLength && !span.isEmpty ? id : masking.ignoreIndex
        }
        if appendEOS, let eos = tokenizer.eosTokenId {
            ids.append(Int32(eos))
            labels.append(Int32(eos))
        }
        return Example(inputIDs: ids, labels: labels)
    }
}
