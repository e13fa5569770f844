import Collate

/// A worker's answer to a `forward` or `accumulate` request (protocol version 1).
///
/// The worker sends one JSON line:
/// `{"ok": true, "loss": 2.31, "num_items": 88, "outputs": [{"name": "logits", "shape": [1, 40, 32000]}],
///   "values": {"token_losses": [...]}}` — output names and shapes always, values only for the
/// outputs the request asked for.
public struct WorkerReply: Sendable, Hashable {
    /// The loss, or `nil` when the model returned none (no `labels`, or nothing trained).
    public var loss: Double?
    /// The number of trained targets the worker counted (HF's `num_items_in_batch`).
    public var numItems: Int?
    /// Every output the model produced, with its shape, in order.
    public var outputs: [(name: String, shape: [Int])]
    /// The values of the requested outputs, row-major.
    public var values: [(name: String, tensor: OutputTensor)]

    /// Creates a reply.
    public init(loss: Double?, numItems: Int?, outputs: [(name: String, shape: [Int])], values: [(name: String, tensor: OutputTensor)]) {
        self.loss = loss
        self.numItems = numItems
        self.outputs = outputs
        self.values = values
    }

    /// The reply as a ``ModelOutput``: the loss, the logits when their values were sent, and
    /// the other sent values as extras.
    public var modelOutput: ModelOutput {
        ModelOutput(
            loss: loss, logits: values.first { $0.name == "logits" }?.tensor,
            extras: values.filter { $0.name != "logits" }.map { (name: $0.name, value: $0.tensor) })
    }

    public static func == (lhs: WorkerReply, rhs: WorkerReply) -> Bool {
        lhs.loss == rhs.loss && lhs.numItems == rhs.numItems
            && lhs.outputs.map(\.name) == rhs.outputs.map(\.name) && lhs.outputs.map(\.shape) == rhs.outputs.map(\.shape)
            && lhs.values.map(\.name) == rhs.values.map(\.name) && lhs.values.map(\.tensor) == rhs.values.map(\.tensor)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(loss)
        hasher.combine(numItems)
        for output in outputs { hasher.combine(output.name); hasher.combine(output.shape) }
        for value in values { hasher.combine(value.name); hasher.combine(value.tensor) }
    }
}

/// What the worker said about itself in the handshake.
public struct WorkerInfo: Sendable, Hashable {
    /// The protocol version the worker speaks.
    public var protocolVersion: Int
    /// The worker's name and version, e.g. `collate_worker 1`.
    public var name: String
    /// The model's vocabulary size, when the worker knows it.
    public var vocabSize: Int?
    /// The model's longest sequence (`max_position_embeddings`), when known.
    public var maxLength: Int?
    /// Whether the worker believes it keeps packed sequences apart; the ``BoundaryProbe`` checks.
    public var acceptsPaddingFree: Bool?
    /// The whole handshake reply, for display (`model_type`, dtype, attention, versions, ...).
    public var raw: JSONObject

    /// Creates the information.
    public init(protocolVersion: Int, name: String, vocabSize: Int?, maxLength: Int?, acceptsPaddingFree: Bool?, raw: JSONObject) {
        self.protocolVersion = protocolVersion
        self.name = name
        self.vocabSize = vocabSize
        self.maxLength = maxLength
        self.acceptsPaddingFree = acceptsPaddingFree
        self.raw = raw
    }
}
