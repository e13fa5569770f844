import Collate

/// The shape of one line of a training JSONL file.
public enum DatasetFormat: String, Sendable, Hashable, CaseIterable {
    /// Pre-tokenized: `{"input_ids": [...], "labels": [...]?, ...}`.
    case tokenized
    /// Plain text for language modeling: `{"text": "..."}`.
    case text
    /// TRL's prompt-completion: `{"prompt": "...", "completion": "..."}`; only the completion is trained.
    case promptCompletion = "prompt-completion"
    /// Stanford Alpaca: `{"instruction": "...", "input": "..."?, "output": "..."}`; only the output is trained.
    case alpaca
    /// Conversations: `{"messages": [{"role": ..., "content": ...}, ...]}`; assistant turns are trained.
    case messages

    /// The format a line's keys indicate, or `nil` when they match none.
    public static func detect(_ object: JSONObject) -> DatasetFormat? {
        let keys = Set(object.keys)
        if keys.contains("input_ids") { return .tokenized }
        if keys.contains("messages") { return .messages }
        if keys.contains("prompt") && keys.contains("completion") { return .promptCompletion }
        if keys.contains("instruction") && keys.contains("output") { return .alpaca }
        if keys.contains("text") { return .text }
        return nil
    }

    /// The keys a line of this format needs, for error messages.
    public var requiredKeys: [String] {
        switch self {
        case .tokenized: ["input_ids"]
        case .text: ["text"]
        case .promptCompletion: ["prompt", "completion"]
        case .alpaca: ["instruction", "output"]
        case .messages: ["messages"]
        }
    }
}
