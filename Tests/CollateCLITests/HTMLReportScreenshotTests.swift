import Foundation
import Testing

/// The HTML report of `collate inspect --html`: charts with axes, ticks, titles and units, numbers
/// that agree with the statistics table, no word broken mid-word; rendered in headless Chromium
/// when one is installed (`apt-get install chromium`), as Tests/Scripts/check-html-report.sh does.
@Suite("collate inspect --html: the report")
struct HTMLReportScreenshotTests {
    static let browser: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func report() throws -> (page: String, stdout: String, folder: URL) {
        let dir = try CollateProcess.temporaryDirectory()
        let html = dir.appendingPathComponent("report.html")
        let result = try CollateProcess.run([
            "inspect", "--config", "Samples/Data/pipeline.json", "--batch-size", "4", "--html", html.path,
        ], in: CollateProcess.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        return (try String(contentsOf: html, encoding: .utf8), result.stdout, dir)
    }

    @Test func chartsHaveAxesTicksTitlesAndUnits() throws {
        let (page, _, _) = try Self.report()
        for svg in ["length-histogram", "padding-waste"] {
            let chart = try #require(page.range(of: "<svg id=\"\(svg)\"").map { String(page[$0.lowerBound...].prefix { $0 != "\u{0}" }) })
            let body = String(chart[..<(chart.range(of: "</svg>")?.upperBound ?? chart.endIndex)])
            #expect(body.components(separatedBy: "class=\"axis\"").count - 1 >= 2, "\(svg): two axis lines")
            #expect(body.components(separatedBy: "class=\"tick-label\"").count - 1 >= 3, "\(svg): tick labels")
            #expect(body.components(separatedBy: "class=\"axis-title\"").count - 1 == 2, "\(svg): both axes titled")
        }
        #expect(page.contains("sequence length (tokens"))
        #expect(page.contains(">100%<") && page.contains("padding waste (% of positions)"))
        #expect(page.contains("batch (4 examples each)"))
        #expect(!page.contains("break-all"), "token text must not break mid-word")
    }

    @Test func theTableAgreesWithTheTerminalAndNamesWhatTheChartsCover() throws {
        let (page, stdout, _) = try Self.report()
        // The terminal's numbers for the shown batch appear in the page's table.
        let waste = try #require(stdout.split(separator: "\n").first { $0.contains("padding waste") })
        let percent = try #require(waste.split(separator: " ").first { $0.hasSuffix("%") })
        #expect(page.contains("<td>\(percent) (padding positions ÷ positions)</td>"))
        let items = try #require(stdout.split(separator: "\n").first { $0.contains("num_items_in_batch") }?.split(separator: " ").last)
        #expect(page.contains("<td>\(items) (trained labels after the causal shift"))
        #expect(page.contains("<th>dataset examples</th><td>16</td>"))
        #expect(page.contains("cover the whole dataset in batches of 4, so their waste is not this batch's"))
    }

    @Test(.enabled(if: browser != nil, "no Chromium installed"))
    func rendersInHeadlessChromium() throws {
        let (_, _, dir) = try Self.report()
        let png = dir.appendingPathComponent("report.png")
        let result = try CollateProcess.run(executable: URL(fileURLWithPath: try #require(Self.browser)), [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2400",
            "--screenshot=\(png.path)", dir.appendingPathComponent("report.html").absoluteString,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: png)
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(data.count > 20_000, "a blank page compresses to a few kilobytes")
    }
}
