import Collate
import CollateData
import CollateTokenizers
import Foundation

/// `collate chat --template NAME|PATH --tokenizer PATH --input CONVERSATIONS.jsonl`: renders
/// each conversation with a built-in chat format or a model's own Jinja chat template (a model
/// folder, its tokenizer_config.json or a .jinja file), tokenizes it once and prints its
/// assistant mask.
///
/// Input lines are `{"messages": [{"role": ..., "content": ...}, ...]}`, optionally with
/// `tools`, `add_generation_prompt` and template variables (`enable_thinking`, ...); messages
/// may carry `tool_calls`, `tool` roles, `reasoning_content` and list-of-parts `content`. Output lines are
/// `{"text": ..., "input_ids": [...], "assistant_masks": [...]}` on stdout, identical to HF
/// `apply_chat_template(..., return_dict=True, return_assistant_tokens_mask=True)` for the
/// same template. Human messages go to stderr. Exit status: 0 success, 1 rejected input (the
/// message names file:line, the field and its value; nothing is printed to stdout), 2 usage.
enum ChatCommand {
    /// The usage text.
    static var usage: String {
        """
            usage: \(Tool.name) chat --template NAME|PATH --tokenizer PATH --input CONVERSATIONS.jsonl

              --template NAME|PATH  built-in chat format (\(ChatFormat.builtInNames.joined(separator: ", "))),
                                    or a model's own template: a model folder, its tokenizer_config.json
                                    ("chat_template") or a .jinja file
              --tokenizer PATH      tokenizer.json, or a folder holding it (and tokenizer_config.json)
              --input FILE          JSON Lines of {"messages": [{"role": ..., "content": ...}, ...]} ('-' for stdin);
                                    with a template, lines may also carry "tools", "add_generation_prompt"
                                    and template variables such as "enable_thinking"

            Prints one {"text", "input_ids", "assistant_masks"} object per input line.
            """
    }

    /// Runs the command with the process's stdout and stderr.
    ///
    /// - Parameter arguments: The arguments after `collate` (a leading `"chat"` is skipped) or
    ///   after `collate chat`.
    /// - Returns: The exit status: 0 success, 1 rejected input, 2 usage error.
    static func run(arguments: [String]) -> Int32 {
        run(
            arguments: arguments,
            loadTokenizer: FileReading.tokenizer(path:),
            readInput: { try FileReading.data(atPath: $0, kind: "conversations file") },
            output: Console.write, error: Console.message)
    }

