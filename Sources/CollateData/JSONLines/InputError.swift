import Collate
import Foundation

/// Bad input in a file: where (file and 1-based line), what field and value, and how to fix it.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file's path as given.
    public var file: String
    /// The 1-based line number, or `nil` when the problem is the file as a whole.
    public var line: Int?
    /// What is wrong, including the field and value where known, and the fix.
    public var reason: String

    /// Creates an input error.
    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}

extension InputError: LocalizedError {
    /// The ``description``, so `localizedDescription` names the file and the cause instead of
    /// "The operation could not be completed".
    public var errorDescription: String? { description }
}
