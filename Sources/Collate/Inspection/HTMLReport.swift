/// A self-contained HTML page (no scripts, no network) showing what a batch trains: the
/// masking view, the tensors, the statistics, the validator's diagnostics, a histogram of
/// sequence lengths and the padding waste per batch, padded versus packed, as inline SVG.
public struct HTMLReport: Sendable {
    /// One batch's padding waste under two layouts.
    public struct BatchWaste: Sendable, Hashable {
        /// Waste when padded to the batch's longest sequence.
        public var padded: Double
        /// Waste when the same sequences are packed into fixed-capacity rows.
        public var packed: Double

        /// Creates a pair of waste fractions (0...1).
        public init(padded: Double, packed: Double) {
            self.padded = padded
            self.packed = packed
        }
    }

    /// The page title.
    public var title: String
    /// The batch shown token by token.
    public var view: TokenView
    /// The display text of a token id.
    public var tokenText: @Sendable (Int32) -> String
    /// The batch's tensors: name, shape, dtype.
    public var tensors: [(name: String, shape: [Int], dtype: String)]
    /// The batch's statistics.
    public var statistics: BatchStatistics
    /// The validator's findings.
    public var diagnostics: [Diagnostic]
    /// The length of every example in the dataset, for the histogram.
    public var sequenceLengths: [Int]
    /// Padding waste per batch over the dataset.
    public var waste: [BatchWaste]

    /// Creates a report.
    public init(title: String, view: TokenView, tokenText: @escaping @Sendable (Int32) -> String,
                tensors: [(name: String, shape: [Int], dtype: String)], statistics: BatchStatistics,
                diagnostics: [Diagnostic], sequenceLengths: [Int], waste: [BatchWaste]) {
        self.title = title
        self.view = view
        self.tokenText = tokenText
        self.tensors = tensors
        self.statistics = statistics
        self.diagnostics = diagnostics
        self.sequenceLengths = sequenceLengths
        self.waste = waste
    }