    /// Runs the command with injectable tokenizer loading and I/O (for tests).
    static func run(
        arguments: [String],
        loadTokenizer: (String) throws -> any Tokenizer,
        readInput: (String) throws -> Data,
        output: (String) -> Void,
        error: (String) -> Void
    ) -> Int32 {
        let options: Options
        switch parse(arguments) {
        case .help:
            output(usage + "\n")
            return 0
        case let .usageError(message):
            error("\(Tool.name) chat: \(message)\n\n\(usage)")
            return 2
        case let .options(parsed):
            options = parsed
        }
        let renderer: ChatRenderer
        do {
            renderer = try Inputs.chatRenderer(nameOrPath: options.template, tokenizerPath: options.tokenizer)
        } catch let failure as UsageError {
            // An unknown --template is a usage error; the message lists the known names.
            error("\(Tool.name) chat: --template: \(failure)")
            return 2
        } catch let failure {
            error("\(Tool.name) chat: --template: \(failure)")
            return 1
        }
        // A template that does not parse is the template's error, said once (not as the first line's).
        if case .template(let template) = renderer {
            do {
                try template.checkSyntax()
            } catch let failure {
                error("\(Tool.name) chat: --template \(options.template): \(failure)")
                return 1
            }
        }
        let tokenizer: any Tokenizer
        do {
            tokenizer = try loadTokenizer(options.tokenizer)
        } catch let failure {
            error("\(Tool.name) chat: --tokenizer \(options.tokenizer): \(failure)")
            return 1
        }
        // A template whose assistant turns cannot be delimited still renders; the user is told
        // what its masks train (template-turn-undelimited), once, before any line.
        if case .template(let template) = renderer,
           let rule = TemplateTurnUndelimitedRule(chatFormat: ChatFormat(template: template), tokenizer: tokenizer) {
            for diagnostic in rule.diagnostics { error("\(Tool.name) chat: \(diagnostic)") }
        }
        let data: Data
        do {
            data = try readInput(options.input)
        } catch let failure {
            error("\(Tool.name) chat: --input \(options.input): cannot read the file (\(failure.localizedDescription))")
            return 1
        }
        var printed = ""
        var lineNumber = 0
        // A UTF-8 byte-order mark is dropped, as JSONLinesReader does (the strict parser would
        // reject it as the first byte of line 1).
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") })
            else { continue }
            do {
                let chat: TokenizedChat
                switch renderer {
                case .format(let format):
                    chat = try render(try parseMessages(Data(line)), format: format, tokenizer: tokenizer)
                case .template(let template):
                    chat = try render(try parseConversation(Data(line)), template: template, tokenizer: tokenizer)
                }
                printed += jsonLine(chat)
            } catch let rejection as Rejection {
                error("\(options.input):\(lineNumber): \(rejection.message)")
                return 1
            } catch let failure {
                error("\(options.input):\(lineNumber): \(failure)")
                return 1
            }
        }
        output(printed)
        return 0
    }

    // MARK: - Arguments

    struct Options: Equatable {
        var template: String
        var tokenizer: String
        var input: String
    }

    enum Parsed: Equatable {
        case options(Options)
        case help
        case usageError(String)
    }

    static func parse(_ arguments: [String]) -> Parsed {
        var arguments = arguments[...]
        if arguments.first == "chat" { arguments = arguments.dropFirst() }
        var values: [String: String] = [:]
        let known = ["--template", "--tokenizer", "--input"]
        while let argument = arguments.popFirst() {
            if argument == "-h" || argument == "--help" { return .help }
            var flag = argument
            var value: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                flag = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard known.contains(flag) else {
                return .usageError("unknown argument '\(argument)'; expected \(known.joined(separator: ", "))")
            }
            if value == nil { value = arguments.popFirst() }
            guard let value, !value.isEmpty else { return .usageError("\(flag) needs a value") }
            guard values[flag] == nil else { return .usageError("\(flag) given twice") }
            values[flag] = value
        }
        let missing = known.filter { values[$0] == nil }
        guard missing.isEmpty, let template = values["--template"], let tokenizer = values["--tokenizer"],
              let input = values["--input"]
        else { return .usageError("missing \(missing.joined(separator: ", "))") }
        return .options(Options(template: template, tokenizer: tokenizer, input: input))
    }

    // MARK: - Input

    /// A rejected input line: names the field and its value.
    struct Rejection: Error {
        var message: String
    }

    static func readInput(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func parseMessages(_ line: Data) throws -> [ChatMessage] {
        let value: JSONValue
        do {
            value = try line.withUnsafeBytes { raw throws(JSONSyntaxError) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        } catch {
            throw Rejection(message: "not valid JSON (\(error)); each line must be one {\"messages\": [...]} object")
        }
        guard case .object(let record) = value else {
            throw Rejection(message: "expected an object {\"messages\": [...]}, got \(value.preview())")
        }
        // A built-in format renders messages only: tools or a generation prompt would be dropped.
        for key in ["tools", "add_generation_prompt"] {
            switch record[key] {
            case nil, .null?, .bool(false)?, .array([])?:
                continue
            case let value?:
                throw Rejection(message: "field '\(key)': value \(value.preview()): a built-in chat format renders "
                    + "messages only and would drop it; use the model's own template (--template MODEL_FOLDER, "
                    + "its tokenizer_config.json or a .jinja file)")
            }
        }
        do {
            return try ChatMessage.list(fromJSON: record["messages"])
        } catch {
            throw Rejection(message: error.description)
        }
    }

    /// Reads one line as a conversation for a model's own template: messages with every key,
    /// `tools`, `add_generation_prompt` and the template variables.
    static func parseConversation(_ line: Data) throws -> ChatConversation {
        let value: JSONValue
        do {
            value = try line.withUnsafeBytes { raw throws(JSONSyntaxError) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        } catch {
            throw Rejection(message: "not valid JSON (\(error)); each line must be one {\"messages\": [...]} object")
        }
        guard case .object(let record) = value else {
            throw Rejection(message: "expected an object {\"messages\": [...]}, got \(value.preview())")
        }
        do {
            return try ChatConversation(line: record)
        } catch {
            throw Rejection(message: error.description)
        }
    }

    static func render(_ conversation: ChatConversation, template: ChatTemplate, tokenizer: any Tokenizer) throws -> TokenizedChat {
        do {
            return try template.tokenize(conversation, with: tokenizer)
        } catch let error as ChatTemplateError {
            throw Rejection(message: error.description)
        }
    }

    static func render(_ messages: [ChatMessage], format: ChatFormat, tokenizer: any Tokenizer) throws -> TokenizedChat {
        do {
            return try format.tokenize(messages, with: tokenizer)
        } catch let error as ChatFormatError {
            switch error {
            case let .unsupportedRole(index, role, _, _), let .rolesMustAlternate(index, role, _, _):
                throw Rejection(message: "field 'messages[\(index)].role': value \(JSONValue.string(role).jsonText): \(error)")
            case let .unsupportedField(index, field, _):
                throw Rejection(message: "field 'messages[\(index)].\(field)': \(error)")
            default:
                throw Rejection(message: error.description)
            }
        }
    }

    // MARK: - Output

    static func jsonLine(_ chat: TokenizedChat) -> String {
        var line = "{\"text\": "
        JSONWriter.writeString(chat.text, into: &line)
        line += ", \"input_ids\": ["
        line += chat.inputIDs.map(String.init).joined(separator: ", ")
        line += "], \"assistant_masks\": ["
        line += chat.assistantMasks.map(String.init).joined(separator: ", ")
        line += "]}\n"
        return line
    }

    // MARK: - Tokenizer

    /// Loads the tokenizer at `path`: a tokenizer.json file or a folder holding one (special
    /// tokens from tokenizer_config.json / special_tokens_map.json beside it).
    static func loadTokenizer(at path: String) throws -> any Tokenizer {
        try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: path))
    }
}
