/// Diagnostics grouped by code, for people: a thousand bad examples read as one finding with
/// a count, the first few examples and the message once, not as a thousand paragraphs.
///
/// `collate validate` prints its text format with it and `collate inspect` can reuse it; the
/// JSON format (``Diagnostic/jsonText(_:)``) stays complete, one object per diagnostic.
///
/// ```swift
/// let summary = DiagnosticSummary(diagnostics)
/// print(summary.text { diagnostic in diagnostic.example.map { "data.jsonl:\($0 + 1): " } ?? "data.jsonl: " })
/// // data.jsonl:1: error[ragged-labels]: example 0: 'labels' has 2 tokens but 'input_ids' has 3; … Fix: …
/// //   999 more with error[ragged-labels] (1000 in all):
/// //   data.jsonl:2: 'labels' has 4 tokens but 'input_ids' has 3
/// //   …
/// //   ... and 996 more (--format json lists every one)
/// ```
public struct DiagnosticSummary: Sendable, Hashable {
    /// Every diagnostic of one code and severity, in the order they were reported.
    public struct Group: Sendable, Hashable {
        /// The code they share.
        public var code: Diagnostic.Code
        /// The severity they share.
        public var severity: Diagnostic.Severity
        /// The diagnostics, first one first.
        public var diagnostics: [Diagnostic]

        /// How many diagnostics the group holds.
        public var count: Int { diagnostics.count }
        /// The examples at fault (0-based), in order; dataset-level findings are left out.
        public var examples: [Int] { diagnostics.compactMap(\.example) }
    }

    /// The groups: errors before warnings, otherwise in the order their first diagnostic came.
    public var groups: [Group]

    /// Groups `diagnostics` by code and severity.
    /// - Complexity: O(*n*) in the number of diagnostics.
    public init(_ diagnostics: some Sequence<Diagnostic>) {
        var groups: [Group] = []
        var index: [String: Int] = [:]
        for diagnostic in diagnostics {
            let key = diagnostic.code.rawValue + "/" + diagnostic.severity.rawValue
            if let position = index[key] {
                groups[position].diagnostics.append(diagnostic)
            } else {
                index[key] = groups.count
                groups.append(Group(code: diagnostic.code, severity: diagnostic.severity, diagnostics: [diagnostic]))
            }
        }
        // Stable: errors first, then first appearance.
        self.groups = groups.enumerated().sorted { lhs, rhs in
            lhs.element.severity != rhs.element.severity ? lhs.element.severity > rhs.element.severity : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// The number of diagnostics in all groups.
    public var count: Int { groups.reduce(0) { $0 + $1.count } }

    /// The summary as text, one block per group.
    ///
    /// A group of one is one line, `LOCATION` + `error[code]: message`. A larger group prints its
    /// first diagnostic that way (the message, with its cause and fix, once), then a line with the
    /// count, the ``Diagnostic/headline`` of the next `shown` diagnostics, and `... and N more`.
    /// - Parameters:
    ///   - shown: How many further diagnostics of a group are listed by their headline.
    ///   - location: The prefix naming where a diagnostic points, e.g. `data.jsonl:3: `.
    /// - Returns: The text, without a final newline; empty when there are no diagnostics.
    /// - Complexity: O(*g* × `shown`) lines for *g* groups.
    public func text(shown: Int = 3, location: (Diagnostic) -> String = { _ in "" }) -> String {
        groups.map { $0.text(shown: shown, location: location) }.joined(separator: "\n")
    }
}

extension DiagnosticSummary.Group {
    /// The group as text: one line for a group of one; otherwise the first diagnostic in full,
    /// a count, the ``Diagnostic/headline`` of the next `shown` and `... and N more`.
    /// - Parameters:
    ///   - shown: How many further diagnostics are listed by their headline.
    ///   - location: The prefix naming where a diagnostic points, e.g. `data.jsonl:3: `.
    /// - Returns: The lines, joined by newlines, without a final one.
    public func text(shown: Int = 3, location: (Diagnostic) -> String = { _ in "" }) -> String {
        let first = diagnostics[0]
        var lines = [location(first) + first.description]
        let rest = diagnostics.dropFirst()
        guard !rest.isEmpty else { return lines[0] }
        lines.append("  \(rest.count) more with \(severity.rawValue)[\(code.rawValue)] (\(count) in all):")
        for diagnostic in rest.prefix(shown) {
            lines.append("  " + location(diagnostic) + diagnostic.headline)
        }
        if rest.count > shown {
            lines.append("  ... and \(rest.count - shown) more (--format json lists every one)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Diagnostic {
    /// The message's first clause — what happened, without the why and the fix — for the
    /// repeated lines of a ``DiagnosticSummary`` group: `'labels' has 4 tokens but 'input_ids' has 3`.
    ///
    /// A leading `example N: ` is dropped (the location names the example); the rest is cut at
    /// the first `; ` or `: `, at a ` but ` / `, so ` / `, and ` after the first 30 characters,
    /// and at 160 characters.
    public var headline: String {
        var text = Substring(message)
        if text.hasPrefix("example "), let colon = text.range(of: ": ") {
            let label = text[text.startIndex..<colon.lowerBound]
            // "example 12" or "example 12 (line 14)": a bare label, dropped.
            if label.dropFirst("example ".count).allSatisfy({ $0.isNumber || " (line)".contains($0) }) {
                text = text[colon.upperBound...]
            }
        }
        var cuts = ["; ", ": "].compactMap { text.range(of: $0)?.lowerBound }
        // A consequence joined by "but", "so" or "and" goes too, once the fact itself is said.
        for joint in [" but ", ", but ", ", so ", ", and "] {
            var from = text.startIndex
            while let range = text[from...].range(of: joint) {
                if text.distance(from: text.startIndex, to: range.lowerBound) >= 30 {
                    cuts.append(range.lowerBound)
                    break
                }
                from = range.upperBound
            }
        }
        if let cut = cuts.min() { text = text[..<cut] }
        if text.count > 160 { text = text.prefix(159) + "…" }
        return String(text)
    }
}
