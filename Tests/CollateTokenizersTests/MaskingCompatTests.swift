import Testing
@testable import CollateTokenizers

/// How often TRL 0.19.1 (`DataCollatorForCompletionOnlyLM`) and unsloth_zoo
/// (`train_on_responses_only`) disagree with the exact assistant mask on the 300
/// per-conversation rows of `compat.jsonl`. See `Guides/Masking.md`.
@Suite struct MaskingCompatTests {
    /// One tool's labels for one conversation.
    enum Tool: String, CaseIterable, Sendable {
        case trl = "trl_labels"
        case trlResponseOnly = "trl_labels_response_only"
        case unsloth = "unsloth_labels"
    }

    struct Count: Hashable, CustomStringConvertible {
        /// Conversations whose labels differ from the exact labels.
        var disagree = 0
        /// Of those, conversations where the tool trains nothing at all (template never matched).
        var nothingTrained = 0
        var description: String { "\(disagree) (\(nothingTrained) untrained)" }
    }

    /// Exact labels: golden ids where HF's assistant mask is 1, -100 elsewhere.
    static func exactLabels(_ golden: ChatCase) -> [Int32] {
        MaskedConversation(inputIds: golden.expected.inputIds, assistantMasks: golden.expected.assistantMasks).labels
    }

    static func measure() -> [Tool: [String: Count]] {
        let chat = Dictionary(ChatGolden.chatCases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var counts: [Tool: [String: Count]] = [:]
        for row in ChatGolden.compatRows {
            guard let golden = chat[row.id] else { continue }
            let exact = exactLabels(golden)
            let group = "\(golden.template)@\(golden.tokenizer)"
            for tool in Tool.allCases {
                let labels: [Int32]?
                switch tool {
                case .trl: labels = row.expected.trlLabels
                case .trlResponseOnly: labels = row.expected.trlLabelsResponseOnly
                case .unsloth: labels = row.expected.unslothLabels
                }
                guard let labels else { continue }
                var count = counts[tool, default: [:]][group, default: Count()]
                if labels != exact {
                    count.disagree += 1
                    if labels.allSatisfy({ $0 == -100 }) { count.nothingTrained += 1 }
                }
                counts[tool, default: [:]][group] = count
            }
        }
        return counts
    }

    @Test func rowsPairWithGoldenConversations() {
        let chat = Dictionary(ChatGolden.chatCases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(ChatGolden.compatRows.count == 300)
        for row in ChatGolden.compatRows {
            // Same conversation, same ids: the exact labels apply token for token.
            #expect(chat[row.id]?.expected.inputIds == row.inputIds, "\(row.id)")
            #expect(chat[row.id]?.template == row.template, "\(row.id)")
        }
    }

    /// Measured counts (60 conversations per group).
    @Test func disagreementCounts() {
        let measured = Self.measure()
        let expected: [Tool: [String: Count]] = [
            .trl: [
                "alpaca@mistral-v1": Count(disagree: 60, nothingTrained: 60),
                "alpaca@tekken": Count(disagree: 60, nothingTrained: 0),
                "chatml@mistral-v1-chatml": Count(disagree: 60, nothingTrained: 0),
                "mistral-inst@mistral-v1": Count(disagree: 11, nothingTrained: 5),
                "mistral-tekken@tekken": Count(disagree: 2, nothingTrained: 0),
            ],
            .trlResponseOnly: [
                "alpaca@mistral-v1": Count(disagree: 60, nothingTrained: 59),
                "alpaca@tekken": Count(disagree: 60, nothingTrained: 0),
                "chatml@mistral-v1-chatml": Count(disagree: 60, nothingTrained: 0),
                "mistral-inst@mistral-v1": Count(disagree: 38, nothingTrained: 2),
                "mistral-tekken@tekken": Count(disagree: 36, nothingTrained: 0),
            ],
            .unsloth: [
                "alpaca@mistral-v1": Count(disagree: 60, nothingTrained: 59),
                "alpaca@tekken": Count(disagree: 2, nothingTrained: 0),
                "chatml@mistral-v1-chatml": Count(disagree: 60, nothingTrained: 0),
                "mistral-inst@mistral-v1": Count(disagree: 11, nothingTrained: 2),
                "mistral-tekken@tekken": Count(disagree: 3, nothingTrained: 0),
            ],
        ]
        for tool in Tool.allCases {
            #expect(measured[tool] == expected[tool], "\(tool.rawValue): \(measured[tool] ?? [:])")
        }
    }
}
