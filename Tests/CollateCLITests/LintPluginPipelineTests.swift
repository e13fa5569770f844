import Foundation
import Testing

/// `collate.json` may list pipeline files; the plugin checks each with `collate validate --config`.
@Suite(
    "swift package collate-lint over pipeline files",
    .enabled(if: PluginTestGate.enabled, "set COLLATE_PLUGIN_TESTS=1 (CI sets CI=true) to build the sample package"),
    .enabled(if: PipelineCommandTests.validateReadsPipelines, "collate validate does not read --config in this build"))
struct LintPluginPipelineTests {
    @Test func aListedPipelineFileIsValidated() throws {
        let result = try LintPluginTests.lint(["--config", "collate-pipelines.json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("collate-lint: 1 check(s) passed"))
    }
}

/// The sample pipeline file the plugin checks is a valid pipeline for every command.
@Suite("LintDemo's pipeline file")
struct LintDemoPipelineTests {
    @Test func theSamplePipelineBatches() throws {
        let result = try CollateProcess.run(["batch", "--config", "Samples/LintDemo/pipeline.json"], in: CollateProcess.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdoutLines.isEmpty)
    }
}
