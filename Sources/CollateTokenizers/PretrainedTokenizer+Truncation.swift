import Foundation

extension PretrainedTokenizer {
    /// The `truncation` section of a `tokenizer.json`, honoured by ``PretrainedTokenizer/encode(_:pair:addSpecialTokens:)``
    /// as HF `Tokenizer::encode` honours it.
    ///
    /// `maxLength` counts the special tokens the post-processor adds. The tokens cut off are
    /// returned as ``Encoding/overflowing`` pieces, each repeating the last `stride` tokens
    /// of the piece before it, as HF's `Encoding.overflowing`.
    public struct Truncation: Hashable, Sendable {
        /// Which sequence loses tokens (HF `TruncationStrategy`).
        public enum Strategy: String, Hashable, Sendable {
            /// The longer of the two sequences, one token at a time (HF's split of the budget).
            case longestFirst = "LongestFirst"
            /// Only the first sequence.
            case onlyFirst = "OnlyFirst"
            /// Only the second sequence (a pair is required).
            case onlySecond = "OnlySecond"
        }

        /// Where tokens are removed (HF `TruncationDirection`) or padding is added.
        public enum Direction: String, Hashable, Sendable {
            /// Remove from (or pad at) the start.
            case left = "Left"
            /// Remove from (or pad at) the end.
            case right = "Right"
        }

        /// The largest number of tokens an encoding keeps, special tokens included.
        public var maxLength: Int
        /// How many tokens each overflowing piece repeats from the piece before it.
        public var stride: Int
        /// Which sequence is shortened.
        public var strategy: Strategy
        /// Which end is removed.
        public var direction: Direction

        /// Creates truncation settings (HF's defaults but `maxLength`).
        public init(maxLength: Int, stride: Int = 0, strategy: Strategy = .longestFirst, direction: Direction = .right) {
            self.maxLength = maxLength
            self.stride = stride
            self.strategy = strategy
            self.direction = direction
        }
    }

    /// The `padding` section of a `tokenizer.json` (HF `PaddingParams`).
    ///
    /// A single `encode` pads to `fixedLength`, or (batch-longest) to its own length, then
    /// up to `padToMultipleOf`; ``PretrainedTokenizer/encodeBatch(_:addSpecialTokens:concurrently:)``
    /// pads batch-longest to the longest encoding of the batch. Padded positions have id
    /// `padID`, type id `padTypeID`, attention mask 0 and offsets `0..<0`.
    public struct Padding: Hashable, Sendable {
        /// The target length: `nil` pads to the longest encoding (HF `BatchLongest`).
        public var fixedLength: Int?
        /// Where padding goes.
        public var direction: Truncation.Direction
        /// Rounds the target length up to a multiple of this (when positive).
        public var padToMultipleOf: Int?
        /// The id of padded positions.
        public var padID: Int32
        /// The type id of padded positions.
        public var padTypeID: Int32
        /// The token string of padded positions.
        public var padToken: String

        /// Creates padding settings (HF's defaults).
        public init(
            fixedLength: Int? = nil, direction: Truncation.Direction = .right, padToMultipleOf: Int? = nil,
            padID: Int32 = 0, padTypeID: Int32 = 0, padToken: String = "[PAD]"
        ) {
            self.fixedLength = fixedLength
            self.direction = direction
            self.padToMultipleOf = padToMultipleOf
            self.padID = padID
            self.padTypeID = padTypeID
            self.padToken = padToken
        }
    }

    /// An encoding request HF tokenizers refuses, reported instead of a wrong result.
    public enum EncodingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The truncation strategy is `OnlySecond` and no second sequence was given.
        case secondSequenceNotProvided
        /// The sequence that must be shortened is not longer than the number of tokens to
        /// remove.
        case sequenceTooShort(length: Int, toRemove: Int)
        /// The file's `TemplateProcessing` has no valid `pair` template.
        case invalidPairTemplate
        /// `truncation.stride` is not below the length a sequence is truncated to (HF panics:
        /// "`stride` must be strictly less than `max_len`").
        case strideTooLarge(stride: Int, maxLength: Int)

        /// A message that says what to change.
        public var description: String {
            switch self {
            case .secondSequenceNotProvided:
                return "truncation strategy OnlySecond needs a pair: encode a pair, or set truncation.strategy to LongestFirst or OnlyFirst in tokenizer.json"
            case .sequenceTooShort(let length, let toRemove):
                return "truncation must remove \(toRemove) tokens from a sequence of \(length): raise truncation.max_length or use LongestFirst"
            case .invalidPairTemplate:
                return "post_processor.pair is not a valid template: fix it (pieces {\"Sequence\": ...} or {\"SpecialToken\": ...}) to encode pairs"
            case .strideTooLarge(let stride, let maxLength):
                return "truncation.stride \(stride) must be below the \(maxLength) tokens a sequence is truncated to (max_length less the special tokens): lower truncation.stride or raise truncation.max_length"
            }
        }
    }
}

