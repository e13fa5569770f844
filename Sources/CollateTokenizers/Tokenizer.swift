import Collate

/// The result of encoding one text: token ids and, for each token, the span of the
/// input it covers.
///
/// Offsets are in Unicode scalar units of the original text, exactly as HF `tokenizers`
/// reports them (`Encoding.offsets`): `[start, end)`; special tokens added by a
/// post-processor cover the empty span `0..<0`. For a pair of texts, the offsets of the
/// second text's tokens are in units of the second text, as HF reports them.
public struct Encoding: Sendable, Hashable {
    /// Token ids, in order.
    public var ids: [Int32]
    /// For each token, the half-open range of Unicode scalars of the input text it covers.
    public var offsets: [Range<Int>]
    /// For each token, its type id (`token_type_ids`: 0 for the first text of a pair, 1 for
    /// the second where the post-processor says so; padding's `pad_type_id`).
    public var typeIDs: [Int32]
    /// For each token, 1, or 0 for padding added by the tokenizer's `padding` section.
    public var attentionMask: [Int32]
    /// The pieces that the tokenizer's `truncation` section cut off, as HF's
    /// `Encoding.overflowing`: each of at most `max_length` tokens (special tokens and
    /// padding included), repeating the last `stride` tokens of the piece before it. For a
    /// pair whose both texts overflow, a piece may hold pieces of its own, as in HF.
    public var overflowing: [Encoding] = []

    /// Creates an encoding from ids and their offsets (same count); type ids are 0 and the
    /// attention mask is all 1.
    public init(ids: [Int32], offsets: [Range<Int>]) {
        self.ids = ids
        self.offsets = offsets
        typeIDs = Array(repeating: 0, count: ids.count)
        attentionMask = Array(repeating: 1, count: ids.count)
    }

    /// Creates an encoding with every field given (all of the same count).
    public init(ids: [Int32], offsets: [Range<Int>], typeIDs: [Int32], attentionMask: [Int32]) {
        self.ids = ids
        self.offsets = offsets
        self.typeIDs = typeIDs
        self.attentionMask = attentionMask
    }
}

/// A tokenizer that can encode text with offsets: what chat rendering and exact
/// assistant masking need.
///
/// The shape follows swift-transformers' `Tokenizer` (`encode(text:addSpecialTokens:)`,
/// `decode(tokens:)`, `convertTokenToId(_:)`, special tokens), plus `encodeWithOffsets`,
/// so adapting another tokenizer takes a few lines.
public protocol Tokenizer: Sendable {
    /// Encodes `text` into ids and per-token offsets (Unicode scalar units).
    /// - Parameters:
    ///   - text: The text to encode.
    ///   - addSpecialTokens: Whether to run the post-processor (e.g. prepend BOS).
    func encodeWithOffsets(text: String, addSpecialTokens: Bool) throws -> Encoding

    /// Decodes ids back to text.
    /// - Parameters:
    ///   - tokens: The ids to decode.
    ///   - skipSpecialTokens: Whether special tokens are left out of the text.
    func decode(tokens: [Int], skipSpecialTokens: Bool) -> String

    /// The id of a token string, or `nil` when the vocabulary has no such token.
    func convertTokenToId(_ token: String) -> Int?

    /// The token string of an id, or `nil` when the id is out of the vocabulary.
    func convertIdToToken(_ id: Int) -> String?

    /// Number of ids the tokenizer can produce (model vocabulary plus added tokens).
    var vocabularySize: Int { get }

    /// Beginning-of-sequence token, if the tokenizer has one.
    var bosToken: String? { get }
    /// End-of-sequence token, if the tokenizer has one.
    var eosToken: String? { get }
    /// Padding token, if the tokenizer has one.
    var padToken: String? { get }
    /// Unknown token, if the tokenizer has one.
    var unknownToken: String? { get }
}

// MARK: - Default implementations

extension Tokenizer {
    /// Encodes `text` into ids.
    public func encode(text: String, addSpecialTokens: Bool = true) throws -> [Int] {
        try encodeWithOffsets(text: text, addSpecialTokens: addSpecialTokens).ids.map(Int.init)
    }

    /// Decodes ids back to text, keeping special tokens.
    public func decode(tokens: [Int]) -> String {
        decode(tokens: tokens, skipSpecialTokens: false)
    }

    /// The id of ``bosToken``.
    public var bosTokenId: Int? { bosToken.flatMap(convertTokenToId) }
    /// The id of ``eosToken``.
    public var eosTokenId: Int? { eosToken.flatMap(convertTokenToId) }
    /// The id of ``padToken``.
    public var padTokenId: Int? { padToken.flatMap(convertTokenToId) }
    /// The id of ``unknownToken``.
    public var unknownTokenId: Int? { unknownToken.flatMap(convertTokenToId) }
}
