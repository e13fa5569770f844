import Collate
import Foundation

/// Why a pipeline file (or a model folder it names) could not describe a run. Each case names
/// the key or file at fault, the value found, and what would be accepted.
public enum PipelineFileError: Error, Sendable, Hashable {
    /// The file cannot be read.
    case unreadable(file: String)
    /// The file is not valid JSON, or its top level is not an object.
    case notAnObject(file: String, found: String)
    /// A key the pipeline file does not have (a typo, usually). `path` is the dotted key, e.g. `packing.max_token`.
    case unknownKey(file: String, path: String, allowed: [String])
    /// A key whose value has the wrong JSON type.
    case wrongType(file: String, path: String, expected: String, found: String)
    /// A key whose value has the right type but is not allowed.
    case invalidValue(file: String, path: String, value: String, reason: String)
    /// A key the run cannot do without.
    case missingKey(file: String, path: String, reason: String)
}

extension PipelineFileError: CustomStringConvertible {
    /// The message: file, key, value and the fix.
    public var description: String {
        switch self {
        case let .unreadable(file):
            "\(file): cannot read the pipeline file; check the path"
        case let .notAnObject(file, found):
            "\(file): a pipeline file must be a JSON object like {\"data\": {\"path\": \"train.jsonl\"}}; found \(found)"
        case let .unknownKey(file, path, allowed):
            "\(file): unknown key \"\(path)\""
                + (PipelineFileError.closest(to: String(path.split(separator: ".").last ?? ""), in: allowed).map { " (did you mean \"\($0)\"?)" } ?? "")
                + "; allowed keys here: \(allowed.joined(separator: ", "))"
        case let .wrongType(file, path, expected, found):
            "\(file): key \"\(path)\" must be \(expected), found \(found)"
        case let .invalidValue(file, path, value, reason):
            "\(file): key \"\(path)\" = \(value): \(reason)"
        case let .missingKey(file, path, reason):
            "\(file): missing key \"\(path)\": \(reason)"
        }
    }

    /// The candidate within edit distance 2 of `word` (or one extending it): a likely typo's intent.
    static func closest(to word: String, in candidates: [String]) -> String? {
        guard !word.isEmpty else { return nil }
        return SpecError.closest(to: word, in: candidates)
    }
}

extension PipelineFileError: LocalizedError {
    /// The same message as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }
}
