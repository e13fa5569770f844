import Foundation

/// An error found while loading a `tokenizer.json` file (or its companion configuration
/// files) into a ``PretrainedTokenizer``.
///
/// Every case carries the offending value and, where it comes from JSON, the path of that
/// value inside the document (`model.merges[12]`, `normalizer.normalizers[2].type`), so a
/// message can point at the exact place to fix. Nothing is silently ignored: a component
/// type this package does not implement is reported as ``unsupportedComponent(path:type:)``
/// rather than skipped.
public enum TokenizerJSONError: Error, Hashable, Sendable {
    /// The file or folder does not exist or cannot be read.
    case unreadableFile(path: String)
    /// A folder was given that holds no `tokenizer.json`.
    case missingTokenizerFile(folder: String)
    /// The file is not valid JSON.
    case malformedJSON(file: String)
    /// A required key is missing.
    case missingKey(path: String)
    /// A value has the wrong JSON type.
    case wrongType(path: String, expected: String, found: String)
    /// A component `type` this package does not implement.
    case unsupportedComponent(path: String, type: String)
    /// A regular expression that does not compile.
    case invalidRegex(path: String, pattern: String)
    /// A token that must be in the model vocabulary is not.
    case tokenNotInVocabulary(path: String, token: String)
    /// A value of the right type but outside what is allowed.
    case invalidValue(path: String, value: String, reason: String)
}

extension TokenizerJSONError: CustomStringConvertible {
    /// A message that names the bad value, where it is, and what to do about it.
    public var description: String {
        switch self {
        case .unreadableFile(let path):
            return "cannot read \(path): check that the path exists and points to a tokenizer.json file or a folder holding one"
        case .missingTokenizerFile(let folder):
            return "folder \(folder) holds no tokenizer.json: pass the folder that contains it (HF `save_pretrained` output) or the file itself"
        case .malformedJSON(let file):
            return "\(file) is not valid JSON: re-export it with `tokenizer.save(\"tokenizer.json\")` from HF tokenizers"
        case .missingKey(let path):
            return "\(path) is missing: a tokenizer.json written by HF tokenizers always has it; re-export the file"
        case .wrongType(let path, let expected, let found):
            return "\(path) is \(found) but must be \(expected): fix the value or re-export the file"
        case .unsupportedComponent(let path, let type):
            return "\(path) = \"\(type)\" is not supported: supported components are listed in Guides/Tokenizers.md; convert the tokenizer or open an issue"
        case .invalidRegex(let path, let pattern):
            return "\(path) = \"\(pattern)\" is not a valid regular expression (ICU syntax): fix the pattern"
        case .tokenNotInVocabulary(let path, let token):
            return "\(path) refers to \"\(token)\", which is not in model.vocab: add it to the vocabulary or remove the reference"
        case .invalidValue(let path, let value, let reason):
            return "\(path) = \(value) is invalid: \(reason)"
        }
    }
}

extension TokenizerJSONError: LocalizedError {
    /// Same as ``description``.
    public var errorDescription: String? { description }
}
