import Collate
import CollateInspection
import Testing

@Suite("Inspecting a batch")
struct InspectionTests {
    static let padded = try? LanguageModelingCollator(padTokenID: 0).collate([
        Example(inputIDs: [5, 6, 7, 8]), Example(inputIDs: [9, 10]),
    ])

    @Test func paddedRowsAreClassifiedByMaskAndLabel() throws {
        var batch = try #require(Self.padded)
        // Mask the first label of row 0, as a prompt mask would.
        var labels = try #require(batch["labels"])
        labels.withUnsafeMutableScalars { $0[0] = ignoreIndex }
        batch["labels"] = labels
        let view = TokenView(batch: batch)
        #expect(view.sequences.count == 2)
        #expect(view.sequences[0].tokens.map(\.role) == [.masked, .trained, .trained, .trained])
        #expect(view.sequences[1].tokens.map(\.role) == [.trained, .trained, .padding, .padding])
        #expect(view.sequences[1].runs.map(\.role) == [.trained, .padding])
        #expect(view.sequences[1].runs.map(\.tokens.count) == [2, 2])
    }

    @Test func paddingFreeRowsAreSplitIntoSequences() throws {
        let batch = try FlatteningCollator().collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8, 9])])
        let view = TokenView(batch: batch)
        #expect(view.sequences.map { $0.tokens.map(\.id) } == [[5, 6, 7], [8, 9]])
        #expect(view.sequences[1].tokens.map(\.role) == [.masked, .trained])
    }

    @Test func statisticsCountWasteTrainedLabelsAndItems() throws {
        let statistics = BatchStatistics(batch: try #require(Self.padded))
        #expect(statistics.positions == 8)
        #expect(statistics.realTokens == 6)
        #expect(statistics.trainedLabels == 6)
        #expect(statistics.numItemsInBatch == 4)  // after the shift: 3 + 1
        #expect(statistics.paddingWaste == 0.25)
        #expect(statistics.trainableFraction == 1)
    }

    /// Labels of their own length (a span-corruption collator's generated targets, shape [B, T]
    /// with T ≠ the input width): every trained target counts, in the rows, the statistics and
    /// num_items_in_batch alike (an encoder-decoder's loss does not shift its targets).
    @Test func targetsOfTheirOwnLengthAreCountedEverywhere() throws {
        let batch = Batch([
            "input_ids": Tensor(shape: [2, 4], scalars: [5, 6, 99, 1, 7, 99, 1, 0]),
            "attention_mask": Tensor(shape: [2, 4], scalars: [1, 1, 1, 1, 1, 1, 1, 0]),
            "labels": Tensor(shape: [2, 3], scalars: [99, 7, 1, 99, 8, ignoreIndex]),
        ])
        let statistics = BatchStatistics(batch: batch)
        #expect(statistics.trainedLabels == 5)
        #expect(statistics.numItemsInBatch == 5)
        #expect(batch.numItemsInBatch(shifted: false) == 5)
        #expect(statistics.realTokens == 7)
        let view = TokenView(batch: batch)
        #expect(view.sequences.map(\.targets) == [[99, 7, 1], [99, 8]])
        #expect(view.sequences.map(\.trainedCount) == [3, 2])
        let text = view.terminalText(text: { " \($0)" }, style: .plain)
        #expect(text.contains("── sequence 0 (row 0): 4 tokens, 3 trained, 0 padding\n 5 6 99 1\n  targets: ⟦ 99 7 1⟧\n"), "\(text)")
        #expect(text.contains("── sequence 1 (row 1): 3 tokens, 2 trained, 1 padding\n"), "\(text)")
        // Aligned labels keep their view: no targets line.
        let aligned = TokenView(batch: try #require(Self.padded))
        #expect(aligned.sequences.allSatisfy { $0.targets == nil })
        #expect(!aligned.terminalText(text: { " \($0)" }, style: .plain).contains("targets:"))
    }

    @Test func plainTerminalTextMarksRolesWithoutEscapes() throws {
        let text = TokenView(batch: try #require(Self.padded)).terminalText(text: { " \($0)" }, style: .plain)
        #expect(text.contains("⟦ 9 10⟧⟨2 × pad 0⟩"))
        #expect(!text.contains("[") && !text.contains("{"), "plain marks must not be characters chat text uses: \(text)")
        #expect(!text.contains("\u{1B}["))
        let colored = TokenView(batch: try #require(Self.padded)).terminalText(text: { " \($0)" }, style: .colored, showIDs: true)
        #expect(colored.contains("\u{1B}[1;32m 9(9,9) 10(10,10)\u{1B}[0m"))
    }

    @Test func htmlReportIsSelfContainedAndHasEveryPart() throws {
        let batch = try #require(Self.padded)
        let report = HTMLReport(
            title: "a <test>", view: TokenView(batch: batch), tokenText: { "t\($0)" },
            tensors: zip(batch.names, batch.tensors).map { ($0, $1.shape, $1.dtype.rawValue) },
            statistics: BatchStatistics(batch: batch), diagnostics: [], sequenceLengths: [4, 2, 7, 7],
            waste: [.init(padded: 0.25, packed: 0.0)])
        let html = report.html
        #expect(html.contains("<title>a &lt;test&gt;</title>"))
        for part in [#"id="diagnostics""#, #"id="statistics""#, #"id="tensors""#, #"<span class="trained""#,
                     #"pad × 2"#, #"<svg id="length-histogram""#, #"<rect class="padded""#, #"<rect class="packed""#] {
            #expect(html.contains(part), "\(part)")
        }
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count == 3, "only the SVG namespaces")
        #expect(!html.contains("<script"))
    }
}
