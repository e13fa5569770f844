import Foundation
import Testing

/// `collate.json`'s `"tool"` names a package's own collate-compatible executable: Samples/LintDemo
/// registers a `prefix-lm` type in `lintdemo-collate` (built from CollateCommandLine), which the
/// stock `collate` does not know. Builds the sample package, so gated like ``LintPluginTests``.
@Suite(
    "swift package collate-lint with the package's own tool",
    .enabled(if: PluginTestGate.enabled, "set COLLATE_PLUGIN_TESTS=1 (CI sets CI=true) to build the sample package"))
struct LintPluginCustomToolTests {
    @Test func theNamedToolChecksTheTypeTheStockToolRejects() throws {
        let custom = try LintPluginTests.lint(["--config", "collate-prefix-lm.json"])
        #expect(custom.status == 0, "\(custom.stdout)\(custom.stderr)")
        #expect((custom.stdout + custom.stderr).contains("collate-lint: 1 check(s) passed"))

        let stock = try LintPluginTests.lint(["--config", "collate-prefix-lm-stock.json"])
        #expect(stock.status != 0)
        #expect((stock.stdout + stock.stderr).contains(#"unknown collator type "prefix-lm""#))
    }
}
