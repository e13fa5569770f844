import Foundation

/// Why a model folder could not be read. Each case names the file and key at fault.
public enum ModelFolderError: Error, Sendable, Hashable {
    /// The folder does not exist or is not a folder.
    case notAFolder(path: String)
    /// The folder has no `config.json`.
    case missingConfig(folder: String)
    /// A file exists but cannot be read or is not a JSON object.
    case invalidFile(file: String, reason: String)
    /// A key holds a value of the wrong type.
    case wrongType(file: String, key: String, expected: String, found: String)
}

extension ModelFolderError: CustomStringConvertible {
    /// The message: file, key and the fix.
    public var description: String {
        switch self {
        case let .notAFolder(path):
            "\(path): not a model folder; pass the folder that holds config.json, tokenizer.json and tokenizer_config.json"
        case let .missingConfig(folder):
            "\(folder): no config.json; a model folder as transformers saves it holds config.json (architectures, vocab_size, ...)"
        case let .invalidFile(file, reason):
            "\(file): \(reason)"
        case let .wrongType(file, key, expected, found):
            "\(file): key \"\(key)\" must be \(expected), found \(found)"
        }
    }
}

extension ModelFolderError: LocalizedError {
    /// The same message as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
