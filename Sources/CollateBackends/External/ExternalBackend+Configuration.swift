extension ExternalBackend {
    /// How to start and talk to a worker.
    ///
    /// ```swift
    /// var configuration = ExternalBackend.Configuration(command: [
    ///     "python3", "Sources/CollateBackends/Worker/collate_worker.py", "--config", "tiny-llama.json"])
    /// configuration.requestTimeout = .seconds(600)
    /// ```
    public struct Configuration: Sendable, Hashable {
        /// The worker's command line: the executable (looked up on `PATH`) and its arguments.
        public var command: [String]
        /// Variables added to (or replacing) the host's environment for the worker.
        public var environment: [String: String]
        /// How long the worker may take to start and answer the handshake (model loading).
        public var startupTimeout: Duration
        /// How long one request (sending the batch and reading the reply) may take.
        public var requestTimeout: Duration
        /// How long ``ExternalBackend/close()`` waits for the worker to exit before killing it.
        public var shutdownTimeout: Duration
        /// The batch fields the backend's contract requires (add `"labels"` when training).
        public var requiredInputs: [String]
        /// Whether the contract accepts padding-free batches, overriding the default: `false`
        /// until a ``BoundaryProbe`` passed. A failed probe always refuses them.
        public var acceptsPaddingFree: Bool?
        /// Outputs whose values every ``ExternalBackend/forward(_:)`` asks for, e.g.
        /// `["token_losses"]` or `["logits"]` (logits are large: B × L × V floats as JSON).
        public var returnedValues: [String]
        /// The longest reply line accepted, in bytes.
        public var maximumReplyBytes: Int

        /// Creates a configuration; the timeouts default to 10 minutes for start-up (large
        /// models load slowly), 5 minutes per request and 10 s for shutdown.
        public init(
            command: [String], environment: [String: String] = [:], startupTimeout: Duration = .seconds(600),
            requestTimeout: Duration = .seconds(300), shutdownTimeout: Duration = .seconds(10),
            requiredInputs: [String] = ["input_ids"], acceptsPaddingFree: Bool? = nil, returnedValues: [String] = [],
            maximumReplyBytes: Int = 256 << 20
        ) {
            self.command = command
            self.environment = environment
            self.startupTimeout = startupTimeout
            self.requestTimeout = requestTimeout
            self.shutdownTimeout = shutdownTimeout
            self.requiredInputs = requiredInputs
            self.acceptsPaddingFree = acceptsPaddingFree
            self.returnedValues = returnedValues
            self.maximumReplyBytes = maximumReplyBytes
        }
    }
}
