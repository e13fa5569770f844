import Collate
import Testing

/// `Tests/Fixtures/golden/mlm_preference.jsonl`, made by `make_mlm_preference.py` from
/// transformers 4.57.6 (`DataCollatorForLanguageModeling(mlm=True)` at mlm_probability 0 and 1),
/// TRL 0.19.1 and 1.16.0 `DataCollatorForPreference`, and torchtune 0.6.1 `padded_collate_dpo`.
@Suite("Parity with HF MLM, TRL preference and torchtune DPO collators")
struct GoldenMaskedLMAndPreferenceTests {
    static let cases = GoldenCollatorCase.load("mlm_preference.jsonl")

    @Test func goldenFileHoldsEveryCase() {
        #expect(Self.cases.count == 24)
        #expect(Self.cases.filter { $0.id.hasPrefix("mlm/") }.count == 8)
    }

    @Test("Golden batch", arguments: cases)
    func parity(_ golden: GoldenCollatorCase) throws {
        try GoldenCollatorTests.check(golden)
    }
}
