import Foundation
import Testing
@testable import CollateTokenizers

/// How often TRL 0.19.1 (`DataCollatorForCompletionOnlyLM`) and unsloth_zoo
/// (`train_on_responses_only`) disagree with the exact assistant mask — HF transformers 5.23's
/// `return_assistant_tokens_mask` with generation templates — on the 300 per-conversation rows
/// of `compat.jsonl`, computed from the reference data alone; Collate's labels must give the
/// same counts. See `Guides/Masking.md`.
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

    /// Which labels the tools are compared with.
    enum Exact {
        /// HF's: transformers 5.23 `apply_chat_template(..., return_assistant_tokens_mask=True)`
        /// with `{% generation %}` templates (`chat.jsonl`), every assistant turn; or only the
        /// last turn's tokens (the last run of the mask) with `lastTurnOnly`.
        case reference(lastTurnOnly: Bool)
        /// Collate's own labels with these options.
        case collate(AssistantMasking)
    }

    /// The reference labels: each id where HF's assistant mask is 1, else -100.
    static func referenceLabels(_ golden: ChatCase, lastTurnOnly: Bool) -> [Int32] {
        var mask = golden.expected.assistantMasks
        if lastTurnOnly, let last = mask.lastIndex(of: 1) {
            var start = last
            while start > 0, mask[start - 1] == 1 { start -= 1 }
            for index in 0..<start { mask[index] = 0 }
        }
        return zip(golden.expected.inputIDs, mask).map { $1 == 1 ? $0 : -100 }
    }

    static func measure(against exact: Exact, tools: [Tool] = Tool.allCases) throws -> [Tool: [String: Count]] {
        let chat = Dictionary(ChatGolden.chatCases.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var counts: [Tool: [String: Count]] = [:]
        for row in ChatGolden.compatRows {
            guard let golden = chat[row.id] else { continue }
            let labels: [Int32]
            switch exact {
            case .reference(let lastTurnOnly):
                // Same ids as the tools saw, so labels compare token for token.
                guard golden.expected.inputIDs == row.inputIDs else { continue }
                labels = referenceLabels(golden, lastTurnOnly: lastTurnOnly)
            case .collate(let masking):
                let collate = try collateLabels(golden, masking: masking)
                guard collate.inputIDs == row.inputIDs else { continue }
                labels = collate.labels
            }
            let group = "\(golden.template)@\(golden.tokenizer)"
            for tool in tools {
                let toolLabels: [Int32]?
                switch tool {
                case .trl: toolLabels = row.expected.trlLabels
                case .trlResponseOnly: toolLabels = row.expected.trlLabelsResponseOnly
                case .unsloth: toolLabels = row.expected.unslothLabels
                }
                guard let toolLabels else { continue }
                var count = counts[tool, default: [:]][group, default: Count()]
                if toolLabels != labels {
                    count.disagree += 1
                    if toolLabels.allSatisfy({ $0 == -100 }) { count.nothingTrained += 1 }
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
            #expect(try Self.collateLabels(golden).inputIDs == row.inputIDs, "\(row.id)")
        }
    }

    /// The counts against HF's reference masks, and the same counts against Collate's labels:
    /// nothing here is a snapshot of Collate's own output. They agree exactly when Collate's
    /// labels equal the reference on every conversation (`ChatGoldenParityTests` checks each).
    /// The table in `Guides/Masking.md` must show the reference counts.
    @Test func disagreementCounts() throws {
        let reference = try Self.measure(against: .reference(lastTurnOnly: false))
        let collate = try Self.measure(against: .collate(AssistantMasking()))
        #expect(reference.values.allSatisfy { $0.values.reduce(0) { $0 + $1.disagree } > 0 }, "every tool disagrees somewhere")
        for tool in Tool.allCases {
            #expect(collate[tool] == reference[tool], "\(tool.rawValue): Collate \(collate[tool] ?? [:]), reference \(reference[tool] ?? [:])")
        }
        // Every group has its 60 conversations counted.
        #expect(Set(reference.values.flatMap(\.keys)).count == 5)
        try Self.checkGuideTable(reference)
    }

    /// TRL without an instruction template trains only the last response; compared with the
    /// reference's last turn (and Collate's `.last` option, which must agree) it still differs
    /// wherever its template search fails or it trains the separator after the end-of-turn token.
    @Test func responseOnlyAgainstLastTurn() throws {
        let reference = try Self.measure(against: .reference(lastTurnOnly: true), tools: [.trlResponseOnly])
        let collate = try Self.measure(against: .collate(AssistantMasking(turns: .last)), tools: [.trlResponseOnly])
        #expect(collate == reference)
        #expect(reference[.trlResponseOnly]?["mistral-tekken@tekken"] == Count(disagree: 0, nothingTrained: 0),
                "the one group where TRL's last-response labels are exact")
    }

    /// Reads the "group (60 each) | TRL | TRL response-only | Unsloth" table of the guide and
    /// compares every cell with `counts`.
    static func checkGuideTable(_ counts: [Tool: [String: Count]]) throws {
        let guide = Fixtures.repositoryRoot.appendingPathComponent("Guides/Masking.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        var rows = 0
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4 else { continue }
            // "`alpaca` @ mistral-v1" → "alpaca@mistral-v1"
            let group = cells[0].replacingOccurrences(of: "`", with: "").replacingOccurrences(of: " ", with: "")
            guard counts[.trl]?[group] != nil else { continue }
            rows += 1
            for (tool, cell) in zip([Tool.trl, .trlResponseOnly, .unsloth], cells[1...]) {
                let numbers = cell.replacingOccurrences(of: "*", with: "").split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                let shown = Count(disagree: numbers.first ?? -1, nothingTrained: numbers.count > 1 ? numbers[1] : 0)
                #expect(counts[tool]?[group] == shown, "Guides/Masking.md, \(group), \(tool.rawValue): shows \(cell)")
            }
        }
        #expect(rows == 5, "the guide's table has a row per group")
    }
}