    /// The page.
    public var html: String {
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px; color: #1d1d1f; }
            h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
            table { border-collapse: collapse; } td, th { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
            .seq { font: 13px/1.7 Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-all; border: 1px solid #ddd; padding: 8px; margin: 8px 0; border-radius: 6px; }
            .trained { background: #c8f7c5; color: #0b5d1e; } .masked { color: #8a8a8e; } .padding { background: #f3e5f5; color: #b39ddb; }
            .legend span { padding: 2px 8px; margin-right: 8px; border-radius: 4px; }
            .error { color: #b00020; } .warning { color: #9a6700; } .ok { color: #0b5d1e; }
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p class="legend"><span class="trained">trained</span><span class="masked">masked</span><span class="padding">padding</span></p>

            """
        out += "<h2>Diagnostics</h2>\n"
        if diagnostics.isEmpty {
            out += "<p id=\"diagnostics\" class=\"ok\">No problems found.</p>\n"
        } else {
            out += "<ul id=\"diagnostics\">\n"
            for diagnostic in diagnostics {
                out += "<li class=\"\(diagnostic.severity.rawValue)\"><code>\(diagnostic.code.rawValue)</code> \(escape(diagnostic.message))</li>\n"
            }
            out += "</ul>\n"
        }
        out += "<h2>Statistics</h2>\n<table id=\"statistics\">\n"
        out += row("rows", "\(statistics.rows)") + row("positions", "\(statistics.positions)") + row("real tokens", "\(statistics.realTokens)")
        out += row("trained labels", "\(statistics.trainedLabels)") + row("num_items_in_batch", "\(statistics.numItemsInBatch)")
        out += row("padding waste", percent(statistics.paddingWaste)) + row("trainable fraction", percent(statistics.trainableFraction))
        out += "</table>\n<h2>Tensors</h2>\n<table id=\"tensors\"><tr><th>name</th><th>shape</th><th>dtype</th></tr>\n"
        for tensor in tensors {
            out += "<tr><td><code>\(escape(tensor.name))</code></td><td>\(tensor.shape)</td><td>\(tensor.dtype)</td></tr>\n"
        }
        out += "</table>\n<h2>Tokens</h2>\n<div id=\"tokens\">\n"
        for (number, sequence) in view.sequences.enumerated() {
            out += "<div class=\"seq\" data-sequence=\"\(number)\">"
            for run in sequence.runs {
                if run.role == .padding {
                    out += "<span class=\"padding\" title=\"\(run.tokens.count) padding positions, id \(run.tokens[run.tokens.startIndex].id)\">pad × \(run.tokens.count)</span>"
                    continue
                }
                for token in run.tokens {
                    let tip = "id \(token.id), label \(token.label.map(String.init) ?? "none")"
                    out += "<span class=\"\(token.role.rawValue)\" title=\"\(tip)\">\(escape(tokenText(token.id)))</span>"
                }
            }
            out += "</div>\n"
        }
        out += "</div>\n<h2>Sequence lengths</h2>\n" + histogramSVG()
        out += "<h2>Padding waste per batch</h2>\n" + wasteSVG()
        out += "</body></html>\n"
        return out
    }

    private func row(_ name: String, _ value: String) -> String { "<tr><th>\(name)</th><td>\(value)</td></tr>\n" }

    private func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Lengths in 20 equal-width bins.
    private func histogramSVG() -> String {
        let width = 640.0, height = 200.0, binCount = 20
        guard let longest = sequenceLengths.max(), longest > 0 else { return "<p>No sequences.</p>\n" }
        let binWidth = max(1, (longest + binCount - 1) / binCount)
        var bins = [Int](repeating: 0, count: binCount)
        for length in sequenceLengths { bins[min(binCount - 1, length / binWidth)] += 1 }
        let tallest = Double(bins.max() ?? 1)
        let barWidth = width / Double(binCount)
        var svg = "<svg id=\"length-histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height) + 24)\" role=\"img\" aria-label=\"histogram of sequence lengths\">\n"
        for (index, count) in bins.enumerated() {
            let barHeight = tallest > 0 ? Double(count) / tallest * (height - 10) : 0
            let x = Double(index) * barWidth
            svg += "<rect class=\"bar\" x=\"\(format(x + 1))\" y=\"\(format(height - barHeight))\" width=\"\(format(barWidth - 2))\" height=\"\(format(barHeight))\" fill=\"#5b8def\"><title>\(index * binWidth)–\((index + 1) * binWidth - 1): \(count)</title></rect>\n"
        }
        svg += "<text x=\"0\" y=\"\(Int(height) + 18)\" font-size=\"12\">0</text><text x=\"\(Int(width) - 60)\" y=\"\(Int(height) + 18)\" font-size=\"12\">\(longest) tokens</text>\n</svg>\n"
        return svg
    }

    /// Two bars per batch: padded (orange) and packed (blue).
    private func wasteSVG() -> String {
        let width = 640.0, height = 160.0
        guard !waste.isEmpty else { return "<p>No batches.</p>\n" }
        let slot = width / Double(waste.count)
        var svg = "<svg id=\"padding-waste\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height) + 24)\" role=\"img\" aria-label=\"padding waste per batch, padded vs packed\">\n"
        for (index, pair) in waste.enumerated() {
            let x = Double(index) * slot
            let padded = pair.padded * height, packed = pair.packed * height
            svg += "<rect class=\"padded\" x=\"\(format(x))\" y=\"\(format(height - padded))\" width=\"\(format(slot / 2))\" height=\"\(format(padded))\" fill=\"#f0a04b\"><title>batch \(index) padded: \(percent(pair.padded))</title></rect>\n"
            svg += "<rect class=\"packed\" x=\"\(format(x + slot / 2))\" y=\"\(format(height - packed))\" width=\"\(format(slot / 2))\" height=\"\(format(packed))\" fill=\"#5b8def\"><title>batch \(index) packed: \(percent(pair.packed))</title></rect>\n"
        }
        let meanPadded = waste.map(\.padded).reduce(0, +) / Double(waste.count)
        let meanPacked = waste.map(\.packed).reduce(0, +) / Double(waste.count)
        svg += "<text x=\"0\" y=\"\(Int(height) + 18)\" font-size=\"12\">mean waste: padded \(percent(meanPadded)) (orange), packed \(percent(meanPacked)) (blue)</text>\n</svg>\n"
        return svg
    }

    private func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(format2(hundredths % 100)))"
    }

    private func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
