import Collate

extension TokenView {
    /// ANSI styles for the terminal view; empty strings when colour is off.
    public struct TerminalStyle: Sendable, Hashable {
        /// Style for trained tokens.
        public var trained: String
        /// Style for masked tokens.
        public var masked: String
        /// Style for padding.
        public var padding: String
        /// Sequence that resets the style.
        public var reset: String

        /// Green trained tokens, dim grey masked ones, dim padding.
        public static let colored = TerminalStyle(trained: "\u{1B}[1;32m", masked: "\u{1B}[2;37m", padding: "\u{1B}[2;35m", reset: "\u{1B}[0m")
        /// No escape codes; trained runs are marked `⟦…⟧` instead (characters chat text does not
        /// use, unlike `[` and `]`), padding runs read `⟨N × pad ID⟩`.
        public static let plain = TerminalStyle(trained: "", masked: "", padding: "", reset: "")

        /// Whether this style uses colour.
        public var isColored: Bool { !reset.isEmpty }
    }

    /// The view as text for a terminal, one block per sequence.
    ///
    /// With colour, trained tokens are green, masked grey and padding dim magenta. Without it,
    /// trained runs are wrapped in `⟦` `⟧` (mathematical white brackets: chat text is full of
    /// `[` and `]`, `[INST]` and JSON among them, so those would be ambiguous) and a padding run
    /// reads `⟨N × pad ID⟩`, so the roles stay visible in a log file.
    /// A sequence with ``Sequence/targets`` (labels of their own length) gets a second line,
    /// `targets:`, holding them as a trained run.
    /// - Parameters:
    ///   - text: The display text of a token id (e.g. its vocabulary entry with `▁` as a space).
    ///   - style: Colours, or ``TerminalStyle/plain``.
    ///   - showIDs: Append `(label,id)` after each token.
    ///   - limit: Show at most this many sequences.
    public func terminalText(text: (Int32) -> String, style: TerminalStyle, showIDs: Bool = false, limit: Int = .max) -> String {
        var out = ""
        for (number, sequence) in sequences.prefix(limit).enumerated() {
            let trained = sequence.trainedCount
            let padding = sequence.tokens.count { $0.role == .padding }
            out += "── sequence \(number) (row \(sequence.row)): \(sequence.tokens.count - padding) tokens, \(trained) trained, \(padding) padding\n"
            for run in sequence.runs {
                out += open(run.role, style)
                if run.role == .padding {
                    // A run of pad tokens says nothing token by token: show its length.
                    out += "⟨\(run.tokens.count) × pad \(run.tokens.first.map { String($0.id) } ?? "")⟩"
                } else {
                    for token in run.tokens {
                        out += text(token.id)
                        if showIDs { out += "(\(token.label.map(String.init) ?? "-"),\(token.id))" }
                    }
                }
                out += close(run.role, style)
            }
            out += "\n"
            if let targets = sequence.targets {
                // Targets of their own length: what the decoder is trained to produce, after the input.
                out += "  targets: " + open(.trained, style)
                for target in targets {
                    out += text(target)
                    if showIDs { out += "(\(target))" }
                }
                out += close(.trained, style) + "\n"
            }
        }
        return out
    }

    /// The mark before a trained run in the plain view.
    public static let trainedOpen = "⟦"
    /// The mark after a trained run in the plain view.
    public static let trainedClose = "⟧"

    /// The key to the view's marks, for a header line: `⟦trained⟧ masked ⟨N × pad⟩` in the plain
    /// style, the role names in their colours otherwise.
    /// - Parameter style: The style the view is printed in.
    public static func legend(_ style: TerminalStyle) -> String {
        style.isColored
            ? "\(style.trained)trained\(style.reset) \(style.masked)masked\(style.reset) \(style.padding)padding\(style.reset)"
            : "\(trainedOpen)trained\(trainedClose) masked ⟨N × pad⟩"
    }

    private func open(_ role: TokenRole, _ style: TerminalStyle) -> String {
        switch role {
        case .trained: style.isColored ? style.trained : TokenView.trainedOpen
        case .masked: style.masked
        case .padding: style.isColored ? style.padding : ""
        }
    }

    private func close(_ role: TokenRole, _ style: TerminalStyle) -> String {
        if style.isColored { return style.reset }
        switch role {
        case .trained: return TokenView.trainedClose
        case .masked: return ""
        case .padding: return ""
        }
    }
}