extension PretrainedTokenizer.Truncation {
    /// Parses `truncation`.
    static func parse(_ json: _JSONValue) throws -> Self {
        let maxJSON = try json.member("max_length")
        let maxLength = try maxJSON.int()
        guard maxLength >= 0 else {
            throw TokenizerJSONError.invalidValue(path: maxJSON.path, value: "\(maxLength)", reason: "max_length must be non-negative")
        }
        let strideJSON = try json.optionalMember("stride")
        let stride = try strideJSON?.int() ?? 0
        guard stride >= 0 else {
            throw TokenizerJSONError.invalidValue(path: strideJSON?.path ?? "truncation.stride", value: "\(stride)", reason: "stride must be non-negative")
        }
        return Self(
            maxLength: maxLength, stride: stride,
            strategy: try json.optionalMember("strategy").map { try enumValue($0, Strategy.self) } ?? .longestFirst,
            direction: try json.optionalMember("direction").map { try enumValue($0, Direction.self) } ?? .right)
    }

    /// HF `truncate_encodings`, on the encodings before post-processing.
    func apply(_ first: inout _RawEncoding, _ second: inout _RawEncoding?, addedTokens: Int) throws {
        var maxLength = self.maxLength
        if addedTokens > 0 {
            // HF subtracts in unsigned arithmetic; a release build wraps around to a huge
            // limit, so nothing is truncated.
            guard maxLength >= addedTokens else { return }
            maxLength -= addedTokens
        }
        if maxLength == 0 {
            try first.truncate(to: 0, stride: stride, direction: direction)
            try second?.truncate(to: 0, stride: stride, direction: direction)
            return
        }
        let total = first.ids.count + (second?.ids.count ?? 0)
        guard total > maxLength else { return }
        let toRemove = total - maxLength
        switch strategy {
        case .longestFirst:
            guard var pair = second else {
                try first.truncate(to: total - toRemove, stride: stride, direction: direction)
                return
            }
            var n1 = first.ids.count
            var n2 = pair.ids.count
            let swap = n1 > n2
            if swap { (n1, n2) = (n2, n1) }
            if n1 > maxLength {
                n2 = n1
            } else {
                n2 = max(n1, maxLength - n1)
            }
            if n1 + n2 > maxLength {
                n1 = maxLength / 2
                n2 = n1 + maxLength % 2
            }
            if swap { (n1, n2) = (n2, n1) }
            try first.truncate(to: n1, stride: stride, direction: direction)
            try pair.truncate(to: n2, stride: stride, direction: direction)
            second = pair
        case .onlyFirst:
            guard first.ids.count > toRemove else {
                throw PretrainedTokenizer.EncodingError.sequenceTooShort(length: first.ids.count, toRemove: toRemove)
            }
            try first.truncate(to: first.ids.count - toRemove, stride: stride, direction: direction)
        case .onlySecond:
            guard var pair = second else { throw PretrainedTokenizer.EncodingError.secondSequenceNotProvided }
            guard pair.ids.count > toRemove else {
                throw PretrainedTokenizer.EncodingError.sequenceTooShort(length: pair.ids.count, toRemove: toRemove)
            }
            try pair.truncate(to: pair.ids.count - toRemove, stride: stride, direction: direction)
            second = pair
        }
    }
}

extension PretrainedTokenizer.Padding {
    /// The largest padded length a file may ask for (2^20 tokens): a larger one would make
    /// every encode allocate hundreds of megabytes.
    static let maximumLength = 1 << 20

