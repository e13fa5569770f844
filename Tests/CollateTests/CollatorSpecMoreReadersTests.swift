import Collate
import Testing

/// `CollatorSpec.seed(_:default:)` and `double(_:default:in:)`: readers a third-party
/// span-corruption collator needed (a 64-bit seed; a mean span length of at least 1).
@Suite("Spec readers for seeds and bounded numbers")
struct CollatorSpecMoreReadersTests {
    static func spec(_ text: String) throws -> CollatorSpec {
        guard case .object(let object) = try JSONParser.parse(text) else { throw SpecError.notAnObject(found: text) }
        return CollatorSpec(type: "span-corruption", object: object)
    }

    @Test func seeds() throws {
        var spec = try Self.spec(#"{"seed": 5000000000, "other": null}"#)
        #expect(try spec.seed() == 5_000_000_000)
        #expect(try spec.seed("other", default: 7) == 7)
        #expect(try spec.seed("absent") == 0)
        var negative = try Self.spec(#"{"seed": -1}"#)
        #expect(throws: SpecError.invalidValue(key: "seed", value: "-1", reason: "must be a non-negative integer")) { try negative.seed() }
        var fraction = try Self.spec(#"{"seed": 1.5}"#)
        #expect(throws: SpecError.wrongType(key: "seed", expected: "a non-negative integer", found: "number 1.5")) { try fraction.seed() }
    }

    @Test func boundedNumbers() throws {
        var spec = try Self.spec(#"{"mean_noise_span_length": 3, "ratio": 0.7}"#)
        #expect(try spec.double("mean_noise_span_length", default: 3, in: 1...) == 3)
        #expect(try spec.double("absent", default: 2, in: 1...) == 2)
        #expect(throws: SpecError.invalidValue(key: "ratio", value: "0.7", reason: "must be between 0.0 and 0.5")) {
            try spec.double("ratio", default: 0, in: 0.0...0.5)
        }
        var negative = try Self.spec(#"{"mean_noise_span_length": -1}"#)
        #expect(throws: SpecError.invalidValue(key: "mean_noise_span_length", value: "-1.0", reason: "must be at least 1.0")) {
            try negative.double("mean_noise_span_length", default: 3, in: 1...)
        }
    }
}
