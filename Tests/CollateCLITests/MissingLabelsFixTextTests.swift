import Foundation
import Testing

/// The seed failure's fix text fits the model being trained: a token classifier is not told
/// to make labels from input_ids.
@Suite struct MissingLabelsFixTextTests {
    static let spec = CollateProcess.repositoryRoot.appendingPathComponent("Samples/Data/seq2seq.json").path

    static func validate(kind: String) throws -> CollateProcess.Result {
        let dir = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try CollateProcess.write(#"{"input_ids": [1, 2, 3]}"# + "\n", to: "unlabeled.jsonl", in: dir)
        return try CollateProcess.run(["validate", "--spec", spec, "--input", input, "--model-kind", kind])
    }

    @Test func aTokenClassifierIsToldToAddTagLabels() throws {
        let result = try Self.validate(kind: "token-classification")
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[missing-labels]"), "\(result.stdout)")
        #expect(result.stdout.contains("one tag id per token"), "\(result.stdout)")
        #expect(!result.stdout.contains("use language-modeling"), "\(result.stdout)")
    }

    @Test func aCausalLMIsStillPointedAtLanguageModeling() throws {
        let result = try Self.validate(kind: "causal-lm")
        #expect(result.status == 1)
        #expect(result.stdout.contains("Fix: use language-modeling"), "\(result.stdout)")
    }
}
