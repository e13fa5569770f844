/// What a dataset reader does with a line it cannot turn into an example.
public enum BadLinePolicy: String, Sendable, Hashable {
    /// Stop at the first bad line with an ``InputError`` naming file, line, field and value.
    case reject
    /// Skip the line, keep its error in the ``DatasetReport``, and go on.
    case skip
}

/// What reading a dataset did: how many examples it produced and every line it skipped.
public struct DatasetReport: Sendable, Hashable, CustomStringConvertible {
    /// Examples produced.
    public var examples = 0
    /// Lines skipped under ``BadLinePolicy/skip``, each with file, line and reason.
    public var skipped: [InputError] = []

    /// Creates an empty report.
    public init() {}

    public var description: String {
        var text = "\(examples) examples"
        if !skipped.isEmpty {
            text += ", \(skipped.count) lines skipped:"
            for error in skipped.prefix(10) { text += "\n  \(error)" }
            if skipped.count > 10 { text += "\n  ... and \(skipped.count - 10) more" }
        }
        return text
    }
}
