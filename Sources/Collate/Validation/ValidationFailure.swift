import Foundation

/// Thrown when validation finds errors: every diagnostic (warnings included), so a user fixes
/// everything in one pass.
public struct ValidationFailure: Error, Sendable, Hashable {
    /// All diagnostics, errors and warnings.
    public var diagnostics: [Diagnostic]

    /// Creates a failure.
    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// The codes of the error-level diagnostics, in order, without repeats.
    public var errorCodes: [Diagnostic.Code] {
        var seen = Set<Diagnostic.Code>()
        return diagnostics.errors.map(\.code).filter { seen.insert($0).inserted }
    }
}

extension ValidationFailure: CustomStringConvertible {
    public var description: String {
        let errors = diagnostics.errors.count
        let header = "validation found \(errors) error\(errors == 1 ? "" : "s") and \(diagnostics.count - errors) warning\(diagnostics.count - errors == 1 ? "" : "s"); the pipeline did not start:"
        return ([header] + diagnostics.map { "  " + $0.description }).joined(separator: "\n")
    }
}

extension ValidationFailure: LocalizedError {
    public var errorDescription: String? { description }
}
