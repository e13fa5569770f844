import Collate
import CollateData
import CollateTokenizers

/// One option of a command, as its help lists it: name, value placeholder, meaning, default
/// and allowed values (swift-argument-parser's `OPTIONS:` section, without the dependency).
struct OptionHelp: Sendable {
    /// The option's name, e.g. `--batch-size` (or `-n`).
    var name: String
    /// The value placeholder, e.g. `N`; `nil` for a switch that takes no value.
    var value: String?
    /// What the option means.
    var meaning: String
    /// The default when the option is absent, as people read it; `nil` for none.
    var defaultValue: String?
    /// The values the option accepts, when it is one of a fixed set.
    var allowed: [String]?
    /// Whether the command cannot run without it.
    var required: Bool

    init(_ name: String, _ value: String? = nil, _ meaning: String, default defaultValue: String? = nil,
         allowed: [String]? = nil, required: Bool = false) {
        self.name = name
        self.value = value
        self.meaning = meaning
        self.defaultValue = defaultValue
        self.allowed = allowed
        self.required = required
    }

    /// The option as the usage line shows it: `--batch-size <N>`, `[--ids]`.
    var usage: String {
        let body = value.map { "\(name) <\($0)>" } ?? name
        return required ? body : "[\(body)]"
    }

    /// The meaning with its allowed values and default, as the OPTIONS section prints it.
    var fullMeaning: String {
        var notes: [String] = []
        if let allowed { notes.append("values: " + allowed.joined(separator: ", ")) }
        if let defaultValue { notes.append("default: " + defaultValue) }
        if required { notes.append("required") }
        return notes.isEmpty ? meaning : "\(meaning) (\(notes.joined(separator: "; ")))"
    }
}

/// A command's help: what `collate help CMD` and `collate CMD --help` print.
struct CommandHelp: Sendable {
    /// The command's name, e.g. `batch`.
    var name: String
    /// One line: what the command does.
    var summary: String
    /// A paragraph after the overview (what it prints, exit statuses), or `nil`.
    var discussion: String?
    /// Every option the command takes.
    var options: [OptionHelp]
    /// Complete command lines that run on the bundled samples.
    var examples: [String]
    /// Related commands.
    var seeAlso: [String]

    /// The names of every option that takes a value, and of every switch.
    var optionNames: Set<String> { Set(options.filter { $0.value != nil }.map(\.name)) }
    /// The names of the switches.
    var flagNames: Set<String> { Set(options.filter { $0.value == nil }.map(\.name)) }

    /// The help text, in swift-argument-parser's layout: OVERVIEW, USAGE, OPTIONS, EXAMPLE, SEE ALSO.
    var text: String {
        var out = "OVERVIEW: \(summary)\n"
        if let discussion { out += "\n" + Help.wrap(discussion, width: Help.width, indent: 0) + "\n" }
        let usageWords = [Tool.name, name] + options.map(\.usage)
        out += "\nUSAGE: " + Help.wrapWords(usageWords, width: Help.width, firstIndent: 7, indent: 15) + "\n"
        out += "\nOPTIONS:\n"
        for option in options + [OptionHelp("-h, --help", nil, "Show help information.")] {
            let label = "  " + (option.value.map { "\(option.name) <\($0)>" } ?? option.name)
            let meaning = Help.wrap(option.fullMeaning, width: Help.width, indent: Help.column)
            if label.count + 2 <= Help.column {
                out += label.padding(toLength: Help.column, withPad: " ", startingAt: 0) + meaning.dropFirst(Help.column) + "\n"
            } else {
                out += label + "\n" + meaning + "\n"
            }
        }
        if !examples.isEmpty {
            out += "\nEXAMPLE\(examples.count > 1 ? "S" : ""):\n" + examples.map { "  " + Tool.naming($0) }.joined(separator: "\n") + "\n"
        }
        if !seeAlso.isEmpty {
            out += "\nSEE ALSO: " + seeAlso.map { "\(Tool.name) \($0)" }.joined(separator: ", ") + "\n"
        }
        return out
    }
}

