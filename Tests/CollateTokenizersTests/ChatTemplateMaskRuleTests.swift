import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// Collate's assistant spans for templates without `{% generation %}` blocks, checked against
/// TRL 1.16.0's generation-tagged training variants: for every pair `X.jinja` /
/// `X_training.jinja` and every golden conversation, Collate given the ORIGINAL template must
/// produce the spans transformers 5.23 records with the TRAINING variant — except where TRL's
/// variant departs from the rule, and those departures are asserted exactly, by kind.
@Suite struct ChatTemplateMaskRuleTests {
    /// How TRL's spans differ from Collate's on one conversation.
    enum Difference: Hashable, CustomStringConvertible {
        /// Identical spans.
        case none
        /// TRL also trains the whitespace the template writes after the end-of-turn marker
        /// (`<|im_end|>\n`): these strings, per span.
        case trailingWhitespace(String)
        /// TRL also trains text before the generation starts: the assistant header, which the
        /// generation prompt already holds (`<｜Assistant｜>`, `<|start|>assistant`).
        case leadingText(String)
        /// TRL also trains text after the turn that the template writes outside the message (the
        /// next turn's header, a final EOS written after the loop).
        case trailingText(String)
        /// TRL's variant renders different text for this conversation (e.g. Qwen3's training
        /// variant keeps reasoning in earlier turns), so the spans are not comparable.
        case textDiffers
        /// Collate trains this run and TRL does not.
        case extraText(String)
        /// Collate trains tool results that the template writes inside the assistant turn by
        /// reading later messages by index (DiffusionGemma), which provenance cannot tell apart.
        case toolResponsesInTurn
        /// Anything else: spans that neither rule explains.
        case other(String)

        var description: String {
            switch self {
            case .none: "none"
            case .trailingWhitespace(let text): "trailingWhitespace(\(text.debugDescription))"
            case .leadingText(let text): "leadingText(\(text.debugDescription))"
            case .trailingText(let text): "trailingText(\(text.debugDescription))"
            case .textDiffers: "textDiffers"
            case .extraText(let text): "extraText(\(text.debugDescription))"
            case .toolResponsesInTurn: "toolResponsesInTurn"
            case .other(let text): "other(\(text))"
            }
        }
    }

