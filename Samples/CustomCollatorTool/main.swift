// CustomCollatorTool: the third-party package's own `collate` — the stock tool's every command,
// flag and output format, with the `prefix-lm` type and its `prefix-lm/prefix-too-long` rule.
//
//     swift run CustomCollatorTool batch --spec '{"type": "prefix-lm", "pad_token_id": 0}' --input data.jsonl
import Collate
import CollateCommandLine
import Foundation
import PrefixLM

let registry = CollatorRegistry()  // the built-in types, and this package's
do {
    try PrefixLMCollator.register(in: registry)
} catch {
    FileHandle.standardError.write(Data("CustomCollatorTool: \(error)\n".utf8))
    exit(1)
}
// Usage, help and messages name this executable (`CustomCollatorTool batch: ...`), not `collate`.
exit(CollateTool(name: CollateTool.executableName, registry: registry, rules: [PrefixTooLongRule()]).run())
