import Collate
import Foundation

/// Pre-tokenized examples in a JSON Lines file: one object of integer arrays per line.
public enum ExampleFile {
    /// An example read from a file, with the line it came from.
    public struct Record: Sendable, Hashable {
        /// The 1-based line number in the file.
        public var line: Int
        /// The decoded example.
        public var example: Example

        /// Creates a record.
        public init(line: Int, example: Example) {
            self.line = line
            self.example = example
        }
    }

    /// Reads every example of a JSONL file.
    /// - Throws: ``InputError`` naming the file, line, field and value of the first bad line.
    public static func read(_ url: URL) throws -> [Record] {
        var records: [Record] = []
        try JSONLinesReader(url: url).forEachLine { line, bytes in
            records.append(Record(line: line, example: try decode(bytes, file: url.path, line: line)))
        }
        return records
    }

    /// Decodes one line's bytes into an example.
    /// - Throws: ``InputError`` with the file and line.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, file: String, line: Int) throws(InputError) -> Example {
        // Integer arrays straight from bytes; anything unusual (and every error) takes the general parser.
        if let example = Example.decodeTokenizedLine(bytes) { return example }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            // A repeated key is a complete object with one mistake: the reason alone says the fix.
            throw InputError(file: file, line: line, reason: error.duplicateKey == nil ? "\(error); each line must be one complete JSON object" : "\(error)")
        }
        do {
            return try Example(json: value)
        } catch {
            throw InputError(file: file, line: line, reason: error.description)
        }
    }
}
