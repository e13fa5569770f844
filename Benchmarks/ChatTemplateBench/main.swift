// Chat-template rendering throughput: Collate's Jinja interpreter against transformers'
// `apply_chat_template(tokenize=False)` on the same templates and conversations.
//
//     swift run -c release ChatTemplateBench [CHAT_TEMPLATES_DIR] [ROUNDS] [TEMPLATE_PREFIX]
//     python Benchmarks/chat_template_hf.py [CHAT_TEMPLATES_DIR] [ROUNDS]
//
// CHAT_TEMPLATES_DIR defaults to Tests/Fixtures/chat-templates (TRL 1.16.0's templates and the
// conversations of goldens.jsonl). Every (template, conversation) case the goldens render without
// an error is rendered ROUNDS times (default 20). The clock covers, per conversation, what
// transformers does per call after its cached compile: building the template's variables from the
// JSON conversation (null keys dropped, reasoning aliased) and rendering. Templates are parsed once,
// as transformers caches the compiled template. Prints one JSON line per template and a total line
// with conversations per CPU second (process CPU time, which a busy machine disturbs less than
// wall time).
import Collate
import CollateTokenizers
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let folder = URL(fileURLWithPath: arguments.first ?? "Tests/Fixtures/chat-templates")
let rounds = arguments.count > 1 ? Int(arguments[1]) ?? 20 : 20
/// Optional: only the templates whose names start with this prefix.
let only = arguments.count > 2 ? arguments[2] : ""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ChatTemplateBench: \(message)\n".utf8))
    exit(1)
}

/// CPU seconds this process has used: steadier than wall time on a shared machine.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Whether a message needs transformers' preprocessing: a null member to drop or a reasoning key to alias.
func needsPreprocessing(_ object: JSONObject) -> Bool {
    object.members.contains { member in
        if case .null = member.value { return true }
        // Lengths first: comparing different keys' text is the slow path of `==`.
        switch member.key.utf8.count {
        case 17: return member.key == "reasoning_content"
        case 8: return member.key == "thinking"
        case 9: return member.key == "reasoning"
        default: return false
        }
    }
}

/// transformers 5.23's message preprocessing and template variables for one conversation.
func context(_ conversation: JSONObject, _ special: JSONObject) -> [String: JinjaValue] {
    var messages: [JinjaValue] = []
    if case .array(let items)? = conversation["messages"] {
        if !items.contains(where: { item in
            if case .object(let object) = item { return needsPreprocessing(object) }
            return true
        }) {
            // Nothing to drop or alias: the messages as they are (JSON keys are distinct, so
            // these are the dictionaries the loop below would build).
            if case .list(let converted) = JinjaValue(.array(items)) { messages = converted }
        } else {
            messages.reserveCapacity(items.count)
            for item in items {
                guard case .object(let object) = item else { continue }
                if !needsPreprocessing(object) {
                    messages.append(JinjaValue(item))
                    continue
                }
                var pairs: [(String, JinjaValue)] = []
                pairs.reserveCapacity(object.members.count + 2)
                var reasoning: JinjaValue?
                var reasoningRank = 3
                for member in object.members {
                    if case .null = member.value { continue }
                    let value = JinjaValue(member.value)
                    let rank =
                        switch member.key {
                        case "reasoning_content": 0
                        case "thinking": 1
                        case "reasoning": 2
                        default: 3
                        }
                    if rank < reasoningRank {
                        reasoning = value
                        reasoningRank = rank
                    }
                    pairs.append((member.key, value))
                }
                if let reasoning {
                    // `thinking` first (its own value when present), `reasoning_content` where it was
                    // or last: JinjaDict keeps a repeated key's first position and last value.
                    pairs.insert(("thinking", reasoning), at: 0)
                    pairs.append(("reasoning_content", reasoning))
                }
                messages.append(.dict(JinjaDict(pairs)))
            }
        }
    }
    var variables = [String: JinjaValue](minimumCapacity: special.members.count + 8)
    for member in special.members { variables[member.key] = JinjaValue(member.value) }
    if case .object(let kwargs)? = conversation["kwargs"] {
        for member in kwargs.members { variables[member.key] = JinjaValue(member.value) }
    }
    if variables["add_generation_prompt"] == nil { variables["add_generation_prompt"] = .bool(false) }
    variables["messages"] = .list(messages)
    variables["tools"] = conversation["tools"].map(JinjaValue.init) ?? JinjaValue.none
    variables["documents"] = JinjaValue.none
    return variables
}

guard let goldens = try? String(contentsOf: folder.appendingPathComponent("goldens.jsonl"), encoding: .utf8) else {
    fail("cannot read \(folder.path)/goldens.jsonl")
}
var conversations: [String: JSONObject] = [:]
var specials: [String: JSONObject] = [:]
var order: [String] = []
var cases: [String: [String]] = [:]
for line in goldens.split(separator: "\n") {
    guard case .object(let object)? = try? JSONParser.parse(String(line)), case .string(let kind)? = object["kind"] else { continue }
    switch kind {
    case "conversation":
        if case .string(let id)? = object["id"] { conversations[id] = object }
    case "template":
        if case .string(let name)? = object["name"], case .object(let special)? = object["special_tokens"] {
            specials[name] = special
            order.append(name)
        }
    case "case":
        if case .string(let name)? = object["template"], case .string(let id)? = object["conversation"], object["text"] != nil {
            cases[name, default: []].append(id)
        }
    default: continue
    }
}

var totalConversations = 0
var totalSeconds = 0.0
var sink = 0
for name in order where name.hasPrefix(only) {
    let url = folder.appendingPathComponent("templates").appendingPathComponent(name + ".jinja")
    guard let source = try? String(contentsOf: url, encoding: .utf8) else { fail("cannot read \(url.path)") }
    let template: JinjaTemplate
    do { template = try JinjaTemplate(source: source, name: name) } catch { fail("\(error)") }
    let selected = (cases[name] ?? []).compactMap { conversations[$0] }
    let special = specials[name] ?? JSONObject()
    let start = cpuSeconds()
    for _ in 0..<rounds {
        for conversation in selected {
            do {
                sink &+= try template.render(context(conversation, special)).scalarCount
            } catch {
                fail("\(error)")
            }
        }
    }
    let elapsed = cpuSeconds() - start
    let count = selected.count * rounds
    totalConversations += count
    totalSeconds += elapsed
    print(#"{"template": "\#(name)", "conversations": \#(count), "seconds": \#(elapsed), "conversations_per_second": \#(Double(count) / elapsed)}"#)
}
print(#"{"template": "ALL", "conversations": \#(totalConversations), "seconds": \#(totalSeconds), "conversations_per_second": \#(Double(totalConversations) / totalSeconds), "checksum": \#(sink)}"#)