/// Every command's help, keyed by command name, and the text `collate --help` prints.
///
/// The definitions live here, not in the command files, so every command's help is generated
/// the same way; a command that gains an option adds its ``OptionHelp`` here.
enum Help {
    /// The width help text is wrapped to.
    static let width = 100
    /// The column option meanings start in.
    static let column = 28

    // MARK: - Shared options

    /// The data flags every command that reads a dataset takes.
    static func dataOptions(inputRequired: Bool = true) -> [OptionHelp] {
        [
            OptionHelp("--input", "PATH", "The dataset: JSON Lines, one example per line; '-' reads stdin.",
                       required: inputRequired),
            OptionHelp("--format", "FORMAT",
                       "The lines' format: pre-tokenized ids, or text to tokenize with --tokenizer ({\"text\"}, {\"prompt\", "
                           + "\"completion\"}, Alpaca's {\"instruction\", \"output\"}, or chat {\"messages\"}).",
                       default: "tokenized, or what the first line's keys say", allowed: DatasetFormat.allCases.map(\.rawValue)),
            OptionHelp("--data-format", "FORMAT", "The same as --format, for the dataset only (validate's --format also names its report format).",
                       allowed: DatasetFormat.allCases.map(\.rawValue)),
            OptionHelp("--tokenizer", "PATH",
                       "A tokenizer.json file or a folder holding one (and tokenizer_config.json); needed for every format but tokenized."),
            OptionHelp("--template", "NAME|PATH",
                       "The chat template for messages: a built-in format (\(ChatFormat.builtInNames.joined(separator: ", "))), "
                           + "or a model folder, tokenizer_config.json or .jinja file."),
            OptionHelp("--train-on", "WHAT",
                       "Which tokens of a chat, prompt-completion or Alpaca example train; the rest are -100 in labels.",
                       default: "assistant", allowed: PipelineConfiguration.TrainOn.allCases.map(\.rawValue)),
            OptionHelp("--config", "FILE",
                       "A pipeline file (JSON) describing the whole run: data, tokenizer, chat_template, train_on, truncation, "
                           + "packing, collator, batch_size, seed, model. Flags given on the command line override its keys."),
            OptionHelp("--model", "DIR",
                       "A model folder as users have it (config.json, tokenizer.json, tokenizer_config.json): fills in the model "
                           + "kind, vocabulary size, maximum length, special ids, tokenizer and chat template; explicit flags win."),
        ]
    }

    /// `--spec`, the collator spec.
    static func spec(required: Bool = true) -> OptionHelp {
        OptionHelp("--spec", "SPEC.json",
                   "The collator spec: a JSON object with \"type\" (language-modeling, padding, seq2seq, token-classification, "
                       + "flattening, completion-only, masked-language-modeling, preference, sft, reward, unpaired-preference) and "
                       + "HF's parameter names, in a file or inline ('{\"type\": ...}': a value starting with '{' is the spec "
                       + "itself); may come from --config's \"collator\" instead.", required: required)
    }

    /// The flags that describe the model backend (`validate`, `inspect`).
    static let backendOptions: [OptionHelp] = [
        OptionHelp("--model-kind", "KIND",
                   "What kind of model is trained: it decides what labels must look like (causal-lm: token labels aligned "
                       + "with input_ids, the model shifts; seq2seq-lm: decoder targets of their own length; sequence-classification: "
                       + "one label per example; token-classification: aligned, no shift; masked-lm; preference: chosen/rejected pairs).",
                   default: "causal-lm, or what --model's config.json says", allowed: BackendContract.ModelKind.allCases.map(\.rawValue)),
        OptionHelp("--requires", "FIELD,...|none",
                   "The batch fields the backend requires, exactly; 'none' describes inference (no labels needed).",
                   default: "labels: the backend is being trained"),
        OptionHelp("--vocab-size", "N", "The backend's vocabulary size: every token id must be below it.",
                   default: "the tokenizer's, or unchecked"),
        OptionHelp("--max-length", "N", "The longest sequence the backend takes (max_position_embeddings).", default: "unbounded"),
        OptionHelp("--no-padding-free", nil, "The backend cannot take flattened / packed (padding-free) batches."),
    ]

    // MARK: - Commands

