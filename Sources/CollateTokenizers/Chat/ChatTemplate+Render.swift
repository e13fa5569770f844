import Collate
import Foundation

/// One rendering by the interpreter: the text, the output pieces tagged with the message they
/// were written for, and the `{% generation %}` spans. Offsets are Unicode scalars.
struct _TemplateOutput {
    var text: String
    var scalarCount: Int
    /// Output ranges written while a `messages` element was being rendered, in text order.
    var segments: [(range: Range<Int>, message: Int)]
    /// `{% generation %}` block spans, as transformers' AssistantTracker records them, with the
    /// message the template was on (-1 for none).
    var generations: [(range: Range<Int>, message: Int)]
    /// Whether the template source has `{% generation %}` blocks.
    var hasGenerationTags: Bool
}

// MARK: - Rendering

extension ChatTemplate {
    /// Renders a conversation to the text transformers' `apply_chat_template(...,
    /// tokenize=False)` renders, with where every message landed and which spans an assistant
    /// mask trains.
    ///
    /// Messages are preprocessed as transformers 5.23 does (``ChatConversation/preprocessedMessages()``).
    /// The template sees `messages`, `tools` (`none` without tools), `documents` (`none`),
    /// `add_generation_prompt`, the special tokens and the conversation's variables (which win).
    ///
    /// Generation spans:
    /// - a template with `{% generation %}` blocks: exactly the blocks' spans, as HF records them;
    /// - any other template: per assistant message, everything the template writes for it after
    ///   the generation prompt (found by rendering the conversation before that message with
    ///   `add_generation_prompt=True`), through its end-of-turn marker, without the whitespace
    ///   written after the marker. Reasoning and tool calls in the message are inside; tool results
    ///   (their own messages) are not.
    ///
    /// Message spans cover everything the template wrote while on that message (their
    /// `contentRange` is the same range: a template does not say where the content is).
    ///
    /// - Parameter conversation: The conversation.
    /// - Returns: The text, message spans and generation spans.
    /// - Throws: ``ChatTemplateError/renderFailed(template:message:)`` with the interpreter's
    ///   message (template line included) when the template raises or cannot be evaluated;
    ///   nothing is rendered half.
    /// - Complexity: O(*n*) in the output length without generation tags per assistant turn
    ///   (one extra rendering each), O(*n*) with them.
    public func render(_ conversation: ChatConversation) throws(ChatTemplateError) -> RenderedChat {
        let output = try renderOutput(conversation)
        var spans: [ChatMessageSpan] = []
        var bounds: [Int: Range<Int>] = [:]
        for segment in output.segments where !segment.range.isEmpty {
            if let known = bounds[segment.message] {
                bounds[segment.message] = min(known.lowerBound, segment.range.lowerBound)..<max(known.upperBound, segment.range.upperBound)
            } else {
                bounds[segment.message] = segment.range
            }
        }
        for index in conversation.messages.indices {
            guard let range = bounds[index] else { continue }
            spans.append(ChatMessageSpan(messageIndex: index, role: conversation.messages[index].role,
                                         range: range, contentRange: range))
        }
        spans.sort { $0.range.lowerBound < $1.range.lowerBound }

        var generations: [GenerationSpan] = []
        if output.hasGenerationTags {
            for (range, owner) in output.generations {
                generations.append(GenerationSpan(messageIndex: owner, range: range, contentRange: range,
                                                  endOfTurnRange: range.upperBound..<range.upperBound))
            }
        } else {
            let scalars = Array(output.text.unicodeScalars)
            // Assistant messages whose output is not tagged: the template walks `messages` by
            // index (`for i in range(...)` + `messages[i]`) or writes a turn outside its loop.
            let tagged = Set(spans.map(\.messageIndex))
            let untagged = conversation.messages.indices.filter {
                conversation.messages[$0].role == "assistant" && !tagged.contains($0)
            }
            generations = try generationsByPrefixRendering(untagged, text: scalars, conversation: conversation)
            for span in spans where conversation.messages[span.messageIndex].role == "assistant" {
                let start = try generationStart(of: span, in: scalars, conversation: conversation)
                var ranges: [Range<Int>] = []
                for piece in Self.pieces(of: span.messageIndex, in: output.segments) {
                    let lower = max(piece.lowerBound, start)
                    let end = turnEnd(lower..<piece.upperBound, in: scalars)
                    if lower < end { ranges.append(lower..<end) }
                }
                ranges = try cuttingToolResults(from: ranges, of: span.messageIndex, start: start, text: scalars,
                                                conversation: conversation)
                for range in ranges {
                    let (lower, end) = (range.lowerBound, range.upperBound)
                    let marker = endOfTurnLength(scalars[lower..<end])
                    generations.append(GenerationSpan(messageIndex: span.messageIndex, range: lower..<end,
                                                      contentRange: lower..<(end - marker),
                                                      endOfTurnRange: (end - marker)..<end))
                }
            }
            generations.sort { $0.range.lowerBound < $1.range.lowerBound }
        }
        return RenderedChat(text: output.text, scalarCount: output.scalarCount, messages: spans, generations: generations)
    }

