/// Token ids with their training labels and assistant mask — the output of
/// ``AssistantMasking``, in HF's field names and Collate's `Int32` storage.
///
/// `labels[i] == inputIds[i]` where `assistantMasks[i] == 1`, else the ignore index (-100).
/// Plain arrays, independent of the core `Example` type.
public struct MaskedConversation: Sendable, Hashable {
    /// `input_ids`: the token ids of the rendered conversation.
    public var inputIds: [Int32]
    /// `labels`: `inputIds` where trained, the ignore index elsewhere (not shifted).
    public var labels: [Int32]
    /// `assistant_masks`: 1 for trained tokens, 0 elsewhere.
    public var assistantMasks: [Int32]

    /// Creates a masked conversation from arrays of equal length.
    public init(inputIds: [Int32], labels: [Int32], assistantMasks: [Int32]) {
        self.inputIds = inputIds
        self.labels = labels
        self.assistantMasks = assistantMasks
    }

    /// Builds labels from ids and a 0/1 mask.
    /// - Parameters:
    ///   - inputIds: Token ids.
    ///   - assistantMasks: 1 where the token is trained; missing entries count as 0.
    ///   - ignoreIndex: Label of untrained tokens.
    public init(inputIds: [Int32], assistantMasks: [Int32], ignoreIndex: Int32 = -100) {
        var labels = [Int32](repeating: ignoreIndex, count: inputIds.count)
        for index in inputIds.indices where index < assistantMasks.count && assistantMasks[index] != 0 {
            labels[index] = inputIds[index]
        }
        var mask = [Int32](repeating: 0, count: inputIds.count)
        for index in mask.indices where index < assistantMasks.count && assistantMasks[index] != 0 {
            mask[index] = 1
        }
        self.init(inputIds: inputIds, labels: labels, assistantMasks: mask)
    }

    /// Number of trained tokens.
    public var trainedTokenCount: Int { assistantMasks.reduce(0) { $0 + Int($1) } }
}
