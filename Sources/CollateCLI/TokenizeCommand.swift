import CollateTokenizers
import Foundation

/// `collate tokenize --tokenizer PATH --input TEXTS.jsonl`: encodes each input line with a
/// `tokenizer.json` and prints `{"ids": [...], "offsets": [[s, e], ...]}` per line.
///
/// Input lines are `{"text": "...", "add_special_tokens": bool}` (`add_special_tokens`
/// defaults to `true`); blank lines are skipped. Offsets are in Unicode scalars, as HF
/// tokenizers reports them. Exit status: 0 on success, 1 when the tokenizer or an input
/// line is rejected (the message names the file, line and field), 2 on usage errors.
enum TokenizeCommand {
    static let usage = "usage: collate tokenize --tokenizer PATH --input TEXTS.jsonl"

    /// Runs the command with the arguments after `tokenize`; returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        var tokenizerPath: String?
        var inputPath: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--tokenizer", "--input":
                guard index + 1 < arguments.count else {
                    return usageError("\(argument) needs a value")
                }
                if argument == "--tokenizer" { tokenizerPath = arguments[index + 1] } else { inputPath = arguments[index + 1] }
                index += 2
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return usageError("unknown argument \(argument)")
            }
        }
        guard let tokenizerPath else { return usageError("--tokenizer is required") }
        guard let inputPath else { return usageError("--input is required") }

        let tokenizer: PretrainedTokenizer
        do {
            tokenizer = try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: tokenizerPath))
        } catch {
            printError("error: --tokenizer \(tokenizerPath): \(error)")
            return 1
        }
        guard let data = FileManager.default.contents(atPath: inputPath) else {
            printError("error: cannot read \(inputPath): check the --input path")
            return 1
        }

        var output = ""
        var lineNumber = 0
        // Split on bytes, as JSONLinesReader does: a String would decode invalid UTF-8 to U+FFFD
        // silently and treat "\r\n" as one Character, so CRLF files would never split.
        for var bytes in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if lineNumber == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            guard let line = String(validating: bytes, as: UTF8.self) else {
                printError("error: \(inputPath):\(lineNumber): the line is not valid UTF-8; re-encode the file as UTF-8")
                return 1
            }
            if line.allSatisfy(\.isWhitespace) { continue }
            let request: (text: String, addSpecialTokens: Bool)
            switch parse(line: Substring(line)) {
            case .success(let parsed):
                request = parsed
            case .failure(let message):
                printError("error: \(inputPath):\(lineNumber): \(message.text)")
                return 1
            }
            let encoding = tokenizer.encode(request.text, addSpecialTokens: request.addSpecialTokens)
            output += "{\"ids\": ["
            output += encoding.ids.map(String.init).joined(separator: ", ")
            output += "], \"offsets\": ["
            output += encoding.offsets.map { "[\($0.lowerBound), \($0.upperBound)]" }.joined(separator: ", ")
            output += "]}\n"
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        return 0
    }

    /// A message explaining why a line was rejected.
    struct LineError: Error {
        let text: String
    }

    private static func parse(line: Substring) -> Result<(text: String, addSpecialTokens: Bool), LineError> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            return .failure(LineError(text: "not a JSON object; each line must be {\"text\": \"...\", \"add_special_tokens\": true}"))
        }
        guard let rawText = object["text"], !(rawText is NSNull) else {
            return .failure(LineError(text: "field \"text\" is missing; add the text to encode as a string"))
        }
        guard let text = rawText as? String else {
            return .failure(LineError(text: "field \"text\" must be a string"))
        }
        var addSpecialTokens = true
        if let raw = object["add_special_tokens"], !(raw is NSNull) {
            guard let number = raw as? NSNumber, String(cString: number.objCType) == "c" else {
                return .failure(LineError(text: "field \"add_special_tokens\" must be true or false"))
            }
            addSpecialTokens = number.boolValue
        }
        return .success((text, addSpecialTokens))
    }

    private static func usageError(_ message: String) -> Int32 {
        printError("error: \(message)\n\(usage)")
        return 2
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
