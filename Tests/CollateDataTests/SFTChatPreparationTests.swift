import Collate
import CollateTokenizers
import Foundation
import Testing

/// One case of `Tests/Fixtures/trl/sft_chat_preparation.jsonl`: a real TRL 1.16.0 `SFTTrainer`
/// (transformers 5.23 `apply_chat_template`) preparing conversational data — `messages` or
/// prompt/completion message lists — with one of TRL's chat templates, and its collator's batch.
struct SFTChatCase: Sendable, CustomTestStringConvertible {
    let id: String
    let object: JSONObject
    var testDescription: String { id }

    static let fixtures = Fixtures.root

    static let lines: [JSONObject] = {
        guard let text = try? String(contentsOf: fixtures.appendingPathComponent("trl/sft_chat_preparation.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let object)? = try? JSONParser.parse(String(line)) else { return nil }
            return object
        }
    }()

    /// The trainer cases (the last line is the untagged-template record).
    static let all: [SFTChatCase] = lines.compactMap { object in
        guard case .string(let id)? = object["id"], object["template"] != nil else { return nil }
        return SFTChatCase(id: id, object: object)
    }
}

@Suite("Conversational SFT preparation equals TRL 1.16 SFTTrainer (ChatTemplate + tokenizer + SFTPreparation + sft)")
struct SFTChatPreparationTests {
    static func ids(_ value: JSONValue?) -> [Int32] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap { if case .integer(let number) = $0 { Int32(exactly: number) } else { nil } }
    }

