import Foundation

/// Why an export could not be written, or why an exported folder cannot be read: the path and
/// what to do.
public enum ExportError: Error, Sendable, Hashable {
    /// Another export holds the folder's lock (`.collate-export.lock`).
    case locked(directory: String)
    /// The lock file cannot be created or locked.
    case cannotLock(path: String, cause: String)
    /// Something other than a file stands where `index.json` goes (a folder, a device).
    case indexNotAFile(path: String)
    /// `index.json` is missing: no export finished in the folder, or one is running or was stopped.
    case noIndex(path: String)
    /// `index.json` is not an index Collate wrote.
    case invalidIndex(path: String, reason: String)
    /// A shard is missing, unreadable, or belongs to another export than its index.
    case shardMismatch(shard: String, reason: String)
}

extension ExportError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .locked(let directory):
            "another export is writing \(directory) (it holds \(directory)/\(ShardExporter.lockFileName)); wait for it to finish, "
                + "or export to another --out"
        case let .cannotLock(path, cause):
            "cannot lock \(path): \(cause); check the folder's permissions"
        case .indexNotAFile(let path):
            "\(path) is not a regular file (a folder or a device stands there); remove it and export again"
        case .noIndex(let path):
            "\(path) does not exist: no export of this folder finished (one may be running, or was stopped); run the export "
                + "(again) to complete it"
        case let .invalidIndex(path, reason):
            "\(path) is not a Collate export index: \(reason)"
        case let .shardMismatch(shard, reason):
            "\(shard): \(reason); the folder holds shards of another export — run the export again to rewrite them"
        }
    }

    public var errorDescription: String? { description }
}
