import Collate
import CollateData
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
    static var usage: String {
        """
            usage: \(Tool.name) tokenize --tokenizer PATH --input TEXTS.jsonl ('-' reads stdin)
            run '\(Tool.name) help tokenize' for every option
            """
    }

    /// Runs the command with the arguments after `tokenize`; returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        let tokenizerPath: String, inputPath: String
        do {
            let parsed = try Arguments(arguments, options: ["--tokenizer", "--input"])
            tokenizerPath = try parsed.required("--tokenizer")
            inputPath = try parsed.required("--input")
        } catch {
            Console.message("\(Tool.name) tokenize: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            let tokenizer = try Inputs.tokenizer(path: tokenizerPath)
            // Every line is checked before the first result is printed: a rejected input
            // prints nothing on stdout, as every collate command (README, "Command line").
            var requests: [(text: String, addSpecialTokens: Bool, line: Int)] = []
            try JSONLinesReader(url: URL(fileURLWithPath: inputPath)).forEachLine { line, bytes in
                let request = try parse(bytes, file: inputPath, line: line)
                requests.append((request.text, request.addSpecialTokens, line))
            }
            // Encoded before printing too: a text HF refuses (the file's truncation strategy
            // is OnlySecond and the text is too long) is an error naming its line.
            var encodings: [Encoding] = []
            encodings.reserveCapacity(requests.count)
            for request in requests {
                do {
                    encodings.append(try tokenizer.encode(request.text, pair: nil, addSpecialTokens: request.addSpecialTokens))
                } catch {
                    throw InputError(file: inputPath, line: request.line, reason: "\(error)")
                }
            }
            for encoding in encodings {
                var out = "{\"ids\": "
                JSONWriter.writeIntegers(encoding.ids, into: &out)
                out += ", \"offsets\": ["
                out += encoding.offsets.map { "[\($0.lowerBound), \($0.upperBound)]" }.joined(separator: ", ")
                out += "]}"
                Console.output(out)
            }
            Console.flush()
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("\(Tool.name) tokenize: \(error)")
            return ExitStatus.rejected
        }
    }

    /// One request line: `text` (a string) and `add_special_tokens` (a boolean, default true).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, line: Int) throws(InputError) -> (text: String, addSpecialTokens: Bool) {
        func reject(_ reason: String) -> InputError { InputError(file: file, line: line, reason: reason) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            // Say what is wrong (a truncated line, bytes that are not UTF-8), not only that it is wrong.
            throw reject("\(error); each line must be {\"text\": \"...\", \"add_special_tokens\": true}")
        }
        guard case .object(let object) = value else {
            throw reject("not a JSON object; each line must be {\"text\": \"...\", \"add_special_tokens\": true}")
        }
        let text: String
        switch object["text"] {
        case .string(let value)?: text = value
        case nil, .null?: throw reject("field \"text\" is missing; add the text to encode as a string")
        case let other?: throw reject("field \"text\" = \(other.preview()): must be a string")
        }
        switch object["add_special_tokens"] {
        case nil, .null?: return (text, true)
        case .bool(let flag)?: return (text, flag)
        case let other?: throw reject("field \"add_special_tokens\" = \(other.preview()): must be true or false")
        }
    }
}
