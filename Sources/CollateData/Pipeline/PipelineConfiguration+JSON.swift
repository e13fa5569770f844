import Collate
import Foundation

extension PipelineConfiguration {
    /// The top-level keys of a pipeline file.
    public static let keys = [
        "data", "tokenizer", "chat_template", "train_on", "max_length", "truncation", "packing", "collator",
        "batch_size", "shuffle", "seed", "model", "backend",
    ]
    /// The keys of `data`.
    public static let dataKeys = ["path", "format", "bad_lines"]
    /// The keys of `packing`.
    public static let packingKeys = ["strategy", "max_tokens"]
    /// The keys of `model`.
    public static let modelKeys = ["path", "kind", "vocab_size", "max_length", "padding_free"]
    /// The keys of `backend` (when it is an object).
    public static let backendKeys = ["type", "worker", "timeout"]

    /// Reads a pipeline file; relative paths in it are relative to its folder, or to `baseDirectory`.
    /// - Parameters:
    ///   - url: The JSON file.
    ///   - baseDirectory: The folder relative paths are resolved against; `nil` (the default) for
    ///     the file's own folder. Pass the working directory for a file read from standard input.
    /// - Throws: ``PipelineFileError`` naming the file and the key at fault.
    public init(contentsOf url: URL, baseDirectory: URL? = nil) throws(PipelineFileError) {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(file: url.path) }
        let value: JSONValue
        do {
            value = try [UInt8](data).withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            throw .notAnObject(file: url.path, found: "invalid JSON (\(error))")
        }
        try self.init(json: value, file: url.path, baseDirectory: baseDirectory ?? url.deletingLastPathComponent())
    }

    /// Reads a pipeline from parsed JSON.
    ///
    /// Keys (all optional but `data`, which a command line may supply with `--input`):
    /// - `data`: `{"path", "format": tokenized|text|prompt-completion|alpaca|messages, "bad_lines": reject|skip}`
    /// - `tokenizer`: path; `chat_template`: built-in name or path; `train_on`: assistant|last-assistant|all|completion
    /// - `max_length` (positive integer), `truncation`: right|left|drop
    /// - `packing`: `{"strategy": bfd|ffd|greedy, "max_tokens": N}`; `collator`: a spec object or a spec file path
    /// - `batch_size` (positive integer), `shuffle` (boolean), `seed` (non-negative integer)
    /// - `model`: `{"path", "kind", "vocab_size", "max_length", "padding_free"}`
    /// - `backend`: `"reference"`, `"worker"`, or `{"type": reference|worker, "worker": "CMD ...", "timeout": seconds}`
    ///   (`type` defaults to `worker` when `worker` is given, else `reference`)
    /// - Parameters:
    ///   - json: The file's value.
    ///   - file: The file name for messages.
    ///   - baseDirectory: The folder relative paths are resolved against.
    /// - Throws: ``PipelineFileError``: an unknown key (with did-you-mean), a wrong type or value.
    public init(json: JSONValue, file: String = "pipeline", baseDirectory: URL) throws(PipelineFileError) {
        self.init(baseDirectory: baseDirectory)
        self.file = file
        let reader = _PipelineKeyReader(file: file)
        let root = try reader.object(json, path: "", allowed: Self.keys)

        if let data = root["data"] {
            let object = try reader.object(data, path: "data", allowed: Self.dataKeys)
            if let path = try reader.string(object["path"], "data.path") { self.data.path = resolve(path) }
            self.data.format = try reader.choice(object["format"], "data.format", DatasetFormat.self)
            self.data.badLines = try reader.choice(object["bad_lines"], "data.bad_lines", BadLinePolicy.self) ?? .reject
        }
        tokenizer = try reader.string(root["tokenizer"], "tokenizer").map(resolve)
        if let template = try reader.string(root["chat_template"], "chat_template") {
            chatTemplate = Self.looksLikePath(template) ? resolve(template).path : template
        }
        trainOn = try reader.choice(root["train_on"], "train_on", TrainOn.self)
        maxLength = try reader.positive(root["max_length"], "max_length")
        truncation = try reader.choice(root["truncation"], "truncation", Truncation.self)
        if let packing = root["packing"] {
            let object = try reader.object(packing, path: "packing", allowed: Self.packingKeys)
            let strategy = try reader.choice(object["strategy"], "packing.strategy", PackingStrategy.self) ?? .bfd
            guard let maxTokens = try reader.positive(object["max_tokens"], "packing.max_tokens") else {
                throw .missingKey(file: file, path: "packing.max_tokens", reason: "packing needs the tokens per row, e.g. \"max_tokens\": 4096")
            }
            guard maxTokens <= Packer.maximumCapacity else {
                throw .invalidValue(file: file, path: "packing.max_tokens", value: "\(maxTokens)", reason: "must be at most \(Packer.maximumCapacity)")
            }
            self.packing = Packing(strategy: strategy, maxTokens: maxTokens)
        }
        switch root["collator"] {
        case nil, .null?: break
        case .object(let spec)?: collator = .object(spec)
        case .string(let path)?: collatorFile = resolve(path)
        case let other?: throw .wrongType(file: file, path: "collator", expected: "a collator spec object or the path of a spec file", found: reader.found(other))
        }
        batchSize = try reader.positive(root["batch_size"], "batch_size")
        shuffle = try reader.bool(root["shuffle"], "shuffle") ?? false
        seed = try reader.nonNegative(root["seed"], "seed").map(UInt64.init) ?? 0
        if let modelValue = root["model"] {
            let object = try reader.object(modelValue, path: "model", allowed: Self.modelKeys)
            var model = Model()
            model.path = try reader.string(object["path"], "model.path").map(resolve)
            if let kind = try reader.string(object["kind"], "model.kind") {
                guard Self.modelKinds.contains(kind) else {
                    throw .invalidValue(file: file, path: "model.kind", value: "\"\(kind)\"", reason: "must be one of \(Self.modelKinds.joined(separator: ", "))"
                        + (PipelineFileError.closest(to: kind, in: Self.modelKinds).map { " (did you mean \"\($0)\"?)" } ?? ""))
                }
                model.kind = kind
            }
            model.vocabSize = try reader.positive(object["vocab_size"], "model.vocab_size")
            model.maxLength = try reader.positive(object["max_length"], "model.max_length")
            model.paddingFree = try reader.bool(object["padding_free"], "model.padding_free")
            self.model = model
        }
        switch root["backend"] {
        case nil, .null?: break
        case .string?: backend = Backend(kind: try reader.choice(root["backend"], "backend", Backend.Kind.self) ?? .reference)
        case .object(let members)?:
            let object = try reader.object(.object(members), path: "backend", allowed: Self.backendKeys)
            let worker = try reader.string(object["worker"], "backend.worker")
            let kind = try reader.choice(object["type"], "backend.type", Backend.Kind.self) ?? (worker == nil ? .reference : .worker)
            if kind == .reference, let worker {
                throw .invalidValue(file: file, path: "backend.worker", value: "\"\(worker)\"",
                                    reason: "is a worker command, but backend.type is \"reference\"; set \"type\": \"worker\" or remove it")
            }
            backend = Backend(kind: kind, worker: worker, timeout: try reader.positive(object["timeout"], "backend.timeout"))
        case let other?:
            throw .wrongType(file: file, path: "backend", expected: "\"reference\", \"worker\" or an object with keys \(Self.backendKeys.joined(separator: ", "))",
                             found: reader.found(other))
        }
    }

    /// Whether a chat template value names a file rather than a built-in format.
    /// - Parameter text: The value.
    /// - Returns: `true` for a value with a `/` or ending in `.json` / `.jinja`.
    public static func looksLikePath(_ text: String) -> Bool {
        text.contains("/") || text.hasSuffix(".json") || text.hasSuffix(".jinja")
    }

    /// Reads a collator spec file named by `collator` (or `--spec`).
    /// - Parameters:
    ///   - url: The spec file.
    ///   - file: What named it, for messages.
    /// - Returns: The spec's JSON.
    /// - Throws: ``PipelineFileError/invalidValue(file:path:value:reason:)`` when it cannot be read or parsed.
    public static func readSpec(_ url: URL, file: String) throws(PipelineFileError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .invalidValue(file: file, path: "collator", value: "\"\(url.path)\"", reason: "cannot read the spec file; check the path (relative to the pipeline file)")
        }
        do {
            return try [UInt8](data).withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) in try JSONParser.parse(buffer) }
        } catch {
            throw .invalidValue(file: file, path: "collator", value: "\"\(url.path)\"", reason: "the spec file is not valid JSON: \(error)")
        }
    }
}

