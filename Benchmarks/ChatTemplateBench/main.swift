// Chat-template rendering throughput: Collate's Jinja interpreter against transformers'
// `apply_chat_template(tokenize=False)` on the same templates and conversations.
//
//     swift run -c release ChatTemplateBench [CHAT_TEMPLATES_DIR] [ROUNDS] [TEMPLATE_PREFIX | NAME$]
//     python Benchmarks/chat_template_hf.py [CHAT_TEMPLATES_DIR] [ROUNDS]
//
// CHAT_TEMPLATES_DIR defaults to Tests/Fixtures/chat-templates (TRL 1.16.0's templates and the
// conversations of goldens.jsonl). Every (template, conversation) case the goldens render without
// an error is rendered ROUNDS times (default 20). Each conversation is read as the CLI reads a
// dataset line (`ChatConversation(line:)`), untimed, as transformers is handed parsed dicts. The
// clock covers, per conversation, what transformers does per call after its cached compile:
// building the template's variables from the conversation (the library's own
// `ChatTemplate.templateVariables`, as `collate chat` calls it: null keys dropped, reasoning
// aliased, JSON converted, variables the template never names left out) and
// rendering. Templates are parsed once, as transformers caches the compiled template. Prints one JSON line per template and a total line
// with conversations per CPU second (process CPU time, which a busy machine disturbs less than
// wall time).
import Collate
import CollateTokenizers
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let folder = URL(fileURLWithPath: arguments.first ?? "Tests/Fixtures/chat-templates")
let rounds = arguments.count > 1 ? Int(arguments[1]) ?? 20 : 20
/// Optional: only the templates whose names start with this prefix (ending in `$`: only the
/// template of exactly this name).
let only = arguments.count > 2 ? arguments[2] : ""

/// Whether the template `name` is one the arguments select.
func isSelected(_ name: String) -> Bool {
    if only.hasSuffix("$") { return name == String(only.dropLast()) }
    return name.hasPrefix(only)
}

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

/// A golden conversation as a dataset line reads into the library (`ChatConversation(line:)`,
/// outside the clock, as the CLI reads a line before rendering it): its messages, tools and kwargs.
func conversation(_ record: JSONObject) -> ChatConversation {
    var line = JSONObject()
    if let messages = record["messages"] { line["messages"] = messages }
    if let tools = record["tools"] { line["tools"] = tools }
    if case .object(let kwargs)? = record["kwargs"] {
        for member in kwargs.members { line[member.key] = member.value }
    }
    do { return try ChatConversation(line: line) } catch { fail("conversation \(record["id"].map { "\($0)" } ?? "?"): \(error)") }
}

guard let goldens = try? String(contentsOf: folder.appendingPathComponent("goldens.jsonl"), encoding: .utf8) else {
    fail("cannot read \(folder.path)/goldens.jsonl")
}
var conversations: [String: ChatConversation] = [:]
var specials: [String: [String: String]] = [:]
var order: [String] = []
var cases: [String: [String]] = [:]
for line in goldens.split(separator: "\n") {
    guard case .object(let object)? = try? JSONParser.parse(String(line)), case .string(let kind)? = object["kind"] else { continue }
    switch kind {
    case "conversation":
        if case .string(let id)? = object["id"] { conversations[id] = conversation(object) }
    case "template":
        if case .string(let name)? = object["name"], case .object(let special)? = object["special_tokens"] {
            var tokens: [String: String] = [:]
            for member in special.members {
                guard case .string(let token) = member.value else { fail("template \(name): special token \(member.key) is not a string") }
                tokens[member.key] = token
            }
            specials[name] = tokens
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
for name in order where isSelected(name) {
    let url = folder.appendingPathComponent("templates").appendingPathComponent(name + ".jinja")
    guard let source = try? String(contentsOf: url, encoding: .utf8) else { fail("cannot read \(url.path)") }
    let template: JinjaTemplate
    do { template = try JinjaTemplate(source: source, name: name) } catch { fail("\(error)") }
    let selected = (cases[name] ?? []).compactMap { conversations[$0] }
    let special = specials[name] ?? [:]
    let start = cpuSeconds()
    for _ in 0..<rounds {
        for conversation in selected {
            do {
                // The library's path: the template variables `ChatTemplate` builds, then the render.
                let variables = ChatTemplate.templateVariables(for: conversation, specialTokens: special, template: template)
                sink &+= try template.render(variables: variables).scalarCount
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
