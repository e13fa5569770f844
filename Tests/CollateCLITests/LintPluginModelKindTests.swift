import Foundation
import Testing

/// `collate.json` checks take `"model_kind"` (`collate validate --model-kind`): an
/// encoder-decoder's targets have a length of their own (seq2seq, or a third-party collator with
/// `.generatedTargets` such as span corruption), and without it a lint could only check them as a
/// causal LM's and fail. Gated like the other plugin tests.
@Suite("collate-lint model_kind", .enabled(if: PluginTestGate.enabled, "set COLLATE_PLUGIN_TESTS=1 (CI sets CI=true) to build the sample package"))
struct LintPluginModelKindTests {
    @Test func anEncoderDecodersTargetsPassWithModelKindAndFailWithout() throws {
        let seq2seq = try LintPluginTests.lint(["--config", "collate-model-kind.json"])
        #expect(seq2seq.status == 0, "\(seq2seq.stdout)\(seq2seq.stderr)")
        #expect((seq2seq.stdout + seq2seq.stderr).contains("collate-lint: 1 check(s) passed"))

        let causal = try LintPluginTests.lint(["--config", "collate-model-kind-missing.json"])
        #expect(causal.status != 0)
        #expect((causal.stdout + causal.stderr).contains("error[ragged-labels]"))
    }
}