/// Typed access to a pipeline file's keys; every failure names the file and the dotted key.
struct _PipelineKeyReader {
    var file: String

    func found(_ value: JSONValue) -> String { "\(value.typeName) \(value.preview())" }

    func object(_ value: JSONValue, path: String, allowed: [String]) throws(PipelineFileError) -> JSONObject {
        guard case .object(let object) = value else {
            if path.isEmpty { throw .notAnObject(file: file, found: found(value)) }
            throw .wrongType(file: file, path: path, expected: "an object with keys \(allowed.joined(separator: ", "))", found: found(value))
        }
        for key in object.keys where !allowed.contains(key) {
            throw .unknownKey(file: file, path: path.isEmpty ? key : "\(path).\(key)", allowed: allowed)
        }
        return object
    }

    func string(_ value: JSONValue?, _ path: String) throws(PipelineFileError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            guard !text.isEmpty else { throw .invalidValue(file: file, path: path, value: "\"\"", reason: "must not be empty") }
            return text
        case let other?: throw .wrongType(file: file, path: path, expected: "a string", found: found(other))
        }
    }

    func bool(_ value: JSONValue?, _ path: String) throws(PipelineFileError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw .wrongType(file: file, path: path, expected: "true or false", found: found(other))
        }
    }

    func integer(_ value: JSONValue?, _ path: String) throws(PipelineFileError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)?:
            guard let small = Int(exactly: number) else { throw .invalidValue(file: file, path: path, value: "\(number)", reason: "too large") }
            return small
        case let other?: throw .wrongType(file: file, path: path, expected: "an integer", found: found(other))
        }
    }

    func positive(_ value: JSONValue?, _ path: String) throws(PipelineFileError) -> Int? {
        guard let number = try integer(value, path) else { return nil }
        guard number > 0 else { throw .invalidValue(file: file, path: path, value: "\(number)", reason: "must be a positive integer") }
        return number
    }

    func nonNegative(_ value: JSONValue?, _ path: String) throws(PipelineFileError) -> Int? {
        guard let number = try integer(value, path) else { return nil }
        guard number >= 0 else { throw .invalidValue(file: file, path: path, value: "\(number)", reason: "must be a non-negative integer") }
        return number
    }

    func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue?, _ path: String, _ type: T.Type) throws(PipelineFileError) -> T?
    where T.RawValue == String {
        guard let text = try string(value, path) else { return nil }
        if let chosen = T(rawValue: text) { return chosen }
        let names = T.allCases.map(\.rawValue)
        throw .invalidValue(file: file, path: path, value: "\"\(text)\"", reason: "must be one of \(names.joined(separator: ", "))"
            + (PipelineFileError.closest(to: text, in: names).map { " (did you mean \"\($0)\"?)" } ?? ""))
    }
}
