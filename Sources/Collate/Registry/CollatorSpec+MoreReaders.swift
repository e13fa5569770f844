// Spec readers a third-party collator needed and the built-in ones read by hand: a seed, a
// number within bounds. Found building a span-corruption collator (seed, mean_noise_span_length).

extension CollatorSpec {
    /// A random seed: a non-negative JSON integer, or `defaultValue` when absent or null.
    ///
    /// The whole non-negative `Int64` range is accepted (a seed is not an id, so it need not
    /// fit in 32 bits); a negative or fractional seed is an error rather than a silently
    /// reinterpreted one.
    /// - Parameters:
    ///   - key: The key, `"seed"` unless given.
    ///   - defaultValue: The seed when the key is absent or null.
    /// - Returns: The seed.
    /// - Throws: ``SpecError/wrongType(key:expected:found:)`` for a non-integer,
    ///   ``SpecError/invalidValue(key:value:reason:)`` for a negative one.
    public mutating func seed(_ key: String = "seed", default defaultValue: UInt64 = 0) throws(SpecError) -> UInt64 {
        guard let value = object[key], value != .null else { return defaultValue }
        guard case .integer(let number) = value else {
            throw .wrongType(key: key, expected: "a non-negative integer", found: "\(value.typeName) \(value.preview())")
        }
        guard number >= 0 else { throw .invalidValue(key: key, value: value.preview(), reason: "must be a non-negative integer") }
        return UInt64(number)
    }

    /// A number key within `range` (a mean span length, a ratio), or `defaultValue` when absent or null.
    /// - Parameters:
    ///   - key: The key.
    ///   - defaultValue: The value when the key is absent or null.
    ///   - range: The accepted values, e.g. `1...` or `0.0...0.5`.
    /// - Returns: The number.
    /// - Throws: as ``double(_:default:)``; ``SpecError/invalidValue(key:value:reason:)`` for a
    ///   number outside `range`, naming its bounds.
    public mutating func double(_ key: String, default defaultValue: Double, in range: some RangeExpression<Double>) throws(SpecError) -> Double {
        let number = try double(key, default: defaultValue)
        guard range.contains(number) else {
            throw .invalidValue(key: key, value: String(number), reason: "must be \(Self.describe(range))")
        }
        return number
    }

    /// `at least 1.0`, `between 0.0 and 0.5`, ...
    static func describe(_ range: some RangeExpression<Double>) -> String {
        switch range {
        case let range as ClosedRange<Double>: "between \(range.lowerBound) and \(range.upperBound)"
        case let range as Range<Double>: "at least \(range.lowerBound) and below \(range.upperBound)"
        case let range as PartialRangeFrom<Double>: "at least \(range.lowerBound)"
        case let range as PartialRangeThrough<Double>: "at most \(range.upperBound)"
        case let range as PartialRangeUpTo<Double>: "below \(range.upperBound)"
        default: "in the accepted range"
        }
    }
}