    static func substring(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[max(0, range.lowerBound)..<min(scalars.count, range.upperBound)])
        return text
    }

    /// Classifies the differences between Collate's spans (`ours`) and TRL's (`theirs`) on one
    /// text, character by character: each run TRL trains and Collate does not, and each run
    /// Collate trains and TRL does not, named by where it lies and what it holds.
    static func differences(text: String, ours: [Range<Int>], theirs: [Range<Int>]) -> Set<Difference> {
        let scalars = Array(text.unicodeScalars)
        var mine = [Bool](repeating: false, count: scalars.count)
        var trl = mine
        for span in ours { for i in span.clamped(to: 0..<scalars.count) { mine[i] = true } }
        for span in theirs { for i in span.clamped(to: 0..<scalars.count) { trl[i] = true } }
        guard mine != trl else { return [.none] }
        var kinds: Set<Difference> = []
        var i = 0
        while i < scalars.count {
            guard mine[i] != trl[i] else { i += 1; continue }
            let onlyTRL = trl[i]
            var j = i
            while j < scalars.count, mine[j] != trl[j], trl[j] == onlyTRL { j += 1 }
            let run = substring(scalars, i..<j)
            if onlyTRL {
                if run.unicodeScalars.allSatisfy(\._isPythonWhitespace), i > 0, mine[i - 1] {
                    kinds.insert(.trailingWhitespace(run))
                } else if j < scalars.count, mine[j] {
                    kinds.insert(.leadingText(run))
                } else if i > 0, mine[i - 1] {
                    kinds.insert(.trailingText(run))
                } else {
                    kinds.insert(.other("only TRL trains \(run.debugDescription)"))
                }
            } else if run.contains("<tool_response|>") {
                kinds.insert(.toolResponsesInTurn)
            } else {
                kinds.insert(.extraText(run))
            }
            i = j
        }
        return kinds
    }

    struct PairCase: Sendable, CustomTestStringConvertible {
        var original: String
        var conversation: String
        var testDescription: String { "\(original) / \(conversation)" }
    }

    /// Every (original, conversation) where the training variant has golden generation spans.
    static let pairCases: [PairCase] = {
        let data = ChatTemplateGoldens.data
        var golden: [String: ChatTemplateGoldens.Case] = [:]
        for item in data.cases { golden[item.template + "|" + item.conversation] = item }
        var cases: [PairCase] = []
        for name in data.templates.keys.sorted() where name.hasSuffix("_training") {
            let original = String(name.dropLast("_training".count))
            guard data.templates[original] != nil else { continue }
            for conversation in data.conversationOrder {
                guard golden[name + "|" + conversation]?.generation != nil,
                      golden[original + "|" + conversation]?.text != nil else { continue }
                cases.append(PairCase(original: original, conversation: conversation))
            }
        }
        return cases
    }()

    static func difference(_ pair: PairCase) throws -> Set<Difference> {
        let data = ChatTemplateGoldens.data
        let conversation = try #require(data.conversations[pair.conversation]).conversation
        let training = try #require(data.cases.first { $0.template == pair.original + "_training" && $0.conversation == pair.conversation })
        let original = try #require(ChatTemplateGoldens.chatTemplate(pair.original))
        let rendered = try original.render(conversation)
        guard rendered.text == training.text else { return [.textDiffers] }
        return differences(text: rendered.text, ours: rendered.generations.map(\.range), theirs: training.generation ?? [])
    }

    static let trailingNewline = Difference.trailingWhitespace("\n")
    static let thinkingPrefixes: Set<Difference> = [
        .leadingText("<think>\n"), .leadingText("<think>\n\n</think>\n\n"), textDiffersKind,
    ]
    static let textDiffersKind = Difference.textDiffers

    /// TRL 1.16.0's departures from Collate's rule, per template pair — every kind listed occurs
    /// in the goldens and no other does. `none` is the rule itself.
    static let allowed: [String: Set<Difference>] = [
        "cohere": [.none],
        "cohere2": [.none],
        "llama3": [.none],
        "llava_next": [.none],
        // The assistant header `<｜Assistant｜>` (and, after tool results, `<｜tool▁outputs▁end｜>`)
        // is what the generation prompt writes; TRL trains it. R1's training variant also keeps
        // the reasoning the original strips.
        "deepseek_r1_distill": [.none, .leadingText("<｜Assistant｜>"), .leadingText("<｜tool▁outputs▁end｜>"), .textDiffers],
        "deepseekv3": [.none, .leadingText("<｜Assistant｜>")],
        "gptoss": [.none, .leadingText("<|start|>assistant")],
        "muse_glimmer": [.none, .leadingText("<|start|>assistant")],
        // Newline after the end-of-turn marker trained by TRL.
        "gemma": [.none, trailingNewline],
        "gemma3": [.none, trailingNewline],
        "idefics3": [.none, trailingNewline],
        "lfm2": [.none, trailingNewline],
        "lfm2_v2": [.none, trailingNewline],
        "qwen2_5_vl": [.none, trailingNewline],
        "qwen3_instruct_2507": [.none, trailingNewline],
        "qwen3_vl": [.none, trailingNewline],
        "smolvlm": [.none, trailingNewline],
        // Qwen2.5's variant opens the block before the header's newline.
        "qwen2_5": [.none, .leadingText("\n"), trailingNewline],
        // Phi-3 writes EOS after the loop; TRL trains `<|end|>\n<|endoftext|>` for the last turn.
        "phi3": [.none, .trailingText("\n<|endoftext|>"), trailingNewline],
        "phi3_5": [.none, .trailingText("\n<|endoftext|>"), trailingNewline],
        // GLM's variant renders thinking differently; where the text agrees TRL trains the next
        // turn's `<|user|>` header (GLM writes no end-of-turn marker).
        "glm4moe": [.none, .textDiffers, .trailingText("<|user|>")],
        // Thinking prefixes the generation prompt writes (`<think>`, `<think></think>`, `<think>\n`)
        // trained by TRL, plus the newline after `<|im_end|>`.
        "nemotron_3_5_lightning": nemotron,
        "nemotron_3_nano": nemotron,
        "nemotron_3_super": nemotron,
        "nemotron_3_ultra": nemotron,
        // Qwen3's variants keep earlier turns' reasoning (text differs) and train the thinking
        // prefix of the generation prompt and the newline after `<|im_end|>`.
        "qwen3": [.none, .leadingText("<think>\n\n</think>\n\n"), .textDiffers, trailingNewline],
        "qwen3_5_nothink": thinkingPrefixes.union([.none, trailingNewline]),
        "qwen3_5_think": thinkingPrefixes.union([.none, trailingNewline]),
        "qwen3_6": thinkingPrefixes.union([.none, trailingNewline]),
        "qwen3_8": [.none, .leadingText("<think>\n"), .leadingText("<think>\n\n</think>\n\n"), trailingNewline],
        // DiffusionGemma writes tool results inside the model turn (reading the tool messages by
        // index); Collate cuts them out of the span. When the turn ends in tool calls, the template
        // closes it with `<|tool_response>` (what it writes when the conversation ends there), which
        // Collate trains and TRL does not; after tool results the generation prompt lacks the
        // `<|turn>model\n` the conversation has, so the rule trains it and TRL does not.
        "diffusion_gemma": [.none, trailingNewline, .extraText("<|tool_response>"), .extraText("<|turn>model\n")],
    ]
    static let nemotron: Set<Difference> = [
        .none, .leadingText("<think>"), .leadingText("<think></think>"), .leadingText("<think>\n"), trailingNewline,
    ]

    @Test func everyTrainingPairIsCovered() {
        let pairs = Set(Self.pairCases.map(\.original))
        #expect(pairs == Set(Self.allowed.keys))
        #expect(pairs.count == 31)
        #expect(Self.pairCases.count > 600)
    }

    /// Each case differs from TRL only by its pair's listed departures.
    @Test(arguments: pairCases)
    func spansMatchTRLTrainingVariant(_ pair: PairCase) throws {
        let kinds = try Self.difference(pair)
        let allowed = try #require(Self.allowed[pair.original])
        #expect(kinds.isSubset(of: allowed), "\(kinds.subtracting(allowed))")
    }

    /// Every listed departure occurs: the table says exactly how TRL differs, no more.
    @Test func everyListedDepartureOccurs() throws {
        var seen: [String: Set<Difference>] = [:]
        for pair in Self.pairCases { seen[pair.original, default: []].formUnion(try Self.difference(pair)) }
        for (name, allowed) in Self.allowed {
            #expect(seen[name] == allowed, "\(name): listed but not seen \(allowed.subtracting(seen[name] ?? []))")
        }
    }

    /// Without departures the rule equals TRL exactly: Llama 3, Cohere, Cohere2, Llava-Next.
    @Test func exactPairs() throws {
        for pair in Self.pairCases where ["llama3", "cohere", "cohere2", "llava_next"].contains(pair.original) {
            #expect(try Self.difference(pair) == [.none], "\(pair.testDescription)")
        }
    }
}

