/// What a backend's forward pass returns, shaped like HF's `ModelOutput`: a loss only when the
/// model could compute one (it received `labels`), logits, and any other named outputs.
public struct ModelOutput: Sendable, Hashable {
    /// The loss, or `nil` when the model returned none (HF models return none without `labels`).
    public var loss: Double?
    /// The logits `[B, L, V]`, when returned.
    public var logits: OutputTensor?
    /// Other named outputs in order (`past_key_values`, `hidden_states`, ...).
    public var extras: [(name: String, value: OutputTensor)]

    /// Creates an output.
    public init(loss: Double? = nil, logits: OutputTensor? = nil, extras: [(name: String, value: OutputTensor)] = []) {
        self.loss = loss
        self.logits = logits
        self.extras = extras
    }

    /// The output's keys in HF's order: `loss` (when present), `logits` (when present), then the extras.
    public var keys: [String] {
        (loss == nil ? [] : ["loss"]) + (logits == nil ? [] : ["logits"]) + extras.map(\.name)
    }

    public static func == (lhs: ModelOutput, rhs: ModelOutput) -> Bool {
        lhs.loss == rhs.loss && lhs.logits == rhs.logits
            && lhs.extras.count == rhs.extras.count
            && zip(lhs.extras, rhs.extras).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(loss)
        hasher.combine(logits)
        for extra in extras {
            hasher.combine(extra.name)
            hasher.combine(extra.value)
        }
    }
}
