// libFuzzer target: a conversation -> every built-in chat format -> tokenize -> assistant masks.
//
// Input layout: byte 0 picks masking options; the rest is split at 0xFF into messages. A
// message's first byte picks its role ("system", "user", "assistant", "tool", or, from 0xF0
// on, the text up to 0xFE as the role); the remainder is its content (lossy UTF-8).
// Oracles: rendering rejects only with ChatFormatError; every span lies inside the text;
// labels, masks and ids have one entry per token; a trained label equals its id.
// Built and run by Tests/Fuzz/run.sh chat (COLLATE_FIXTURES points at Tests/Fixtures).
import CollateTokenizers
import Foundation

let tokenizer: PretrainedTokenizer = {
    let fixtures = ProcessInfo.processInfo.environment["COLLATE_FIXTURES"] ?? "Tests/Fixtures"
    do {
        return try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: fixtures + "/tokenizers/mistral-v1-chatml"))
    } catch {
        fatalError("cannot load the fixture tokenizer: \(error)")
    }
}()
let formats = ChatFormat.builtInNames.compactMap { try? ChatFormat.named($0) } + [ChatFormat.qwen(defaultSystemPrompt: nil)]
let roles = ["system", "user", "assistant", "tool"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChat(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let options = bytes.first else { return 0 }
    var messages: [ChatMessage] = []
    for chunk in bytes.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false) {
        guard let selector = chunk.first else { continue }
        var rest = chunk.dropFirst()
        let role: String
        if selector < 0xF0 {
            role = roles[Int(selector) % roles.count]
        } else {
            let end = rest.firstIndex(of: 0xFE) ?? rest.endIndex
            role = String(decoding: rest[..<end], as: UTF8.self)
            rest = rest[end...].dropFirst()
        }
        messages.append(ChatMessage(role: role, content: String(decoding: rest, as: UTF8.self)))
    }
    let masking = AssistantMasking(turns: options & 1 == 0 ? .all : .last, includeEndOfTurn: options & 2 == 0)
    for format in formats {
        let chat: TokenizedChat
        do {
            chat = try format.tokenize(messages, with: tokenizer, masking: masking)
        } catch is ChatFormatError {
            continue
        } catch {
            fatalError("\(format.name) threw a non-ChatFormatError: \(error)")
        }
        let rendered = chat.rendered
        guard rendered.scalarCount == rendered.text.unicodeScalars.count else { fatalError("scalar count off") }
        for span in rendered.messages where span.range.upperBound > rendered.scalarCount
            || span.contentRange.lowerBound < span.range.lowerBound || span.contentRange.upperBound > span.range.upperBound {
            fatalError("\(format.name): message span \(span) outside the text")
        }
        for span in rendered.generations where span.range.upperBound > rendered.scalarCount {
            fatalError("\(format.name): generation span \(span) outside the text")
        }
        let masked = chat.masked
        guard masked.inputIDs.count == masked.labels.count, masked.labels.count == masked.assistantMasks.count,
              masked.inputIDs == chat.encoding.ids
        else { fatalError("\(format.name): ids, labels and masks differ in length") }
        for index in masked.labels.indices where masked.labels[index] != masking.ignoreIndex && masked.labels[index] != masked.inputIDs[index] {
            fatalError("\(format.name): label \(index) is neither ignored nor the token id")
        }
    }
    return 0
}
