// The seeded generator behind masked-language-modeling: xoshiro256** seeded through SplitMix64.
// Integer-only arithmetic, so a seed gives the same stream on every platform and Swift version
// (unlike `SystemRandomNumberGenerator` or Foundation's generators).

/// xoshiro256** (Blackman & Vigna), seeded by expanding a 64-bit seed with SplitMix64.
struct _SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates the stream for `seed` and `stream` (e.g. a batch number): distinct streams of
    /// one seed are independent for practical purposes.
    init(seed: UInt64, stream: UInt64 = 0) {
        var state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next()
        s1 = next()
        s2 = next()
        s3 = next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform 53-bit draw, compared against ``threshold(_:)`` for a Bernoulli trial.
    @inline(__always)
    mutating func next53() -> UInt64 { next() >> 11 }

    /// The 53-bit threshold under which a draw succeeds with probability `p` (exact for 0 and 1).
    static func threshold(_ p: Double) -> UInt64 {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 << 53 }
        return UInt64((p * 9_007_199_254_740_992).rounded(.down))
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased).
    /// - Precondition: `bound > 0`.
    @inline(__always)
    mutating func next(below bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let floor = (0 &- bound) % bound
            while product.low < floor {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
