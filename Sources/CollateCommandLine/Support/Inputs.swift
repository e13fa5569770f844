import Collate
import CollateData
import CollateTokenizers
import Foundation

/// Loading a spec and an examples file, shared by the subcommands that take them.
enum Inputs {
    /// Reads and builds the collator of a spec file.
    /// - Throws: ``InputError`` naming the file and what is wrong with it.
    static func collator(specPath: String) throws -> any Collator<Batch> {
        // Bytes, not a String: the strict parser names invalid UTF-8 instead of the file
        // being called unreadable.
        let data = try FileReading.bytes(atPath: specPath, kind: "spec file")
        do {
            return try CollatorRegistry.current.makeCollator(fromJSON: [UInt8](data))
        } catch {
            throw InputError(file: specPath, line: nil, reason: "\(error)")
        }
    }

    /// Reads every example of a JSONL file, which must hold at least one.
    static func examples(path: String) throws -> [ExampleFile.Record] {
        let records = try ExampleFile.read(URL(fileURLWithPath: path))
        guard !records.isEmpty else { throw emptyInput(path) }
        return records
    }

    /// The error for a data file without a single example.
    static func emptyInput(_ path: String) -> InputError {
        InputError(file: path, line: nil, reason: "the file holds no examples")
    }

    /// Turns a collation error in the batch starting at `offset` into one naming the input line.
    static func locate(_ error: CollateError, offset: Int, records: [ExampleFile.Record], file: String) -> InputError {
        let global = error.offsettingExample(by: offset)
        let line = global.exampleIndex.flatMap { $0 < records.count ? records[$0].line : nil }
        return InputError(file: file, line: line, reason: global.description)
    }
}

extension Inputs {
    /// Loads a tokenizer.json file or a folder holding one.
    static func tokenizer(path: String) throws -> PretrainedTokenizer {
        do {
            return try FileReading.tokenizer(path: path)
        } catch {
            throw InputError(file: path, line: nil, reason: "\(error)")
        }
    }

    /// A built-in chat format by name.
    static func chatFormat(name: String) throws(UsageError) -> ChatFormat {
        do {
            return try ChatFormat.named(name)
        } catch {
            throw UsageError("\(error)")
        }
    }
}
