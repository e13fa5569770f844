import Collate

extension ShardExporter {
    /// A shard's safetensors `__metadata__` entry and its `index.json` entry, rendered straight
    /// to UTF-8 bytes: the same bytes as ``metadata(for:)`` encoded by
    /// ``SafetensorsFile/encoded()`` and as ``indexEntry(_:)``'s `jsonText`, without building
    /// a dictionary, `JSONValue`s or `String`s (a third of the pipelined export's writer thread
    /// went to that text).
    /// - Returns: `metadataEntry`: `"__metadata__":{...}` with the keys sorted, as
    ///   ``SafetensorsFile/encode(_:metadataEntry:)`` takes it; `indexEntry`: the shard's
    ///   object in `index.json`'s `shards` array.
    func shardText(_ shard: Shard) -> (metadataEntry: [UInt8], indexEntry: [UInt8]) {
        var examples: [UInt8] = []
        examples.reserveCapacity(shard.examples.count * 8 + 2)
        _JSONBytes.appendIntegers(shard.examples, to: &examples)
        var lines: [UInt8] = []
        if let shardLines = shard.lines {
            lines.reserveCapacity(shardLines.count * 8 + 2)
            _JSONBytes.appendIntegers(shardLines, to: &lines)
        }
        // Keys sorted, as ``SafetensorsFile/encoded()`` writes a metadata dictionary:
        // batch, examples, fingerprint, format, lines, rank.
        var metadata: [UInt8] = []
        metadata.reserveCapacity(examples.count + lines.count + fingerprint.utf8.count + 160)
        metadata += #""__metadata__":{"batch":""#.utf8
        _JSONBytes.appendInteger(shard.batch, to: &metadata)
        metadata += #"","examples":"#.utf8
        _JSONBytes.appendString(examples, to: &metadata)
        metadata += #","fingerprint":"#.utf8
        _JSONBytes.appendString(Array(fingerprint.utf8), to: &metadata)
        metadata += #","format":"collate-safetensors-shards""#.utf8
        if shard.lines != nil {
            metadata += #","lines":"#.utf8
            _JSONBytes.appendString(lines, to: &metadata)
        }
        metadata += #","rank":""#.utf8
        _JSONBytes.appendInteger(shard.rank, to: &metadata)
        metadata += #""}"#.utf8

        var entry: [UInt8] = []
        entry.reserveCapacity(examples.count + lines.count + shard.file.utf8.count + 80)
        entry += #"{"file": "#.utf8
        _JSONBytes.appendString(Array(shard.file.utf8), to: &entry)
        entry += #", "rank": "#.utf8
        _JSONBytes.appendInteger(shard.rank, to: &entry)
        entry += #", "batch": "#.utf8
        _JSONBytes.appendInteger(shard.batch, to: &entry)
        entry += #", "examples": "#.utf8
        entry += examples
        entry += #", "tokens": "#.utf8
        _JSONBytes.appendInteger(shard.tokens, to: &entry)
        if shard.lines != nil {
            entry += #", "lines": "#.utf8
            entry += lines
        }
        entry.append(UInt8(ascii: "}"))
        return (metadata, entry)
    }
}

/// JSON text as UTF-8 bytes, written as ``JSONWriter`` writes it (`[1, 2]` with a space after
/// each comma; strings escaped as Python's `json.dumps(ensure_ascii=False)`).
enum _JSONBytes {
    /// Appends `value` in decimal.
    @inline(__always)
    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(24 - count)...])
        }
    }

    /// Appends `values` as a JSON array: `[1, 2, 3]`.
    static func appendIntegers(_ values: [Int], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out += [UInt8(ascii: ","), 0x20] }
            appendInteger(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Appends the UTF-8 text `text` as a JSON string literal, escaped as
    /// ``JSONWriter/writeString(_:into:)`` escapes it (bytes of multi-byte characters, all
    /// 0x80 and up, are copied as they are).
    static func appendString(_ text: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most text needs no escape (shard metadata: digits, brackets, commas, hex): one copy.
        if !text.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += text
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