    static let tokenizer: PretrainedTokenizer? = try? PretrainedTokenizer(contentsOf: SFTChatCase.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml"))

    static func template(_ name: String, bos: String, eos: String) throws -> ChatTemplate {
        let url = SFTChatCase.fixtures.appendingPathComponent("chat-templates/templates/\(name).jinja")
        return ChatTemplate(source: try String(contentsOf: url, encoding: .utf8), name: name, specialTokens: ["bos_token": bos, "eos_token": eos])
    }

    static func messages(_ value: JSONValue?) throws -> [ChatMessage] {
        guard case .array(let items)? = value else { throw ChatConversationError(field: "messages", reason: "not an array") }
        return try items.map { item in
            guard case .object(let fields) = item else { throw ChatConversationError(field: "messages", reason: "not an object") }
            return try ChatMessage(fields: fields)
        }
    }

    /// Collate's examples for a case's rows: rendered by `template`, tokenized, then
    /// ``SFTPreparation``'s conversational constructors, as `SFTTrainer.tokenize_fn` does.
    static func examples(_ object: JSONObject, template: ChatTemplate, assistantOnly: Bool) throws -> (examples: [Example], tokenized: [JSONObject]) {
        let tokenizer = try #require(tokenizer)
        guard case .string(let format)? = object["format"], case .array(let rows)? = object["rows"] else { throw ChatConversationError(field: "rows", reason: "missing") }
        var examples: [Example] = []
        var tokenized: [JSONObject] = []
        for row in rows {
            guard case .object(let row) = row else { continue }
            if format == "messages" {
                // TRL passes the row's `tools` (a JSON string is parsed) to apply_chat_template.
                var tools: [JSONValue]?
                if case .string(let json)? = row["tools"], case .array(let schemas) = try JSONParser.parse(json) { tools = schemas }
                let chat = try template.tokenize(ChatConversation(try messages(row["messages"]), tools: tools), with: tokenizer)
                examples.append(try SFTPreparation.conversation(inputIDs: chat.inputIDs, assistantMasks: assistantOnly ? chat.assistantMasks : nil))
                tokenized.append(JSONObject([("input_ids", .array(chat.inputIDs.map { .integer(Int64($0)) })),
                                             ("assistant_masks", .array(chat.assistantMasks.map { .integer(Int64($0)) }))]))
            } else {
                let prompt = try messages(row["prompt"])
                let completion = try messages(row["completion"])
                let promptChat = try template.tokenize(ChatConversation(prompt, addGenerationPrompt: true), with: tokenizer)
                let fullChat = try template.tokenize(ChatConversation(prompt + completion), with: tokenizer)
                examples.append(try SFTPreparation.promptCompletion(promptIDs: promptChat.inputIDs, promptCompletionIDs: fullChat.inputIDs,
                                                                    assistantMasks: assistantOnly ? fullChat.assistantMasks : nil))
                tokenized.append(JSONObject([("prompt_ids", .array(promptChat.inputIDs.map { .integer(Int64($0)) })),
                                             ("prompt_completion_ids", .array(fullChat.inputIDs.map { .integer(Int64($0)) })),
                                             ("assistant_masks", .array(fullChat.assistantMasks.map { .integer(Int64($0)) }))]))
            }
        }
        return (examples, tokenized)
    }

    static func preparation(_ config: JSONObject) throws -> SFTPreparation {
        var preparation = SFTPreparation()
        switch config["max_length"] {
        case .integer(let length)?: preparation.maxLength = Int(length)
        case .null?: preparation.maxLength = nil
        default: break
        }
        if case .string(let mode)? = config["truncation_mode"] { preparation.truncationMode = try #require(SFTPreparation.TruncationMode(rawValue: mode)) }
        if case .bool(let flag)? = config["completion_only_loss"] { preparation.completionOnlyLoss = flag }
        return preparation
    }

    @Test func everyCaseIsLoaded() throws {
        #expect(SFTChatCase.all.count == 26)
        #expect(SFTChatCase.lines.count == 27)
        #expect(Self.tokenizer != nil)
    }

    @Test("tokenized ids and masks, prepared examples and the collated batch", arguments: SFTChatCase.all)
    func parity(_ golden: SFTChatCase) throws {
        let object = golden.object
        guard case .string(let templateName)? = object["template"], case .string(let bos)? = object["bos_token"],
              case .string(let eos)? = object["eos_token"], case .object(let config)? = object["config"],
              case .array(let tokenizedGolden)? = object["tokenized"], case .array(let prepared)? = object["prepared"],
              case .integer(let pad)? = object["pad_token_id"], case .object(let batch)? = object["batch"] else {
            Issue.record("malformed case")
            return
        }
        let assistantOnly = config["assistant_only_loss"] == .bool(true)
        // TRL swaps in its generation-tagged copy under assistant_only_loss; otherwise the tokenizer's own template.
        var name = templateName
        if case .string(let training)? = object["training_template"] { name = training }
        #expect(assistantOnly == (object["training_template"] != .null))
        let template = try Self.template(name, bos: bos, eos: eos)
        let (examples, tokenized) = try Self.examples(object, template: template, assistantOnly: assistantOnly)

        #expect(tokenized.count == tokenizedGolden.count)
        for (ours, expected) in zip(tokenized, tokenizedGolden) {
            guard case .object(let expected) = expected else { continue }
            for key in expected.keys { #expect(ours[key] == expected[key], "tokenized \(key)") }
        }
        let ours = try Self.preparation(config).prepare(examples)
        #expect(ours.count == prepared.count, "examples kept")
        for (example, expected) in zip(ours, prepared) {
            guard case .object(let expected) = expected else { continue }
            #expect(example.inputIDs == Self.ids(expected["input_ids"]))
            #expect(example.labels == Self.ids(expected["labels"]))
        }
        guard !ours.isEmpty else {
            #expect(batch.keys.isEmpty)
            return
        }
        let collated = try SFTCollator(padTokenID: Int32(pad)).collate(ours.map { Example(inputIDs: $0.inputIDs, labels: $0.labels) })
        #expect(collated.names == batch.keys)
        for (key, entry) in batch.members {
            guard case .object(let spec) = entry else { continue }
            #expect(collated[key]?.jsonValue == spec["value"], "\(key)")
        }
    }

    /// With the ORIGINAL (untagged) template, Collate derives the assistant masks by its rule where
    /// TRL swaps in its `*_training.jinja` copy. The ids are the same; the labels are the same
    /// except for the tokens TRL's copy trains beyond "what the model must generate": the newline
    /// after `<|im_end|>` and the one after `<|im_start|>assistant` for Qwen2.5 (its copy opens
    /// the generation block before that newline), and the newline after `<|end|>` for Phi-3.
    @Test("original template: Collate's rule vs TRL's training copy", arguments: SFTChatCase.all.filter { $0.object["training_template"] != .null })
    func originalTemplate(_ golden: SFTChatCase) throws {
        let object = golden.object
        guard case .string(let name)? = object["template"], case .string(let bos)? = object["bos_token"],
              case .string(let eos)? = object["eos_token"], case .object(let config)? = object["config"],
              case .array(let prepared)? = object["prepared"] else {
            Issue.record("malformed case")
            return
        }
        let tokenizer = try #require(Self.tokenizer)
        let (examples, _) = try Self.examples(object, template: try Self.template(name, bos: bos, eos: eos), assistantOnly: true)
        let ours = try Self.preparation(config).prepare(examples)
        let allowed: Set<String> = Self.extraTrained[name] ?? []
        var differing: [String] = []
        for (example, expected) in zip(ours, prepared) {
            guard case .object(let expected) = expected else { continue }
            #expect(example.inputIDs == Self.ids(expected["input_ids"]))
            let theirs = Self.ids(expected["labels"])
            for (position, (mine, trl)) in zip(example.labels ?? [], theirs).enumerated() where mine != trl {
                #expect(mine == -100, "Collate trains a token TRL's copy does not, at \(position)")
                differing.append(tokenizer.token(of: example.inputIDs[position]) ?? "?")
            }
        }
        #expect(ours.count == prepared.count, "examples kept")
        for text in differing { #expect(allowed.contains(text), "\(name): TRL's copy also trains \(String(reflecting: text))") }
        #expect(allowed.isEmpty == differing.isEmpty, "\(name): the documented departure shows")
    }

    /// The tokens (vocabulary strings) TRL's training copy trains that Collate's rule leaves out, per template.
    static let extraTrained: [String: Set<String>] = ["qwen2_5": ["<0x0A>", "▁"], "phi3": ["<0x0A>", "</s>"]]

    /// TRL 1.16 refuses `assistant_only_loss=True` with an untagged template it has no training
    /// copy of (`get_training_chat_template` raises `ValueError`); Collate derives the masks by
    /// its rule from the untagged template, and without assistant-only loss both train every token.
    @Test func untaggedTemplate() throws {
        let record = try #require(SFTChatCase.lines.last)
        guard case .string(let source)? = record["template_source"], case .string(let error)? = record["error"],
              case .array(let rows)? = record["rows"], case .array(let plain)? = record["prepared_without_assistant_only_loss"] else {
            Issue.record("malformed untagged-template record")
            return
        }
        #expect(error.hasPrefix("ValueError: The chat template is not training-compatible"))
        let tokenizer = try #require(Self.tokenizer)
        let template = ChatTemplate(source: source, name: "chatml", specialTokens: ["bos_token": "<s>", "eos_token": "</s>"])
        for (row, expected) in zip(rows, plain) {
            guard case .object(let row) = row, case .object(let expected) = expected else { continue }
            let chat = try template.tokenize(ChatConversation(try Self.messages(row["messages"])), with: tokenizer)
            let everything = SFTPreparation().prepare([try SFTPreparation.conversation(inputIDs: chat.inputIDs, assistantMasks: nil)])
            #expect(everything.first?.inputIDs == Self.ids(expected["input_ids"]))
            #expect(everything.first?.labels == Self.ids(expected["labels"]))
            // Collate's rule: assistant content through <|im_end|>, nothing else.
            let masked = try #require(SFTPreparation().prepare([try SFTPreparation.conversation(inputIDs: chat.inputIDs, assistantMasks: chat.assistantMasks)]).first)
            let trained: [Int32] = (masked.labels ?? []).filter { $0 != -100 }
            #expect(!trained.isEmpty)
            #expect(trained.last == 32001, "ends with <|im_end|>")
            #expect(trained.count < chat.inputIDs.count)
        }
    }

    @Test func maskErrors() {
        #expect(throws: SFTPreparationError.noAssistantTokens) { try SFTPreparation.conversation(inputIDs: [5, 6], assistantMasks: [0, 0]) }
        #expect(throws: SFTPreparationError.maskLength(field: "assistant_masks", expected: 2, found: 1)) {
            try SFTPreparation.promptCompletion(promptIDs: [5], promptCompletionIDs: [5, 6], assistantMasks: [1])
        }
        let example = try? SFTPreparation.promptCompletion(promptIDs: [5, 7], promptCompletionIDs: [5, 6, 8], assistantMasks: [0, 1, 0])
        // completion_mask [0,1,1] and assistant_masks [0,1,0] both apply.
        #expect(example.map { SFTPreparation().prepare([$0]).first?.labels } == [-100, 6, -100])
    }
}
