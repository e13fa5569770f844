/// The package's one seeded random number generator: the same sequence on every run and platform.
///
/// Swift's `SystemRandomNumberGenerator` cannot be seeded and `Int.random(in:using:)` may change
/// its algorithm between standard-library versions, so samplers, the masked-LM collator, the
/// boundary probe and the reference model draw through this type, whose draws are fixed here:
/// ``next(below:)``, ``shuffle(_:)``, ``next53()`` and ``nextUnit()``.
///
/// The default algorithm is xoshiro256** (Blackman & Vigna) seeded through SplitMix64. A
/// generator made with ``init(seed:algorithm:)`` and ``Algorithm/splitMix64`` yields the raw
/// SplitMix64 stream instead (the reference model's weights are drawn from it, and stay as they
/// were when that model had a generator of its own).
///
/// ```swift
/// var generator = SeededGenerator(seed: 42)
/// let order = generator.permutation(10)   // [9, 1, 4, 2, 8, 7, 6, 5, 3, 0] on every platform
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    /// The algorithm behind a generator's ``SeededGenerator/next()``.
    public struct Algorithm: Sendable, Hashable, CustomStringConvertible {
        let rawValue: UInt8

        /// xoshiro256** seeded through SplitMix64: the default, used by every sampler and collator.
        public static let xoshiro256StarStar = Algorithm(rawValue: 0)
        /// The raw SplitMix64 stream (Steele, Lea & Flood): the reference model's weights.
        public static let splitMix64 = Algorithm(rawValue: 1)
        /// Knuth's MMIX linear congruential generator, returning the whole 64-bit state: only the
        /// boundary probe's pinned sequences use it (its low bits are weak; not for new code).
        static let mmixLinearCongruential = Algorithm(rawValue: 2)

        /// The algorithm's name.
        public var description: String {
            switch rawValue {
            case 0: "xoshiro256**"
            case 1: "SplitMix64"
            default: "MMIX LCG"
            }
        }
    }

    /// The algorithm this generator runs.
    public let algorithm: Algorithm
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates an xoshiro256** generator from a 64-bit seed (any value, zero included) and a stream
    /// number: distinct streams of one seed are independent for practical purposes (the masked-LM
    /// collator uses one stream per batch). Stream 0 is the plain seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        let state = (Self.splitMix64(&mixer), Self.splitMix64(&mixer), Self.splitMix64(&mixer), Self.splitMix64(&mixer))
        self.init(algorithm: .xoshiro256StarStar, state: state)
    }

    /// Creates a generator that runs `algorithm` from `seed`.
    /// - Parameters:
    ///   - seed: Any 64-bit value, zero included.
    ///   - algorithm: ``Algorithm/xoshiro256StarStar`` gives the same sequence as
    ///     ``init(seed:stream:)`` with stream 0; ``Algorithm/splitMix64`` gives the raw SplitMix64
    ///     stream whose state starts at `seed`.
    public init(seed: UInt64, algorithm: Algorithm) {
        if algorithm == .xoshiro256StarStar {
            self.init(seed: seed)
        } else {
            self.init(algorithm: algorithm, state: (seed, 0, 0, 0))
        }
    }

    private init(algorithm: Algorithm, state: (UInt64, UInt64, UInt64, UInt64)) {
        self.algorithm = algorithm
        self.state = state
    }

    /// One SplitMix64 step: advances `state` and returns the mixed output.
    @inline(__always)
    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    /// - Complexity: O(1).
    @inline(__always)
    public mutating func next() -> UInt64 {
        if _fastPath(algorithm.rawValue == 0) {
            let result = rotate(state.1 &* 5, 7) &* 9
            let t = state.1 << 17
            state.2 ^= state.0
            state.3 ^= state.1
            state.1 ^= state.2
            state.0 ^= state.3
            state.2 ^= t
            state.3 = rotate(state.3, 45)
            return result
        }
        if algorithm.rawValue == 1 { return Self.splitMix64(&state.0) }
        state.0 = state.0 &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state.0
    }

    /// A uniform 53-bit draw, compared against ``threshold(_:)`` for a Bernoulli trial.
    /// - Complexity: O(1).
    @inline(__always)
    public mutating func next53() -> UInt64 { next() >> 11 }

    /// A uniform `Double` in `[0, 1)`: ``next53()`` scaled by 2⁻⁵³.
    /// - Complexity: O(1).
    public mutating func nextUnit() -> Double { Double(next53()) * 0x1.0p-53 }

    /// The 53-bit threshold under which a ``next53()`` draw succeeds with probability `p`
    /// (exact for 0 and 1).
    /// - Parameter p: The probability of success.
    /// - Returns: A value in `0...(1 << 53)`.
    public static func threshold(_ p: Double) -> UInt64 {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 << 53 }
        return UInt64((p * 9_007_199_254_740_992).rounded(.down))
    }

    /// A uniform integer in `0 ..< bound` (Lemire's multiply-and-reject, unbiased).
    /// - Precondition: `bound > 0`.
    /// - Complexity: O(1) expected.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// Shuffles `elements` in place (Fisher–Yates, from the back).
    /// - Complexity: O(*n*).
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            let other = Int(next(below: UInt64(index + 1)))
            elements.swapAt(index, other)
        }
    }

    /// A random permutation of `0 ..< count`.
    /// - Complexity: O(*n*).
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<count)
        shuffle(&indices)
        return indices
    }

    /// The generator for one epoch of a sampler: seeded with `seed + epoch`, as torch's
    /// `DistributedSampler` seeds its generator.
    public static func forEpoch(_ epoch: Int, seed: UInt64) -> SeededGenerator {
        SeededGenerator(seed: seed &+ UInt64(bitPattern: Int64(epoch)))
    }

    /// Whether two generators run the same algorithm from the same state (and so draw the same).
    public static func == (lhs: SeededGenerator, rhs: SeededGenerator) -> Bool {
        lhs.algorithm == rhs.algorithm && lhs.state == rhs.state
    }

    /// Hashes the algorithm and state.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(algorithm)
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }

    private func rotate(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