    /// Where the model starts generating assistant message `span`: after the prompt an inference
    /// call would give it — the conversation before the message rendered with
    /// `add_generation_prompt=True` — clamped into the message's own output.
    private func generationStart(of span: ChatMessageSpan, in text: [Unicode.Scalar],
                                 conversation: ChatConversation) throws(ChatTemplateError) -> Int {
        var prompt = conversation
        prompt.messages = Array(conversation.messages[..<span.messageIndex])
        prompt.addGenerationPrompt = true
        let promptText: String
        do {
            promptText = try renderOutput(prompt).text
        } catch {
            // A template that refuses the shorter conversation (e.g. one that must end with an
            // assistant turn) gives no prompt to compare with: the whole turn is generated.
            return span.range.lowerBound
        }
        var common = 0
        let promptScalars = Array(promptText.unicodeScalars)
        while common < promptScalars.count, common < text.count, text[common] == promptScalars[common] { common += 1 }
        if common < promptScalars.count {
            // Where the shorter conversation departs before its generation prompt — it writes other
            // text before the prompt (Command-R's tool_use writes an instruction turn after the last
            // message, `<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>...`, which shares its first marker
            // with the assistant header) — the match says nothing about the turn: skip the
            // generation prompt alone at the start of the turn.
            var bare = prompt
            bare.addGenerationPrompt = false
            if let base = try? renderOutput(bare), case let baseScalars = Array(base.text.unicodeScalars),
               baseScalars.count <= promptScalars.count, common < baseScalars.count,
               promptScalars[..<baseScalars.count].elementsEqual(baseScalars) {
                return promptSkip(prompt, promptText: promptScalars, at: span.range, in: text)
            }
            // The turn departs from the generation prompt part-way (DeepSeek-R1 prompts
            // `<｜Assistant｜><think>\n` but a turn without reasoning renders `<｜Assistant｜>` and
            // its content): back off to the end of the last whole piece matched, a `>` or a newline —
            // unless all the prompt has left is whitespace (DeepSeek-VL2 prompts `<|Assistant|>: ` and
            // a newline its turns lack): the turn starts after the part matched.
            if !promptScalars[common...].allSatisfy(\.properties.isWhitespace) {
                while common > span.range.lowerBound, text[common - 1] != ">", text[common - 1] != "\n" { common -= 1 }
            }
        }
        if common < span.range.lowerBound {
            // The shorter conversation renders differently before this turn (a template that
            // moves its tool list to the last user turn): match the generation prompt alone —
            // what add_generation_prompt=True appends — against the start of the turn.
            return promptSkip(prompt, promptText: promptScalars, at: span.range, in: text)
        }
        return min(max(common, span.range.lowerBound), span.range.upperBound)
    }

