/// Token ids with their training labels and assistant mask — the output of
/// ``AssistantMasking``, in HF's field names and Collate's `Int32` storage.
///
/// `labels[i] == inputIDs[i]` where `assistantMasks[i] == 1`, else the ignore index (-100).
/// Plain arrays, independent of the core `Example` type.
public struct MaskedConversation: Sendable, Hashable {
    /// `input_ids`: the token ids of the rendered conversation.
    public var inputIDs: [Int32]
    /// `labels`: `inputIDs` where trained, the ignore index elsewhere (not shifted).
    public var labels: [Int32]
    /// `assistant_masks`: 1 for trained tokens, 0 elsewhere.
    public var assistantMasks: [Int32]

    /// Creates a masked conversation from arrays of equal length.
    public init(inputIDs: [Int32], labels: [Int32], assistantMasks: [Int32]) {
        self.inputIDs = inputIDs
        self.labels = labels
        self.assistantMasks = assistantMasks
    }

    /// Builds labels from ids and a 0/1 mask.
    /// - Parameters:
    ///   - inputIDs: Token ids.
    ///   - assistantMasks: 1 where the token is trained; missing entries count as 0.
    ///   - ignoreIndex: Label of untrained tokens.
    public init(inputIDs: [Int32], assistantMasks: [Int32], ignoreIndex: Int32 = -100) {
        var labels = [Int32](repeating: ignoreIndex, count: inputIDs.count)
        for index in inputIDs.indices where index < assistantMasks.count && assistantMasks[index] != 0 {
            labels[index] = inputIDs[index]
        }
        var mask = [Int32](repeating: 0, count: inputIDs.count)
        for index in mask.indices where index < assistantMasks.count && assistantMasks[index] != 0 {
            mask[index] = 1
        }
        self.init(inputIDs: inputIDs, labels: labels, assistantMasks: mask)
    }

    /// Number of trained tokens.
    public var trainedTokenCount: Int { assistantMasks.reduce(0) { $0 + Int($1) } }
}

// The spelling before Collate named every id field `inputIDs`; kept so existing code builds.
extension MaskedConversation {
    /// The token ids; renamed ``inputIDs``.
    @available(*, deprecated, renamed: "inputIDs")
    public var inputIds: [Int32] {
        get { inputIDs }
        set { inputIDs = newValue }
    }

    /// Creates a masked conversation; renamed ``init(inputIDs:labels:assistantMasks:)``.
    @available(*, deprecated, renamed: "init(inputIDs:labels:assistantMasks:)")
    public init(inputIds: [Int32], labels: [Int32], assistantMasks: [Int32]) {
        self.init(inputIDs: inputIds, labels: labels, assistantMasks: assistantMasks)
    }

    /// Builds labels from ids and a 0/1 mask; renamed ``init(inputIDs:assistantMasks:ignoreIndex:)``.
    @available(*, deprecated, renamed: "init(inputIDs:assistantMasks:ignoreIndex:)")
    public init(inputIds: [Int32], assistantMasks: [Int32], ignoreIndex: Int32 = -100) {
        self.init(inputIDs: inputIds, assistantMasks: assistantMasks, ignoreIndex: ignoreIndex)
    }
}
