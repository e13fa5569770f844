import Collate
import Foundation

/// The index of a finished export (`DIR/index.json`), read and checked against its shards.
///
/// Reading refuses a folder whose shards do not belong to its index: a shard whose
/// `__metadata__` fingerprint, rank or batch differs from the index (a re-export of another
/// dataset into the same folder that was stopped midway), or a missing shard. A folder
/// without `index.json` has no finished export.
///
/// ```swift
/// let index = try ShardIndex(directory: URL(fileURLWithPath: "out"))
/// for shard in index.shards where shard.rank == rank { let batch = try index.batch(shard) }
/// ```
public struct ShardIndex: Sendable, Hashable {
    /// The export folder.
    public var directory: URL
    /// The fingerprint every shard carries.
    public var fingerprint: String
    /// The number of ranks.
    public var worldSize: Int
    /// The shards, rank by rank, in batch order.
    public var shards: [ShardExporter.Shard]

    /// Reads `directory/index.json` and checks every shard's metadata against it.
    /// - Parameter verifyShards: Whether to open every shard and compare its fingerprint, rank
    ///   and batch with the index (the default); without it only ``batch(_:)`` checks.
    /// - Throws: ``ExportError`` naming the path: no index, not an index, a shard missing or
    ///   from another export.
    /// - Complexity: O(*S*) shard header reads when verifying.
    public init(directory: URL, verifyShards: Bool = true) throws {
        self.directory = directory
        let url = directory.appendingPathComponent("index.json")
        var status = stat()
        guard stat(url.path, &status) == 0 else { throw ExportError.noIndex(path: url.path) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ExportError.indexNotAFile(path: url.path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ExportError.invalidIndex(path: url.path, reason: "it cannot be read")
        }
        let value: JSONValue
        do {
            value = try data.withUnsafeBytes { raw throws(JSONSyntaxError) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        } catch {
            throw ExportError.invalidIndex(path: url.path, reason: "\(error)")
        }
        func invalid(_ reason: String) -> ExportError { .invalidIndex(path: url.path, reason: reason) }
        guard case .object(let object) = value, object["format"] == .string("collate-safetensors-shards") else {
            throw invalid("no \"format\": \"collate-safetensors-shards\"")
        }
        guard case .string(let fingerprint)? = object["fingerprint"] else { throw invalid("no string \"fingerprint\"") }
        guard case .integer(let worldSize)? = object["world_size"] else { throw invalid("no integer \"world_size\"") }
        guard case .array(let entries)? = object["shards"] else { throw invalid("no \"shards\" array") }
        self.fingerprint = fingerprint
        self.worldSize = Int(worldSize)
        var shards: [ShardExporter.Shard] = []
        shards.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() {
            guard case .object(let shard) = entry, case .string(let file)? = shard["file"], case .integer(let rank)? = shard["rank"],
                  case .integer(let batch)? = shard["batch"], case .array(let examples)? = shard["examples"],
                  case .integer(let tokens)? = shard["tokens"]
            else { throw invalid("shards[\(position)] lacks file, rank, batch, examples or tokens") }
            // A shard path stays inside the folder.
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else { throw invalid("shards[\(position)].file \(file) leaves the folder") }
            shards.append(ShardExporter.Shard(
                file: file, rank: Int(rank), batch: Int(batch),
                examples: examples.compactMap { if case .integer(let index) = $0 { Int(index) } else { nil } }, tokens: Int(tokens)))
        }
        self.shards = shards
        if verifyShards {
            for shard in shards { _ = try batch(shard) }
        }
    }

    /// Reads one shard, refusing it when its metadata does not match the index.
    /// - Throws: ``ExportError/shardMismatch(shard:reason:)``.
    public func batch(_ shard: ShardExporter.Shard) throws -> Batch {
        let url = directory.appendingPathComponent(shard.file)
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(contentsOf: url)
        } catch let error as SafetensorsError {
            throw ExportError.shardMismatch(shard: url.path, reason: "not a valid safetensors file (\(error))")
        } catch {
            throw ExportError.shardMismatch(shard: url.path, reason: "missing or unreadable")
        }
        let found = file.metadata["fingerprint"] ?? "none"
        guard found == fingerprint else {
            throw ExportError.shardMismatch(shard: url.path, reason: "its fingerprint \(found) is not the index's \(fingerprint)")
        }
        guard file.metadata["rank"] == String(shard.rank), file.metadata["batch"] == String(shard.batch) else {
            throw ExportError.shardMismatch(
                shard: url.path, reason: "it says rank \(file.metadata["rank"] ?? "none"), batch \(file.metadata["batch"] ?? "none"); "
                    + "the index says rank \(shard.rank), batch \(shard.batch)")
        }
        return file.batch
    }
}