    /// Where the turn at `range` starts once the generation prompt of `prompt` is skipped: the
    /// longest part of that prompt the turn starts with, backed off to a `>` or newline when the
    /// match is partial; the turn's start when the prompt cannot be isolated.
    private func promptSkip(_ prompt: ChatConversation, promptText: [Unicode.Scalar], at range: Range<Int>,
                            in text: [Unicode.Scalar]) -> Int {
        var bare = prompt
        bare.addGenerationPrompt = false
        guard let base = try? renderOutput(bare), case let baseScalars = Array(base.text.unicodeScalars),
              baseScalars.count <= promptText.count, promptText[..<baseScalars.count].elementsEqual(baseScalars)
        else { return range.lowerBound }
        let generationPrompt = promptText[baseScalars.count...]
        var matched = 0
        for scalar in generationPrompt {
            guard range.lowerBound + matched < range.upperBound, text[range.lowerBound + matched] == scalar else { break }
            matched += 1
        }
        if matched < generationPrompt.count, !generationPrompt.dropFirst(matched).allSatisfy(\.properties.isWhitespace) {
            while matched > 0, text[range.lowerBound + matched - 1] != ">", text[range.lowerBound + matched - 1] != "\n" {
                matched -= 1
            }
        }
        return range.lowerBound + matched
    }

    /// Assistant spans without provenance: for message *i*, from where the conversation before it
    /// rendered with the generation prompt stops matching, to where the conversation ending with
    /// it stops matching, trailing whitespace out. Exact for templates that render a prefix of the
    /// conversation as a prefix of the text; text a template writes after its loop (a final EOS)
    /// is included in the last turn.
    private func generationsByPrefixRendering(_ indices: [Int], text: [Unicode.Scalar], conversation: ChatConversation)
        throws(ChatTemplateError) -> [GenerationSpan] {
        var generations: [GenerationSpan] = []
        for index in indices {
            let message = conversation.messages[index]
            var prefix = conversation
            prefix.messages = Array(conversation.messages[...index])
            prefix.addGenerationPrompt = false
            guard let through = try? renderOutput(prefix) else { continue }
            let whole = ChatMessageSpan(messageIndex: index, role: message.role, range: 0..<text.count, contentRange: 0..<text.count)
            let start = try generationStart(of: whole, in: text, conversation: conversation)
            let own = Array(through.text.unicodeScalars)
            guard start <= own.count, own[..<start].elementsEqual(text[..<start]) else { continue }
            var end = start
            while end < text.count, end < own.count, text[end] == own[end] { end += 1 }
            end = turnEnd(start..<end, in: text)
            guard start < end else { continue }
            let marker = endOfTurnLength(text[start..<end])
            generations.append(GenerationSpan(messageIndex: index, range: start..<end, contentRange: start..<(end - marker),
                                              endOfTurnRange: (end - marker)..<end))
        }
        return generations
    }