    /// Every command's help, in the order `collate --help` lists them.
    static let commands: [CommandHelp] = [
        CommandHelp(
            name: "batch", summary: "Collate JSONL examples into batches (JSON Lines on stdout).",
            discussion: "Prints one JSON object per batch: tensors as nested arrays (2-D for [B, L], 1-D for cu_seq_lens_* and "
                + "a class-label vector, plain integers for max_length_*). Exit 0 on success, 1 when the input is rejected "
                + "(the message names file and line), 2 on usage errors.",
            options: [spec(required: false)] + dataOptions() + [
                OptionHelp("--batch-size", "N", "Examples per batch.", default: "all examples form one batch"),
            ],
            examples: ["collate batch --spec Samples/Data/language-modeling.json --input Samples/Data/sft-mistral.jsonl --batch-size 4"],
            seeAlso: ["validate", "inspect", "export"]),
        CommandHelp(
            name: "bench", summary: "Time collation of JSONL examples.",
            discussion: "Parses everything first, then times only collation of every batch; prints one JSON line "
                + "{\"tokens\", \"batches\", \"seconds\", \"tokens_per_second\"}.",
            options: [spec(required: false)] + dataOptions() + [
                OptionHelp("--batch-size", "N", "Examples per batch.", required: true),
            ],
            examples: ["collate bench --spec Samples/Data/language-modeling.json --input Samples/Data/sft-mistral.jsonl --batch-size 16"],
            seeAlso: ["batch", "pack"]),
        CommandHelp(
            name: "pack", summary: "Pack JSONL examples into rows of at most N tokens.",
            discussion: "Prints {\"bins\", \"tokens\", \"capacity\", \"efficiency\", \"seconds\"} (efficiency = tokens / (bins × N); "
                + "seconds = packing only). With --rows, prints one JSON line per packed row instead: every list field of the "
                + "examples concatenated in bin order, plus seq_lengths for the bfd strategies, as TRL 1.16's pack_dataset.",
            options: dataOptions() + [
                OptionHelp("--max-tokens", "N", "The capacity of one row, in tokens (at most 16777216).", required: true),
                OptionHelp("--strategy", "STRATEGY",
                           "How sequences go into rows: best-fit decreasing (TRL's bfd), bfd that splits sequences longer than a "
                               + "row, wrapped (cut the stream every N tokens), first-fit decreasing, or greedy in order.",
                           default: "bfd", allowed: ["bfd", "bfd-split", "wrapped", "ffd", "greedy"]),
                OptionHelp("--group-size", "K", "Pack each group of K consecutive examples on its own, as TRL packs inside "
                               + "datasets.map batches (K = 1000 there).", default: "the whole dataset at once"),
                OptionHelp("--rows", nil, "Print the packed rows instead of the statistics."),
            ],
            examples: ["collate pack --input Samples/Data/sft-mistral.jsonl --max-tokens 512 --strategy bfd"],
            seeAlso: ["batch", "export"]),
        CommandHelp(
            name: "export", summary: "Write per-rank safetensors shards and index.json.",
            discussion: "The spec may carry \"transforms\": [...] (example transforms over the dataset, batch transforms over each "
                + "batch). A re-run skips complete shards. Prints {\"shards\", \"written\", \"skipped\", \"index\"}.",
            options: [spec(required: false)] + dataOptions() + [
                OptionHelp("--out", "DIR", "The folder the shards and index.json are written to.", required: true),
                OptionHelp("--world-size", "W", "The number of ranks (data-parallel processes); one shard set per rank.", required: true),
                OptionHelp("--batch-size", "N", "Examples per batch on each rank.", default: "one batch per rank"),
            ],
            examples: ["collate export --spec Samples/Data/language-modeling.json --input Samples/Data/sft-mistral.jsonl "
                + "--out shards --world-size 2 --batch-size 4"],
            seeAlso: ["batch", "validate"]),
        CommandHelp(
            name: "tokenize", summary: "Encode texts with a tokenizer.json (ids and offsets).",
            discussion: "Input lines are {\"text\": \"...\", \"add_special_tokens\": bool} (add_special_tokens defaults to true); "
                + "output lines are {\"ids\": [...], \"offsets\": [[s, e], ...]} with offsets in Unicode scalars, as HF tokenizers "
                + "reports them.",
            options: [
                OptionHelp("--tokenizer", "PATH", "A tokenizer.json file or a folder holding one (and tokenizer_config.json).",
                           required: true),
                OptionHelp("--input", "PATH", "JSON Lines of {\"text\": ...}; '-' reads stdin.", required: true),
            ],
            examples: ["echo '{\"text\": \"Hello world\"}' | collate tokenize --tokenizer Samples/Data/mistral-v1 --input -"],
            seeAlso: ["chat"]),
        CommandHelp(
            name: "validate", summary: "Check a collator spec and dataset against a model backend before training.",
            discussion: "The flags describe the model backend; by default it is a causal LM being trained, so labels are "
                + "required and the seed failure (a collator that makes no labels) is caught with no flag. Runs the rules over "
                + "every example, then — when they find no error — over every batch. Prints the diagnostics grouped by code (the "
                + "message once, the first examples, a count), or with --format json one array of {\"code\", \"severity\", "
                + "\"message\", \"example\"} holding every diagnostic. Exit 1 when any error-level diagnostic fires. "
                + "It reads the data flags and the pipeline file as every command does: a messages file is rendered with its "
                + "chat template (a built-in name, a model folder, tokenizer_config.json or .jinja file) and masked per "
                + "--train-on; --model DIR (or the file's model keys) fills in the model kind from config.json's architectures, "
                + "the vocabulary size, maximum length and padding-free support, and the backend flags win over it. A "
                + "template marker the tokenizer splits is template-tokens-missing, and a template with neither a generation "
                + "prompt nor an end-of-turn marker after assistant turns is template-turn-undelimited (a warning: its role "
                + "header would be trained, and no stop token); a spec's pad_token_id that is not the "
                + "model's or tokenizer's pad is printed as a note on stderr.",
            options: [spec(required: false)] + dataOptions().map { option in
                guard option.name == "--format" else { return option }
                var report = option
                report.meaning = "Shared by the report and the data: json or text choose how the diagnostics are printed; "
                    + "any other dataset format name (tokenized, prompt-completion, alpaca, messages) is the lines' format "
                    + "(otherwise detected from the first line's keys; a text dataset is detected from its {\"text\"} key, "
                    + "or named by the pipeline file's data.format)."
                report.allowed = ["text", "json"] + DatasetFormat.allCases.map(\.rawValue).filter { $0 != "text" }
                report.defaultValue = "text"
                return report
            } + backendOptions + [
                OptionHelp("--strict", "CODE,...|all", "Report these warning codes as errors.", default: "none"),
                OptionHelp("--truncation", "N", "Examples are truncated to N tokens before collation; lengths are measured after it.",
                           default: "no truncation"),
                OptionHelp("--batch-size", "N", "Examples per batch for the batch rules.", default: "8"),
            ],
            examples: [
                "collate validate --spec Samples/Data/seq2seq.json --input Samples/Data/sft-mistral.jsonl",
                "collate validate --spec Samples/Data/language-modeling.json --input Samples/Data/chat.jsonl "
                    + "--tokenizer Samples/Data/mistral-v1 --template chatml --format json",
                "collate validate --model models/my-model --input chat.jsonl --spec seq2seq.json",
                "collate validate --config pipeline.json --format json",
            ],
            seeAlso: ["inspect", "train"]),
        CommandHelp(
            name: "train", summary: "A short dry run on a backend: validates, then prints the loss of every step.",
            discussion: "Validates the pipeline against the backend first (exit 1 with the diagnostics when it finds errors: no "
                + "step is taken), then prints one JSON line per optimizer step: {\"step\", \"loss\", \"tokens\", \"num_items\"}. "
                + "With --backend worker the batches train a transformers model in the worker process "
                + "(Sources/CollateBackends/Worker/collate_worker.py: --model DIR, or --tiny-llama for a random-init tiny Llama); "
                + "padding-free (flattened or packed) batches are sent only after the worker passes the boundary probe, and are "
                + "refused with the fix (use_cache=False) when it fails. A worker whose Python lacks torch or transformers is "
                + "reported with the install command. The pipeline file's \"backend\" key ({\"type\": \"worker\", \"worker\": "
                + "\"CMD ...\", \"timeout\": N}) sets the same; flags win.",
            options: [spec(required: false)] + dataOptions() + [
                OptionHelp("--backend", "BACKEND", "The model: the pure-Swift reference LM, or the PyTorch worker process (--worker).",
                           default: "reference", allowed: ["reference", "worker"]),
                OptionHelp("--worker", "\"CMD ...\"", "The worker's command line (quotes group words), for --backend worker; "
                               + "given alone it selects the worker "
                               + "(e.g. \"python3 Sources/CollateBackends/Worker/collate_worker.py --tiny-llama\")."),
                OptionHelp("--timeout", "SECONDS", "The longest the worker may take to start, and to answer each request; "
                               + "then it is killed and the run stops.", default: "600 to start, 300 per request"),
                OptionHelp("--tolerance", "X", "The boundary probe's largest accepted |alone - packed| difference, for padding-free "
                               + "batches on the worker (use ~0.05 for bf16).", default: "0.001"),
                OptionHelp("--steps", "N", "Optimizer steps to take.", required: true),
                OptionHelp("--batch-size", "N", "Examples per micro-batch.", default: "8"),
                OptionHelp("--accumulation", "N", "Micro-batches per optimizer step (gradient accumulation).", default: "1"),
                OptionHelp("--learning-rate", "X", "The optimizer's learning rate (the worker's optimizer: AdamW, or "
                               + "collate_worker.py --optimizer sgd).", default: "0.01"),
                OptionHelp("--seed", "N", "Seeds the reference model's weights (the worker takes --seed on its own command line).",
                           default: "0"),
                OptionHelp("--vocab-size", "N", "The reference model's vocabulary size.",
                           default: "one more than the largest id in the data"),
            ],
            examples: [
                "collate train --backend reference --spec Samples/Data/seq2seq.json "
                    + "--input Samples/Data/sft-mistral.jsonl --steps 3 --batch-size 4",
                "collate train --backend worker --worker \"python3 Sources/CollateBackends/Worker/collate_worker.py --tiny-llama\" "
                    + "--spec Samples/Data/flattening.json --input Samples/Data/sft-mistral.jsonl --steps 3 --batch-size 4",
            ],
            seeAlso: ["validate", "probe"]),
        CommandHelp(
            name: "probe", summary: "Check that a backend keeps packed sequences apart (alone vs packed).",
            discussion: "Runs a few sequences alone and packed into one padding-free row and compares the outputs. Exit 0 if "
                + "the backend keeps packed sequences apart, 1 if not (the packing-without-boundaries diagnostic with the "
                + "measured difference goes to stderr) or it cannot be run, 2 on usage errors.",
            options: [
                OptionHelp("--backend", "reference|\"WORKER COMMAND\"",
                           "'reference', or a worker command line (quotes group words).", required: true),
                OptionHelp("--vocab-size", "N", "Ids of the generated probe sequences are below N.",
                           default: "the worker's vocabulary; for reference, one more than the largest id of --input, or 64"),
                OptionHelp("--input", "PATH", "Probe with the input_ids of the first examples of a JSONL file (at least 2); "
                               + "'-' reads stdin.", default: "generated sequences"),
                OptionHelp("--tolerance", "X", "The largest accepted |alone - packed| difference (use ~0.05 for bf16).",
                           default: "0.001"),
                OptionHelp("--timeout", "SECONDS", "Per-request worker timeout.", default: "300"),
                OptionHelp("--flash-attn-kwargs", nil, "Send cu_seq_lens_q/k and max_length_q/k instead of position_ids."),
                OptionHelp("--format", "FORMAT", "The report as one JSON line or as lines for people.",
                           default: "json", allowed: ["json", "text"]),
            ],
            examples: ["collate probe --backend reference --format text"],
            seeAlso: ["train", "validate"]),
        CommandHelp(
            name: "inspect", summary: "Show what a batch trains, token by token, with statistics and diagnostics.",
            discussion: "Collates the first K examples as one batch and prints every sequence with its trained tokens marked "
                + "(green on a terminal; ⟦…⟧ otherwise, NO_COLOR turns colour off), the batch's tensors, its statistics and "
                + "the validator's diagnostics. --html also writes a self-contained report.",
            options: [spec(required: false)] + dataOptions() + backendOptions + [
                OptionHelp("-n", "K", "Examples to show, collated as one batch.", default: "4"),
                OptionHelp("--ids", nil, "Show (label,id) after every token."),
                OptionHelp("--html", "FILE", "Also write a self-contained HTML report."),
                OptionHelp("--batch-size", "N", "Batch size for the per-batch padding waste in the report.", default: "16"),
            ],
            examples: ["collate inspect --spec Samples/Data/seq2seq.json --input Samples/Data/chat.jsonl "
                + "--tokenizer Samples/Data/mistral-v1 --template mistral-inst -n 2"],
            seeAlso: ["validate", "chat"]),
        CommandHelp(
            name: "chat", summary: "Render conversations with a chat template; ids and assistant masks.",
            discussion: "Input lines are {\"messages\": [{\"role\": ..., \"content\": ...}, ...]} (with optional tools, "
                + "add_generation_prompt); output lines are {\"text\", \"input_ids\", \"assistant_masks\"}, identical to HF "
                + "apply_chat_template(..., return_assistant_tokens_mask=True).",
            options: [
                OptionHelp("--template", "NAME|PATH",
                           "A built-in format (\(ChatFormat.builtInNames.joined(separator: ", "))), or a model folder, its "
                               + "tokenizer_config.json or a .jinja file.", required: true),
                OptionHelp("--tokenizer", "PATH", "A tokenizer.json file or a folder holding one (and tokenizer_config.json).",
                           required: true),
                OptionHelp("--input", "PATH", "JSON Lines of conversations; '-' reads stdin.", required: true),
            ],
            examples: ["collate chat --template mistral-inst --tokenizer Samples/Data/mistral-v1 --input Samples/Data/chat.jsonl"],
            seeAlso: ["inspect", "tokenize"]),
    ]

