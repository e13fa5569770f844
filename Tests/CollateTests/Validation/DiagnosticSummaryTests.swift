import Collate
import Testing

/// Diagnostics a person can read: grouped by code, the message once, the first examples, a count.
@Suite("Diagnostic summary")
struct DiagnosticSummaryTests {
    static let seq2seq = Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)).contract

    /// A thousand ragged examples: the validator reports all of them, the summary prints a few lines.
    @Test func aThousandBadExamplesAreOneGroup() throws {
        let examples = (0..<1000).map { Example(inputIDs: [1, 2, 3], labels: Array(repeating: 5, count: 1 + $0 % 2)) }
        let diagnostics = Validator().validate(examples, collator: Self.seq2seq, backend: .training())
        #expect(diagnostics.count == 1000)
        let summary = DiagnosticSummary(diagnostics)
        #expect(summary.groups.count == 1)
        #expect(summary.count == 1000)
        let group = try #require(summary.groups.first)
        #expect(group.code == .raggedLabels)
        #expect(group.examples == Array(0..<1000))
        let text = summary.text { $0.example.map { "data.jsonl:\($0 + 1): " } ?? "data.jsonl: " }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            "data.jsonl:1: " + diagnostics[0].description,
            "  999 more with error[ragged-labels] (1000 in all):",
            "  data.jsonl:2: 'labels' has 2 tokens but 'input_ids' has 3",
            "  data.jsonl:3: 'labels' has 1 tokens but 'input_ids' has 3",
            "  data.jsonl:4: 'labels' has 2 tokens but 'input_ids' has 3",
            "  ... and 996 more (--format json lists every one)",
        ])
        // The why and the fix appear once.
        #expect(text.components(separatedBy: "Fix:").count == 2)
        // JSON stays complete.
        guard case .array(let items) = try JSONParser.parse(Diagnostic.jsonText(diagnostics)) else {
            Issue.record("not an array")
            return
        }
        #expect(items.count == 1000)
    }

    @Test func groupsPutErrorsFirstAndKeepFirstAppearanceOrder() {
        let diagnostics = [
            Diagnostic(.padMasksEOS, message: "example 0: w", example: 0),
            Diagnostic(.emptyExample, message: "example 1 has an empty 'input_ids': x", example: 1),
            Diagnostic(.tokenOutOfRange, message: "example 2: input_ids[0] = -1 is outside: y", example: 2),
            Diagnostic(.emptyExample, message: "example 3 has an empty 'input_ids': x", example: 3),
        ]
        let summary = DiagnosticSummary(diagnostics)
        #expect(summary.groups.map(\.code) == [.emptyExample, .tokenOutOfRange, .padMasksEOS])
        #expect(summary.groups.map(\.count) == [2, 1, 1])
        #expect(summary.text() == """
            error[empty-example]: example 1 has an empty 'input_ids': x
              1 more with error[empty-example] (2 in all):
              example 3 has an empty 'input_ids'
            error[token-out-of-range]: example 2: input_ids[0] = -1 is outside: y
            warning[pad-masks-eos]: example 0: w
            """)
        #expect(DiagnosticSummary([]).text().isEmpty)
    }

    @Test func aStrictWarningIsItsOwnGroup() {
        let diagnostics = [
            Diagnostic(.padMasksEOS, severity: .error, message: "a", example: 0),
            Diagnostic(.padMasksEOS, message: "b", example: 1),
        ]
        #expect(DiagnosticSummary(diagnostics).groups.map(\.severity) == [.error, .warning])
    }

    @Test(arguments: [
        ("example 3: 'labels' has 2 tokens but 'input_ids' has 3; why. Fix: f", "'labels' has 2 tokens but 'input_ids' has 3"),
        ("example 3 (line 5): a thing happened: why", "a thing happened"),
        ("example 0 has no 'labels', which X requires: the batch. Fix: f", "example 0 has no 'labels', which X requires"),
        ("the collator produces nothing; Fix: f", "the collator produces nothing"),
        (String(repeating: "x", count: 300), String(repeating: "x", count: 159) + "…"),
        ("example 1 carries its own 'labels' (1 of 4 positions masked) but the collator replaces them: x",
         "example 1 carries its own 'labels' (1 of 4 positions masked)"),
        ("example 1: the response template [9, 10] does not occur in its tokens, so the collator masks: x",
         "the response template [9, 10] does not occur in its tokens"),
    ])
    func headlineIsTheFirstClause(message: String, headline: String) {
        #expect(Diagnostic(.emptyExample, message: message).headline == headline)
    }
}