    /// Removes from an assistant turn's spans the tool results the template wrote inside it by
    /// reading the following `tool` messages by index (Gemma 4, DiffusionGemma), which provenance
    /// tags to the assistant.
    ///
    /// The turn's own output is what the template writes when the conversation ends with it; a
    /// block of the full rendering that this output lacks, holding a following tool message's
    /// content, is cut out. Anything else is left as it is.
    private func cuttingToolResults(from ranges: [Range<Int>], of index: Int, start: Int, text: [Unicode.Scalar],
                                    conversation: ChatConversation) throws(ChatTemplateError) -> [Range<Int>] {
        var results: [[Unicode.Scalar]] = []
        var next = index + 1
        while next < conversation.messages.count, conversation.messages[next].role == "tool" {
            let content = conversation.messages[next].content
            if !content.isEmpty { results.append(Array(content.unicodeScalars)) }
            next += 1
        }
        guard !results.isEmpty, !ranges.isEmpty else { return ranges }
        var alone = conversation
        alone.messages = Array(conversation.messages[...index])
        alone.addGenerationPrompt = false
        guard let own = try? renderOutput(alone) else { return ranges }
        let ownText = Array(own.text.unicodeScalars)
        guard start <= ownText.count, ownText[..<start].elementsEqual(text[..<start]) else { return ranges }
        let pieces = Self.pieces(of: index, in: own.segments)
        guard let ownEnd = pieces.last?.upperBound, ownEnd > start else { return ranges }
        let expected = ownText[start..<ownEnd]

        func holdsResult(_ block: ArraySlice<Unicode.Scalar>) -> Bool {
            results.contains { result in
                block.count >= result.count
                    && block.indices.contains { i in i + result.count <= block.endIndex && block[i..<(i + result.count)].elementsEqual(result) }
            }
        }

        var cut: [Range<Int>] = []
        var y = expected.startIndex
        for range in ranges {
            var x = range.lowerBound
            var kept = x
            while x < range.upperBound {
                if y < expected.endIndex, text[x] == expected[y] {
                    x += 1
                    y += 1
                    continue
                }
                // A block the turn's own output lacks: find where the rest lines up again.
                var resume: Int?
                for q in (x + 1)...range.upperBound {
                    let rest = text[q..<range.upperBound]
                    if rest.count <= expected.endIndex - y, rest.elementsEqual(expected[y..<(y + rest.count)]) {
                        resume = q
                        break
                    }
                }
                guard let q = resume, holdsResult(text[x..<q]) else { return ranges }
                if kept < x { cut.append(kept..<x) }
                x = q
                kept = q
            }
            if kept < range.upperBound { cut.append(kept..<range.upperBound) }
        }
        return cut
    }

