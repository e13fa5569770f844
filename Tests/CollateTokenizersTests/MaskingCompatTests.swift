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

    /// Collate's labels for a golden conversation, rendered and tokenized with the real
    /// tokenizer (`chat.jsonl` messages with the same id as the compat row).
    static func collateLabels(_ golden: ChatCase, masking: AssistantMasking = AssistantMasking()) throws -> TokenizedChat {
        try ChatFormat.named(golden.template).tokenize(
            golden.messages, with: Fixtures.tokenizer(golden.tokenizer), masking: masking)
    }

    static func measure(masking: AssistantMasking = AssistantMasking(), tools: [Tool] = Tool.allCases) throws
        -> [Tool: [String: Count]]
    {
        let chat = Dictionary(ChatGolden.chatCases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var counts: [Tool: [String: Count]] = [:]
        for row in ChatGolden.compatRows {
            guard let golden = chat[row.id] else { continue }
            let collate = try collateLabels(golden, masking: masking)
            // Same ids as the tools saw, so labels compare token for token.
            guard collate.inputIds == row.inputIds else { continue }
            let exact = collate.labels
            let group = "\(golden.template)@\(golden.tokenizer)"
            for tool in tools {
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

    @Test func rowsPairWithGoldenConversations() throws {
        let chat = Dictionary(ChatGolden.chatCases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(ChatGolden.compatRows.count == 300)
        for row in ChatGolden.compatRows {
            // Same conversation, same ids: the exact labels apply token for token.
            let golden = try #require(chat[row.id], "\(row.id)")
            #expect(golden.template == row.template && golden.tokenizer == row.tokenizer, "\(row.id)")
            #expect(try Self.collateLabels(golden).inputIds == row.inputIds, "\(row.id)")
        }
    }

    /// Measured counts (60 conversations per group).
    @Test func disagreementCounts() throws {
        let measured = try Self.measure()
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

    /// TRL without an instruction template trains only the last response; compared with
    /// Collate's `.last` option it still differs wherever its template search fails or it trains
    /// the separator after the end-of-turn token.
    @Test func responseOnlyAgainstLastTurn() throws {
        let measured = try Self.measure(masking: AssistantMasking(turns: .last), tools: [.trlResponseOnly])
        #expect(measured[.trlResponseOnly] == [
            "alpaca@mistral-v1": Count(disagree: 60, nothingTrained: 59),
            "alpaca@tekken": Count(disagree: 60, nothingTrained: 0),
            "chatml@mistral-v1-chatml": Count(disagree: 60, nothingTrained: 0),
            "mistral-inst@mistral-v1": Count(disagree: 4, nothingTrained: 2),
            "mistral-tekken@tekken": Count(disagree: 0, nothingTrained: 0),
        ])
    }
}