    /// The help of the command named `name`, or `nil`.
    static func command(_ name: String) -> CommandHelp? { commands.first { $0.name == name } }

    /// What `collate --help` prints.
    static var rootText: String {
        var out = "OVERVIEW: Collate turns tokenized training examples into model-ready batches and proves, before the first\n"
        out += "training step, that they can produce a loss.\n\n"
        out += "USAGE: \(Tool.name) <subcommand> [options]\n\n"
        out += "OPTIONS:\n"
        out += "  --version".padding(toLength: column, withPad: " ", startingAt: 0) + "Show the version.\n"
        out += "  -h, --help".padding(toLength: column, withPad: " ", startingAt: 0) + "Show help information.\n\n"
        out += "SUBCOMMANDS:\n"
        for command in commands {
            out += ("  " + command.name).padding(toLength: column, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        out += "  help".padding(toLength: column, withPad: " ", startingAt: 0) + "Show a subcommand's help.\n"
        out += "  version".padding(toLength: column, withPad: " ", startingAt: 0) + "Show the version.\n"
        out += "\n  See '\(Tool.name) help <subcommand>' for detailed help.\n"
        return out
    }

    /// What `collate --version` prints.
    static var versionText: String { CollateVersion.current }

    // MARK: - Wrapping

    /// `text` wrapped to `width` columns, every line indented by `indent` spaces.
    static func wrap(_ text: String, width: Int, indent: Int) -> String {
        wrapWords(text.split(separator: " ").map(String.init), width: width, firstIndent: indent, indent: indent, leading: true)
    }

    /// Words joined with spaces into lines of at most `width` columns (a longer word stands
    /// alone); the first line assumes `firstIndent` columns are taken, the others are indented by `indent`.
    static func wrapWords(_ words: [String], width: Int, firstIndent: Int, indent: Int, leading: Bool = false) -> String {
        var lines: [String] = []
        var line = leading ? String(repeating: " ", count: firstIndent) : ""
        var used = firstIndent
        var empty = true
        for word in words {
            if !empty, used + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent)
                used = indent
                empty = true
            }
            line += (empty ? "" : " ") + word
            used += (empty ? 0 : 1) + word.count
            empty = false
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
