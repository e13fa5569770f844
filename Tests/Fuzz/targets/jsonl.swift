// libFuzzer target: one JSONL line -> JSONParser -> Example (the pre-tokenized reader's path).
//
// Oracles besides "no crash": a parsed value written back as JSON parses to the same value
// (writer and parser agree), and an accepted example holds only Int32 ids, as the decoder
// promises. Built and run by Tests/Fuzz/run.sh jsonl.
import Collate
import CollateData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONL(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The reader's own line decoding (file/line in errors).
    switch Result(catching: { () throws(InputError) in try ExampleFile.decode(bytes, file: "fuzz.jsonl", line: 1) }) {
    case .success(let example):
        for name in example.names {
            guard let value = example[name] else { fatalError("field \(name) listed but absent") }
            if case .sequence(let ids) = value, ids.contains(where: { Int64($0) != Int64(Int32($0)) }) {
                fatalError("non-Int32 id accepted")
            }
        }
    case .failure(let error):
        guard error.line == 1, error.file == "fuzz.jsonl", !error.reason.isEmpty else {
            fatalError("error without file/line/reason: \(error)")
        }
    }
    // Round trip: parse -> write -> parse gives the same value.
    if let value = try? JSONParser.parse(bytes) {
        let text = value.jsonText
        guard let again = try? JSONParser.parse(text) else { fatalError("written JSON does not parse: \(text.prefix(200))") }
        guard again == value else { fatalError("round trip changed the value: \(text.prefix(200))") }
    }
    return 0
}