    /// The runs of text written for message `index`, split where another message's text
    /// intervenes (templates that write a tool result inside the assistant turn that called it).
    static func pieces(of index: Int, in segments: [(range: Range<Int>, message: Int)]) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var current: Range<Int>?
        for segment in segments where !segment.range.isEmpty {
            if segment.message == index {
                if let open = current {
                    current = open.lowerBound..<segment.range.upperBound
                } else {
                    current = segment.range
                }
            } else if let open = current {
                pieces.append(open)
                current = nil
            }
        }
        if let open = current { pieces.append(open) }
        return pieces
    }

    /// Where a turn's trained text ends within `range`: through the last end-of-turn marker
    /// (``knownEndOfTurnMarkers`` or the template's `eos_token`) when the template writes
    /// anything after it — whitespace, a next header, any text — since the model stops at the
    /// marker; otherwise at the end of the range, trailing whitespace out.
    ///
    /// The LAST marker counts, not the first: one assistant message may hold several generated
    /// turns (gpt-oss writes `<|end|><|start|>assistant...` between its analysis and its answer).
    func turnEnd(_ range: Range<Int>, in text: [Unicode.Scalar]) -> Int {
        var end = range.upperBound
        while end > range.lowerBound, text[end - 1]._isPythonWhitespace { end -= 1 }
        guard end > range.lowerBound else { return end }
        var markers = Self.knownEndOfTurnMarkers.map { Array($0.unicodeScalars) }
        if let eos = specialTokens["eos_token"], !eos.isEmpty { markers.append(Array(eos.unicodeScalars)) }
        let turn = text[range.lowerBound..<end]
        // The common case: the turn ends with its marker.
        if markers.contains(where: { $0.count <= turn.count && turn.suffix($0.count).elementsEqual($0) }) { return end }
        var best = range.lowerBound
        for marker in markers where marker.count <= turn.count {
            // The last occurrence of this marker that ends at or before `end`.
            var stop = end
            while stop - marker.count >= range.lowerBound {
                if text[(stop - marker.count)..<stop].elementsEqual(marker) {
                    best = max(best, stop)
                    break
                }
                stop -= 1
            }
        }
        return best > range.lowerBound ? best : end
    }

    /// Length of the end-of-turn marker closing `turn`: the longest special token of the
    /// tokenizer (or well-known marker) the turn ends with, else 0.
    private func endOfTurnLength(_ turn: ArraySlice<Unicode.Scalar>) -> Int {
        var best = 0
        for marker in specialTokens.values.filter({ !$0.isEmpty }) + Self.knownEndOfTurnMarkers {
            let scalars = Array(marker.unicodeScalars)
            guard scalars.count > best, scalars.count <= turn.count else { continue }
            if turn.suffix(scalars.count).elementsEqual(scalars) { best = scalars.count }
        }
        return best
    }

    /// End-of-turn markers of common templates, for tokenizers whose config does not name them.
    static let knownEndOfTurnMarkers = [
        "<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "</s>", "<|endoftext|>", "<|END_OF_TURN_TOKEN|>",
        "<｜end▁of▁sentence｜>", "<turn|>", "<|return|>", "<|call|>", "<|eot|>", "<end_of_utterance>",
    ]

    /// Renders with the interpreter: the variant for the conversation, its preprocessed messages,
    /// tools, `add_generation_prompt`, special tokens and variables.
    func renderOutput(_ conversation: ChatConversation) throws(ChatTemplateError) -> _TemplateOutput {
        let source: String
        let compiledVariant: Result<JinjaTemplate, JinjaError>
        if case .string(let requested)? = conversation.variables["chat_template"] {
            // transformers' `apply_chat_template(chat_template=...)`: a variant's name picks that
            // variant (`rag`, `tool_use`), any other string is the template itself.
            if let named = sources[requested], let variant = compiled[requested] {
                (source, compiledVariant) = (named, variant)
            } else {
                source = requested
                compiledVariant = Result { () throws(JinjaError) in
                    try JinjaTemplate(source: requested, name: "\(name) (the line's chat_template)")
                }
            }
        } else {
            let chosen = try variant(hasTools: conversation.tools != nil)
            guard let variant = compiled[chosen.name] else {
                throw ChatTemplateError.noDefaultTemplate(template: name, names: sources.keys.sorted())
            }
            (source, compiledVariant) = (chosen.source, variant)
        }
        let context = Self.templateVariables(for: conversation, specialTokens: specialTokens, template: try? compiledVariant.get())
        let rendering: JinjaRendering
        do {
            rendering = try compiledVariant.get().render(variables: context, now: now ?? Date())
        } catch {
            throw ChatTemplateError.renderFailed(template: name, message: error.description)
        }
        var segments: [(range: Range<Int>, message: Int)] = []
        for segment in rendering.segments {
            if let message = segment.messageIndex { segments.append((segment.range, message)) }
        }
        return _TemplateOutput(
            text: rendering.text, scalarCount: rendering.scalarCount, segments: segments,
            generations: rendering.generations.map { ($0.range, $0.messageIndex ?? -1) }, hasGenerationTags: Self.hasGenerationTags(source))
    }

    /// Whether a template source has a `{% generation %}` block (transformers' own check).
    static func hasGenerationTags(_ source: String) -> Bool {
        source.range(of: #"\{%-?\s*generation\s*-?%\}"#, options: .regularExpression) != nil
    }

    /// The template with the tokenizer's BOS/EOS as `bos_token` / `eos_token` where its own
    /// special tokens do not name them.
    /// - Parameter special: The tokenizer's special tokens.
    /// - Returns: The completed template.
    public func filling(_ special: ChatSpecialTokens) -> ChatTemplate {
        var copy = self
        if copy.specialTokens["bos_token"] == nil, let bos = special.bos { copy.specialTokens["bos_token"] = bos }
        if copy.specialTokens["eos_token"] == nil, let eos = special.eos { copy.specialTokens["eos_token"] = eos }
        return copy
    }
}