    /// Parses `padding`.
    static func parse(_ json: _JSONValue) throws -> Self {
        var padding = Self()
        if let strategy = try json.optionalMember("strategy") {
            if case .string(let name) = strategy.value {
                guard name == "BatchLongest" else {
                    throw TokenizerJSONError.invalidValue(
                        path: strategy.path, value: "\"\(name)\"", reason: "use \"BatchLongest\" or {\"Fixed\": length}")
                }
            } else {
                let fixed = try strategy.member("Fixed")
                let length = try fixed.int()
                guard length >= 0, length <= Self.maximumLength else {
                    throw TokenizerJSONError.invalidValue(
                        path: fixed.path, value: "\(length)",
                        reason: "use a length between 0 and \(Self.maximumLength) (every encode is padded to it)")
                }
                padding.fixedLength = length
            }
        }
        if let direction = try json.optionalMember("direction") {
            padding.direction = try enumValue(direction, PretrainedTokenizer.Truncation.Direction.self)
        }
        if let multiple = try json.optionalMember("pad_to_multiple_of") {
            let value = try multiple.int()
            guard value >= 0, value <= Self.maximumLength else {
                throw TokenizerJSONError.invalidValue(
                    path: multiple.path, value: "\(value)", reason: "use a multiple between 0 and \(Self.maximumLength)")
            }
            padding.padToMultipleOf = value
        }
        for (key, keyPath) in [("pad_id", \Self.padID), ("pad_type_id", \Self.padTypeID)] {
            guard let member = try json.optionalMember(key) else { continue }
            let value = try member.int()
            guard let id = Int32(exactly: value), id >= 0 else {
                throw TokenizerJSONError.invalidValue(path: member.path, value: "\(value)", reason: "ids are non-negative 32-bit integers")
            }
            padding[keyPath: keyPath] = id
        }
        padding.padToken = try json.optionalString("pad_token") ?? padding.padToken
        return padding
    }

    /// The length to pad encodings whose longest has `longest` tokens to (HF `pad_encodings`).
    func targetLength(longest: Int) -> Int {
        var length = fixedLength ?? longest
        if let multiple = padToMultipleOf, multiple > 0, length % multiple > 0 {
            length += multiple - length % multiple
        }
        return length
    }
}

extension _RawEncoding {
    /// HF `Encoding::truncate`: keeps `length` tokens from the start (`.right`) or the end
    /// (`.left`); the rest becomes overflowing pieces of at most `length` tokens, each
    /// starting `length - stride` tokens after the one before (so `stride` tokens repeat).
    /// Truncating to 0 leaves an empty encoding whose one piece is the whole encoding.
    /// - Throws: ``PretrainedTokenizer/EncodingError/strideTooLarge(stride:maxLength:)`` when
    ///   `stride >= length > 0` (HF panics).
    mutating func truncate(to length: Int, stride: Int, direction: PretrainedTokenizer.Truncation.Direction) throws {
        let count = ids.count
        guard length < count else { return }
        if length == 0 {
            var whole = self
            whole.overflowing = []
            self = _RawEncoding()
            overflowing = [whole]
            return
        }
        guard stride < length else { throw PretrainedTokenizer.EncodingError.strideTooLarge(stride: stride, maxLength: length) }
        let step = length - stride
        var parts: [Range<Int>] = []
        switch direction {
        case .right:
            var start = 0
            while start < count {
                let stop = min(start + length, count)
                parts.append(start..<stop)
                if stop == count { break }
                start += step
            }
        case .left:
            var last = count - 1
            while last >= 0 {
                let stop = last + 1
                let start = max(0, stop - length)
                parts.append(start..<stop)
                if start == 0 { break }
                last -= step
            }
        }
        let pieces = parts.dropFirst().map { slice($0) }
        self = slice(parts[0])
        overflowing = pieces
    }

    /// The tokens in `range` (no overflowing pieces).
    func slice(_ range: Range<Int>) -> _RawEncoding {
        _RawEncoding(
            ids: Array(ids[range]), offsets: Array(offsets[range]), texts: texts[range],
            typeIDs: Array(typeIDs[range]))
    }
}

extension Encoding {
    /// HF `Encoding::pad`: pads the overflowing pieces, then this encoding, to `length`
    /// (nothing when already as long).
    mutating func pad(to length: Int, with padding: PretrainedTokenizer.Padding) {
        for index in overflowing.indices { overflowing[index].pad(to: length, with: padding) }
        let count = length - ids.count
        guard count > 0 else { return }
        let position = padding.direction == .left ? 0 : ids.count
        ids.insert(contentsOf: repeatElement(padding.padID, count: count), at: position)
        offsets.insert(contentsOf: repeatElement(0..<0, count: count), at: position)
        typeIDs.insert(contentsOf: repeatElement(padding.padTypeID, count: count), at: position)
        attentionMask.insert(contentsOf: repeatElement(0, count: count), at: position)
    }
}

/// Parses a string enum value, naming the allowed values on error.
private func enumValue<T: RawRepresentable & CaseIterable>(_ json: _JSONValue, _ type: T.Type) throws -> T where T.RawValue == String {
    let name = try json.string()
    guard let value = T(rawValue: name) else {
        throw TokenizerJSONError.invalidValue(
            path: json.path, value: "\"\(name)\"", reason: "use one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return value
}

extension PretrainedTokenizer.Truncation.Strategy: CaseIterable {}
extension PretrainedTokenizer.Truncation.Direction: CaseIterable {}
