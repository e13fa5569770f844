import Collate
import CollateTokenizers
import Foundation

/// One training run described as a value: the dataset and how it becomes examples, the
/// tokenizer and chat template, truncation, packing, the collator, batching and the model the
/// batches go to.
///
/// It is what `collate --config FILE` reads, what the `collate-lint` plugin checks, and what a
/// Swift program builds from, so every command and a user's own code see the same pipeline:
///
/// ```
///  data (JSONL, any format) ──▶ tokenizer + chat template + train_on ──▶ truncation (max_length)
///        ──▶ packing (bfd into max_tokens rows, optional) ──▶ shuffle (seeded, optional)
///        ──▶ collator, batch_size at a time ──▶ batches for the model
/// ```
///
/// ```swift
/// let pipeline = try PipelineConfiguration(contentsOf: URL(fileURLWithPath: "pipeline.json"))
/// let run = try pipeline.prepare()
/// for batch in try run.batches() { /* hand to the model */ }
/// ```
///
/// Paths in a file are relative to the file. Every key but `data` is optional; see
/// ``init(json:file:)`` for the keys and their defaults.
public struct PipelineConfiguration: Sendable, Hashable {
    /// Where the examples come from.
    public struct DataSource: Sendable, Hashable {
        /// The JSONL file; `nil` until a file or a flag names it.
        public var path: URL?
        /// The line format; `nil` detects it from the first line's keys.
        public var format: DatasetFormat?
        /// What to do with a bad line; default ``BadLinePolicy/reject``.
        public var badLines: BadLinePolicy

        /// Creates a data source.
        public init(path: URL? = nil, format: DatasetFormat? = nil, badLines: BadLinePolicy = .reject) {
            self.path = path
            self.format = format
            self.badLines = badLines
        }
    }

    /// Which tokens of a text-format example are trained (become labels).
    public enum TrainOn: String, Sendable, Hashable, CaseIterable {
        /// Every assistant turn, its end-of-turn marker included (HF's assistant mask); the default.
        case assistant
        /// Only the final assistant turn.
        case lastAssistant = "last-assistant"
        /// Every token: `labels` = `input_ids`.
        case all
        /// The completion of a prompt-completion line (or the output of an Alpaca line, the
        /// assistant turns of a conversation): the prompt is masked.
        case completion
    }

    /// What happens to an example longer than ``maxLength``.
    public enum Truncation: String, Sendable, Hashable, CaseIterable {
        /// Keep the first `max_length` tokens (HF's `truncation_side="right"`); the default.
        case right
        /// Keep the last `max_length` tokens.
        case left
        /// Drop the example (counted in the run's report).
        case drop
    }

    /// Packing of several examples into one row of a fixed token budget.
    public struct Packing: Sendable, Hashable {
        /// The assignment algorithm; default best-fit decreasing.
        public var strategy: PackingStrategy
        /// Tokens per packed row.
        public var maxTokens: Int

        /// Creates a packing description.
        public init(strategy: PackingStrategy = .bfd, maxTokens: Int) {
            self.strategy = strategy
            self.maxTokens = maxTokens
        }
    }

    /// The model the batches go to, as far as the pipeline checks it.
    public struct Model: Sendable, Hashable {
        /// A model folder (config.json, tokenizer.json, tokenizer_config.json,
        /// generation_config.json); what it says fills the keys left out here.
        public var path: URL?
        /// The model kind: one of ``PipelineConfiguration/modelKinds``.
        public var kind: String?
        /// The vocabulary size.
        public var vocabSize: Int?
        /// The longest sequence the model takes.
        public var maxLength: Int?
        /// Whether the model takes padding-free (flattened, packed) batches.
        public var paddingFree: Bool?

        /// Creates a model description.
        public init(path: URL? = nil, kind: String? = nil, vocabSize: Int? = nil, maxLength: Int? = nil, paddingFree: Bool? = nil) {
            self.path = path
            self.kind = kind
            self.vocabSize = vocabSize
            self.maxLength = maxLength
            self.paddingFree = paddingFree
        }
    }

    /// The model backend `collate train` drives (`"backend"`, `--backend`, `--worker`, `--timeout`).
    public struct Backend: Sendable, Hashable {
        /// Which backend trains.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// The pure-Swift reference causal LM.
            case reference
            /// An external worker process (the PyTorch worker), started from ``Backend/worker``.
            case worker
        }

        /// Which backend trains.
        public var kind: Kind
        /// The worker's command line as one string (whitespace separates words, quotes group
        /// them, a backslash escapes), run from the current directory; for ``Kind/worker``.
        public var worker: String?
        /// Seconds the worker may take to start and to answer each request.
        public var timeout: Int?

        /// Creates a backend description.
        public init(kind: Kind = .reference, worker: String? = nil, timeout: Int? = nil) {
            self.kind = kind
            self.worker = worker
            self.timeout = timeout
        }
    }

    /// The model kinds a pipeline may name (`model.kind`, `--model-kind`).
    public static let modelKinds = ["causal-lm", "seq2seq-lm", "sequence-classification", "token-classification", "masked-lm", "preference"]

    /// The dataset.
    public var data: DataSource
    /// A tokenizer.json file or a folder holding one; `nil` takes the model folder's.
    public var tokenizer: URL?
    /// A built-in chat format name (`chatml`, `mistral-inst`, ...) or a path to a
    /// tokenizer_config.json or `.jinja` file (resolved against the file's folder).
    public var chatTemplate: String?
    /// Which tokens are trained; `nil` means ``TrainOn/assistant`` (``TrainOn/completion`` for prompt-completion lines).
    public var trainOn: TrainOn?
    /// Longest example kept whole; `nil` keeps every example as it is.
    public var maxLength: Int?
    /// What happens to longer examples; `nil` means ``Truncation/right`` when ``maxLength`` is set.
    public var truncation: Truncation?
    /// Packing; `nil` collates examples as they are.
    public var packing: Packing?
    /// The collator spec (the JSON object `collate batch --spec` reads; it may carry `"transforms"`).
    public var collator: JSONValue?
    /// A collator spec file, used when ``collator`` is `nil` (`"collator": "spec.json"`, `--spec`);
    /// its errors name the file.
    public var collatorFile: URL?
    /// Where ``collator`` came from when not from the pipeline file, for its errors (the
    /// command line's `--spec (inline JSON)`); `nil` names the pipeline file's `collator` key.
    public var collatorSource: String?
    /// Examples (or packed rows) per batch; `nil` puts all of them in one batch.
    public var batchSize: Int?
    /// Whether the seeded sampler orders the examples; default `false` (file order).
    public var shuffle: Bool
    /// The shuffle seed; default 0.
    public var seed: UInt64
    /// The model; `nil` when the pipeline does not describe one.
    public var model: Model?
    /// The backend `collate train` drives; `nil` means the command line's choice (reference by default).
    public var backend: Backend?
    /// The folder relative paths were resolved against (the file's folder, or the current directory).
    public var baseDirectory: URL
    /// The file the configuration came from, for messages; `nil` when built in code.
    public var file: String?

    /// Creates a configuration in code.
    /// - Parameters:
    ///   - data: The dataset.
    ///   - baseDirectory: The folder relative paths given later are resolved against.
    public init(data: DataSource = DataSource(), baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) {
        self.data = data
        self.shuffle = false
        self.seed = 0
        self.baseDirectory = baseDirectory
    }

    /// A path as the file means it: absolute as written, else relative to ``baseDirectory``.
    public func resolve(_ path: String) -> URL {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL
    }
}
