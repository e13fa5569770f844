import Collate

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
    /// Examples per batch in ``waste``, for the chart's axis; `nil` when unknown.
    public var wasteBatchSize: Int?

    /// Creates a report.
    /// - Parameters:
    ///   - title: The page title.
    ///   - view: The batch shown token by token.
    ///   - tokenText: The display text of a token id.
    ///   - tensors: The batch's tensors.
    ///   - statistics: The shown batch's statistics.
    ///   - diagnostics: The validator's findings.
    ///   - sequenceLengths: The length of every example in the dataset.
    ///   - waste: Padding waste per batch over the dataset.
    ///   - wasteBatchSize: Examples per batch in `waste`.
    public init(title: String, view: TokenView, tokenText: @escaping @Sendable (Int32) -> String,
                tensors: [(name: String, shape: [Int], dtype: String)], statistics: BatchStatistics,
                diagnostics: [Diagnostic], sequenceLengths: [Int], waste: [BatchWaste], wasteBatchSize: Int? = nil) {
        self.wasteBatchSize = wasteBatchSize
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
            .seq { font: 13px/1.7 Menlo, Consolas, monospace; white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; border: 1px solid #ddd; padding: 8px; margin: 8px 0; border-radius: 6px; }
            .note { color: #555; max-width: 760px; }
            svg text { font: 12px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; fill: #1d1d1f; }
            svg .axis { stroke: #1d1d1f; stroke-width: 1; } svg .grid { stroke: #e5e5ea; stroke-width: 1; }
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
        out += "<h2>Statistics</h2>\n"
        out += "<p class=\"note\">Of the batch shown below (\(statistics.rows) row\(statistics.rows == 1 ? "" : "s")). The charts further down cover the whole dataset"
            + (wasteBatchSize.map { " in batches of \($0)" } ?? "") + ", so their waste is not this batch's.</p>\n"
        out += "<table id=\"statistics\">\n"
        out += row("rows", "\(statistics.rows)") + row("positions (rows × length)", "\(statistics.positions)")
        out += row("real tokens", "\(statistics.realTokens)") + row("padding positions", "\(statistics.positions - statistics.realTokens)")
        out += row("trained labels", "\(statistics.trainedLabels)")
        out += row("num_items_in_batch", "\(statistics.numItemsInBatch) (trained labels after the causal shift: the first label of each row or packed sequence is never predicted)")
        out += row("padding waste", "\(percent(statistics.paddingWaste)) (padding positions ÷ positions)")
        out += row("trainable fraction", "\(percent(statistics.trainableFraction)) (trained labels ÷ real tokens)")
        if !sequenceLengths.isEmpty {
            out += row("dataset examples", "\(sequenceLengths.count)") + row("dataset tokens", "\(sequenceLengths.reduce(0, +))")
        }
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
            if let targets = sequence.targets {
                out += "<div class=\"seq targets\" data-sequence=\"\(number)\">targets: "
                out += targets.map { "<span class=\"trained\" title=\"target \($0)\">\(escape(tokenText($0)))</span>" }.joined()
                out += "</div>\n"
            }
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

    /// The plot area of both charts, in SVG units: left, top, width, height.
    private static let plot = (left: 64.0, top: 12.0, width: 600.0, height: 200.0)

    /// A step of 1, 2 or 5 × 10^k that cuts `maximum` into at most `count` intervals.
    static func niceStep(_ maximum: Double, count: Int) -> Double {
        guard maximum > 0 else { return 1 }
        let raw = maximum / Double(count)
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where magnitude * factor >= raw { return magnitude * factor }
        return magnitude * 10
    }

    /// The axes, ticks, grid and titles around the plot area.
    private func axes(xTicks: [(position: Double, label: String)], yTicks: [(position: Double, label: String)], xTitle: String, yTitle: String) -> String {
        let p = Self.plot
        let bottom = p.top + p.height, right = p.left + p.width
        var svg = ""
        for tick in yTicks {
            let y = bottom - tick.position * p.height
            svg += "<line class=\"grid\" x1=\"\(format(p.left))\" y1=\"\(format(y))\" x2=\"\(format(right))\" y2=\"\(format(y))\"/>"
            svg += "<line class=\"axis tick\" x1=\"\(format(p.left - 5))\" y1=\"\(format(y))\" x2=\"\(format(p.left))\" y2=\"\(format(y))\"/>"
            svg += "<text class=\"tick-label\" x=\"\(format(p.left - 8))\" y=\"\(format(y + 4))\" text-anchor=\"end\">\(escape(tick.label))</text>\n"
        }
        for tick in xTicks {
            let x = p.left + tick.position * p.width
            svg += "<line class=\"axis tick\" x1=\"\(format(x))\" y1=\"\(format(bottom))\" x2=\"\(format(x))\" y2=\"\(format(bottom + 5))\"/>"
            svg += "<text class=\"tick-label\" x=\"\(format(x))\" y=\"\(format(bottom + 18))\" text-anchor=\"middle\">\(escape(tick.label))</text>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(format(p.left))\" y1=\"\(format(p.top))\" x2=\"\(format(p.left))\" y2=\"\(format(bottom))\"/>"
        svg += "<line class=\"axis\" x1=\"\(format(p.left))\" y1=\"\(format(bottom))\" x2=\"\(format(right))\" y2=\"\(format(bottom))\"/>\n"
        svg += "<text class=\"axis-title\" x=\"\(format(p.left + p.width / 2))\" y=\"\(format(bottom + 40))\" text-anchor=\"middle\">\(escape(xTitle))</text>\n"
        svg += "<text class=\"axis-title\" transform=\"translate(16 \(format(p.top + p.height / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yTitle))</text>\n"
        return svg
    }

    /// Lengths in at most 20 equal-width bins, with a length axis in tokens and a count axis.
    private func histogramSVG() -> String {
        let binCount = 20
        guard let longest = sequenceLengths.max(), longest > 0 else { return "<p>No sequences.</p>\n" }
        let binWidth = max(1, Int(Self.niceStep(Double(longest + 1), count: binCount)))
        let used = (longest / binWidth) + 1
        var bins = [Int](repeating: 0, count: used)
        for length in sequenceLengths { bins[length / binWidth] += 1 }
        let tallest = bins.max() ?? 1
        let countStep = max(1, Int(Self.niceStep(Double(tallest), count: 5)))
        let top = ((tallest + countStep - 1) / countStep) * countStep
        let p = Self.plot
        let span = Double(used * binWidth)
        var svg = "<svg id=\"length-histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(p.left + p.width + 20))\" height=\"\(Int(p.top + p.height + 52))\" role=\"img\" aria-label=\"histogram of sequence lengths in tokens\">\n"
        let labelEvery = max(1, (used + 9) / 10)
        let xTicks = stride(from: 0, through: used, by: labelEvery).map { (Double($0 * binWidth) / span, "\($0 * binWidth)") }
        let yTicks = stride(from: 0, through: top, by: countStep).map { (Double($0) / Double(top), "\($0)") }
        svg += axes(xTicks: xTicks, yTicks: yTicks, xTitle: "sequence length (tokens; bins of \(binWidth))", yTitle: "examples")
        let barWidth = p.width / Double(used)
        for (index, count) in bins.enumerated() where count > 0 {
            let barHeight = Double(count) / Double(top) * p.height
            let x = p.left + Double(index) * barWidth
            svg += "<rect class=\"bar\" x=\"\(format(x + 1))\" y=\"\(format(p.top + p.height - barHeight))\" width=\"\(format(max(1, barWidth - 2)))\" height=\"\(format(barHeight))\" fill=\"#5b8def\"><title>\(index * binWidth)–\((index + 1) * binWidth - 1) tokens: \(count) example\(count == 1 ? "" : "s")</title></rect>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// Two bars per batch — padded (orange) and packed (blue) — on a 0–100 % waste axis.
    private func wasteSVG() -> String {
        guard !waste.isEmpty else { return "<p>No batches.</p>\n" }
        let p = Self.plot
        let slot = p.width / Double(waste.count)
        var svg = "<svg id=\"padding-waste\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(p.left + p.width + 20))\" height=\"\(Int(p.top + p.height + 52))\" role=\"img\" aria-label=\"padding waste per batch in percent, padded vs packed\">\n"
        let labelEvery = max(1, (waste.count + 9) / 10)
        let xTicks = stride(from: 0, to: waste.count, by: labelEvery).map { ((Double($0) + 0.5) / Double(waste.count), "\($0 + 1)") }
        let yTicks = stride(from: 0, through: 100, by: 25).map { (Double($0) / 100, "\($0)%") }
        let unit = wasteBatchSize.map { "batch (\($0) examples each)" } ?? "batch"
        svg += axes(xTicks: xTicks, yTicks: yTicks, xTitle: unit, yTitle: "padding waste (% of positions)")
        for (index, pair) in waste.enumerated() {
            let x = p.left + Double(index) * slot + slot * 0.1
            let barWidth = slot * 0.4
            let padded = pair.padded * p.height, packed = pair.packed * p.height
            svg += "<rect class=\"padded\" x=\"\(format(x))\" y=\"\(format(p.top + p.height - padded))\" width=\"\(format(barWidth))\" height=\"\(format(padded))\" fill=\"#f0a04b\"><title>batch \(index + 1) padded: \(percent(pair.padded))</title></rect>\n"
            svg += "<rect class=\"packed\" x=\"\(format(x + barWidth))\" y=\"\(format(p.top + p.height - packed))\" width=\"\(format(barWidth))\" height=\"\(format(packed))\" fill=\"#5b8def\"><title>batch \(index + 1) packed: \(percent(pair.packed))</title></rect>\n"
        }
        svg += "</svg>\n"
        let meanPadded = waste.map(\.padded).reduce(0, +) / Double(waste.count)
        let meanPacked = waste.map(\.packed).reduce(0, +) / Double(waste.count)
        svg += "<p class=\"note\" id=\"waste-legend\"><span style=\"color:#f0a04b\">■</span> padded to the batch's longest sequence (mean \(percent(meanPadded))) "
        svg += "<span style=\"color:#5b8def\">■</span> packed first-fit decreasing into rows of that length (mean \(percent(meanPacked)))</p>\n"
        return svg
    }

    private func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(format2(hundredths % 100)))"
    }

    private func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
