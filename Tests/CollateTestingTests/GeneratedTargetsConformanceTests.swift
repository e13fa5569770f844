import Collate
import CollateTesting
import Testing

/// A T5-style span-corruption collator, the shape of a collator that makes its own inputs and
/// targets: the middle third of each example becomes one sentinel in `input_ids`; `labels` are the
/// sentinel, the hidden span and EOS, of their own length (`.generatedTargets`,
/// `rewritesInputIDs: true`). Built as a third-party package would, from the public padding engine.
struct SpanCorruptionCollator: Collator {
    var padding = PaddingOptions(padTokenID: 0)
    var eos: Int32 = 1
    var sentinel: Int32 = 32_099
    /// The slip to make, if any.
    var slip: Slip?

    enum Slip: Sendable { case labelsPaddedWithPadID, inputsPaddedOnTheOtherSide, emptyTarget, declaresNoLabelSource }

    var contract: CollatorContract {
        CollatorContract(
            name: "span-corruption", reference: "T5 span corruption", requiredFields: ["input_ids"],
            producedFields: ["input_ids", "attention_mask", "labels", "decoder_input_ids"],
            labelSource: slip == .declaresNoLabelSource ? .none : .generatedTargets,
            layout: .padded(side: padding.side, padTokenID: padding.padTokenID, masksLabelsByPadID: false),
            fixedLength: padding.fixedLength, rewritesInputIDs: true)
    }

    func collate(_ examples: [Example]) throws(CollateError) -> Batch {
        guard !examples.isEmpty else { throw .emptyBatch }
        var inputs: [[Int32]] = [], targets: [[Int32]] = []
        for (index, example) in examples.enumerated() {
            let ids = try example.requireSequence("input_ids", example: index, collator: contract.name)
            guard !ids.isEmpty else { throw .emptyExample(example: index) }
            let start = ids.count / 3, end = ids.count < 2 ? start : start + max(1, ids.count / 3)
            let hidden = Array(ids[start..<end])
            inputs.append(Array(ids[..<start]) + (hidden.isEmpty ? [] : [sentinel]) + Array(ids[end...]) + [eos])
            targets.append(slip == .emptyTarget ? [] : (hidden.isEmpty ? [] : [sentinel]) + hidden + [eos])
        }
        let lengths = inputs.map(\.count)
        let width = try padding.width(forLengths: lengths)
        let targetWidth = max(1, try padding.width(forLengths: targets.map(\.count), field: "labels"))
        var inputPadding = padding
        if slip == .inputsPaddedOnTheOtherSide { inputPadding.side = padding.side == .right ? .left : .right }
        let labels = slip == .labelsPaddedWithPadID
            ? try padding.pad(targets, toWidth: targetWidth, field: "labels")
            : try padding.padLabels(targets, toWidth: targetWidth)
        return Batch([
            "input_ids": try inputPadding.pad(inputs, toWidth: width),
            "attention_mask": try padding.attentionMask(lengths: lengths, width: width),
            "labels": labels,
            "decoder_input_ids": try padding.pad(targets.map { [padding.padTokenID] + $0.dropLast() }, toWidth: targetWidth, field: "decoder_input_ids"),
        ])
    }
}

@Suite("Conformance of a collator that generates its own targets")
struct GeneratedTargetsConformanceTests {
    @Test(arguments: [PaddingSide.right, .left])
    func aCorrectSpanCorruptionCollatorConforms(side: PaddingSide) throws {
        try CollatorConformance.verify(SpanCorruptionCollator(padding: PaddingOptions(padTokenID: 0, side: side, padToMultipleOf: 4)))
    }

    @Test func labelsPaddedWithThePadIDFail() {
        let violations = CollatorConformance.violations(of: SpanCorruptionCollator(slip: .labelsPaddedWithPadID))
        #expect(Set(violations.map(\.requirement)) == [.labels])
        #expect(violations.first?.description == "[labels] sample 0: labels row 0, position 3: expected -100 (right padding), got 0 "
                + "(the pad id: padding labels must be the ignore index, or the model learns to predict padding)")
    }

    @Test func inputsPaddedOnTheUndeclaredSideFail() {
        let violations = CollatorConformance.violations(of: SpanCorruptionCollator(slip: .inputsPaddedOnTheOtherSide))
        #expect(Set(violations.map(\.requirement)) == [.layout])
        #expect(violations.contains { $0.message.hasPrefix("input_ids row 0, position 0: expected 0 (right padding with pad id 0, where attention_mask is 0), got") }
                || violations.contains { $0.message.contains("where attention_mask is 0") })
    }

    @Test func aRowThatTrainsNothingFails() {
        let violations = CollatorConformance.violations(of: SpanCorruptionCollator(slip: .emptyTarget))
        #expect(violations.contains { $0.description == "[labels] sample 0: labels row 0 trains no token: every generated target must hold at least one (e.g. EOS)" })
    }

    @Test func labelSourceNoneWithLabelsIsAContractError() {
        let violations = CollatorConformance.violations(of: SpanCorruptionCollator(slip: .declaresNoLabelSource))
        #expect(violations.first?.description == "[contract]: labelSource is .none but producedFields lists 'labels'; declare where the labels come from "
                + "(.generatedTargets for targets the collator makes itself, of their own length)")
    }
}
