import Collate
import CollateData
import CollateInspection
import CollateTokenizers
import Foundation

/// `collate inspect --spec SPEC --input DATA [--tokenizer PATH] [--template NAME|PATH] [-n K] [--ids] [--html FILE]`:
/// shows what the first K examples train, token by token, with the batch's tensors, its
/// statistics and the validator's diagnostics.
///
/// DATA may be pre-tokenized or text / prompt-completion / Alpaca / messages JSONL (those need
/// `--tokenizer`, messages also `--template`). Colours only on a terminal; `NO_COLOR` turns
/// them off. `--html FILE` also writes a self-contained report.
enum InspectCommand {
    static var usage: String {
        """
            usage: \(Tool.name) inspect --spec SPEC.json --input DATA.jsonl [--tokenizer PATH] [--template NAME|PATH]
                                   [-n K] [--ids] [--html FILE] [--batch-size N]
                                   [--requires FIELD,...] [--vocab-size N] [--max-length N] [--no-padding-free]
                                   [--format F] [--train-on WHAT] [--config FILE] [--model DIR]

              -n K            examples (packed rows when the pipeline packs) to show, collated as one batch (default 4)
              --ids           show (label,id) after every token
              --html FILE     also write a self-contained HTML report
              --batch-size N  batch size for the per-batch padding waste in the report (default 16)
              backend flags as for '\(Tool.name) validate'; default: a training backend (--requires labels);
              --model DIR fills in the vocabulary size and maximum length
            \(DataFlags.usage)
            """
    }

    static func run(arguments: [String]) -> Int32 {
        let parsed: Arguments
        let count: Int, batchSize: Int
        let backend: BackendContract
        let values: DataFlags.Values
        do {
            parsed = try Arguments(
                arguments,
                options: BackendFlags.options.union(DataFlags.options).union(["-n", "--html"]),
                flags: BackendFlags.flags.union(["--ids"]))
            values = try DataFlags.values(parsed)
            if values.spec == nil && values.config == nil { throw UsageError("missing --spec") }
            count = try parsed.positiveInt("-n") ?? 4
            batchSize = try parsed.positiveInt("--batch-size") ?? 16
            backend = try BackendFlags.contract(from: parsed)
        } catch {
            Console.message("\(Tool.name) inspect: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        do {
            var configuration = try DataFlags.configuration(values)
            configuration.batchSize = nil
            let folder = try configuration.modelFolder()
            let tokenizer = try configuration.loadTokenizer(folder: folder)
            let run = try configuration.prepare()
            let collator = run.collator
            let inputPath = run.file
            let examples = run.examples
            let model = ModelDescription(model: configuration.model, folder: folder, tokenizer: tokenizer)
            var contract = backend
            if contract.vocabSize == nil { contract.vocabSize = model.vocabSize ?? tokenizer?.vocabularySize }
            if contract.maxLength == nil { contract.maxLength = model.maxLength }
            if !parsed.flag("--no-padding-free"), let paddingFree = model.paddingFree {
                contract.acceptsPaddingFree = paddingFree
            }

            let shownUnits = Array(run.units.prefix(count))
            let shown = run.plan == nil ? shownUnits : shownUnits.flatMap { (try? PackedRowsCollator.split($0, index: 0)) ?? [$0] }
            let batch: Batch
            do {
                batch = try collator.collate(shownUnits)
            } catch {
                throw run.locate(error, offset: 0)
            }
            try batch.checkStructure(contract: collator.contract, exampleCount: shownUnits.count)
            // A chat format whose markers the tokenizer splits is reported (template-tokens-missing).
            var rules = Validator.standardRules
            if let tokenizer, let chatFormat = run.chatFormat {
                rules.append(TemplateTokensMissingRule(chatFormat: chatFormat, tokenizer: tokenizer, tokenizerName: configuration.tokenizer?.path ?? folder?.url.path ?? "the tokenizer"))
            }
            // A template whose assistant turns cannot be delimited (template-turn-undelimited).
            if let chatFormat = run.chatFormat, let rule = TemplateTurnUndelimitedRule(chatFormat: chatFormat, tokenizer: tokenizer) { rules.append(rule) }
            let validator = Validator(rules: rules)
            let diagnostics = validator.validate(examples, collator: collator.contract, backend: contract)
                + validator.validate(batch: batch, exampleIndices: 0..<shown.count, collator: collator.contract, backend: contract)
            let report = run.report
            let text: @Sendable (Int32) -> String = { id in tokenizer.map { TokenDisplay.text(for: id, in: $0) } ?? " \(id)" }

            let view = TokenView(batch: batch)
            let statistics = BatchStatistics(batch: batch)
            let style: TokenView.TerminalStyle = Console.colorsEnabled ? .colored : .plain
            var out = "\(report.examples) examples in \(Arguments.namingStandardInput(inputPath)); collator \(collator.contract.name) (\(collator.contract.reference))\n"
            if let plan = run.plan {
                out += "packed \(plan.tokens) tokens into \(plan.binCount) rows of \(plan.capacity) (\(Inspect.percent(plan.efficiency)) full)\n"
            }
            out += run.plan == nil ? "showing the first \(shown.count), collated as one batch — " : "showing the first \(shownUnits.count) packed rows (\(shown.count) examples), collated as one batch — "
            out += TokenView.legend(style) + "\n\n"
            out += view.terminalText(text: text, style: style, showIDs: parsed.flag("--ids"))
            out += "\ntensors:\n"
            let nameWidth = max(16, batch.names.map(\.count).max() ?? 0)   // a long name (decoder_input_ids) is never cut
            for (name, tensor) in zip(batch.names, batch.tensors) {
                out += "  \(name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)) \(tensor.shape) \(tensor.dtype.rawValue)\n"
            }
            out += "\nstatistics:\n"
            out += "  padding waste       \(Inspect.percent(statistics.paddingWaste)) (\(statistics.positions - statistics.realTokens) of \(statistics.positions) positions)\n"
            out += "  trainable fraction  \(Inspect.percent(statistics.trainableFraction)) (\(statistics.trainedLabels) of \(statistics.realTokens) tokens)\n"
            out += "  num_items_in_batch  \(statistics.numItemsInBatch)\n"
            out += "\ndiagnostics:\n"
            out += diagnostics.isEmpty ? "  none: this pipeline can produce a loss\n" : diagnostics.map { "  \($0)\n" }.joined()
            let base = (collator as? PackedRowsCollator)?.base ?? collator
            let contradictions = model.contradictions(with: base.contract)
            if !contradictions.isEmpty {
                out += "\nmodel:\n" + contradictions.map { "  note: \($0)\n" }.joined()
            }
            if !report.skipped.isEmpty { out += "\n\(report)\n" }
            Console.output(out)
            Console.flush()

            if let htmlPath = parsed.value("--html") {
                let lengths = examples.map(\.inputIDs.count)
                let html = HTMLReport(
                    title: "\(Tool.name) inspect: \(URL(fileURLWithPath: Arguments.namingStandardInput(inputPath)).lastPathComponent) with \(collator.contract.name)",
                    view: view, tokenText: text,
                    tensors: zip(batch.names, batch.tensors).map { ($0, $1.shape, $1.dtype.rawValue) },
                    statistics: statistics, diagnostics: diagnostics, sequenceLengths: lengths,
                    waste: Inspect.waste(lengths: lengths, batchSize: batchSize), wasteBatchSize: batchSize)
                do {
                    try AtomicFile.writeThroughLinks(Array(html.html.utf8), to: URL(fileURLWithPath: htmlPath))
                } catch {
                    throw InputError(file: htmlPath, line: nil, reason: "cannot write the report: \(error.localizedDescription)")
                }
                Console.message("wrote \(htmlPath)")
            }
            return ExitStatus.success
        } catch {
            Console.flush()
            Console.message("\(Tool.name) inspect: \(error)")
            return ExitStatus.rejected
        }
    }
}

/// Small computations for the inspect views.
enum Inspect {
    static func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// Per batch of `batchSize` consecutive examples: the waste when padded to the longest,
    /// and when packed first-fit-decreasing into rows of that same length.
    static func waste(lengths: [Int], batchSize: Int) -> [HTMLReport.BatchWaste] {
        stride(from: 0, to: lengths.count, by: batchSize).map { start in
            let batch = lengths[start..<min(start + batchSize, lengths.count)]
            let longest = batch.max() ?? 0
            let tokens = batch.reduce(0, +)
            guard longest > 0 else { return HTMLReport.BatchWaste(padded: 0, packed: 0) }
            let padded = 1 - Double(tokens) / Double(batch.count * longest)
            let rows = firstFitDecreasingRows(Array(batch), capacity: longest)
            let packed = 1 - Double(tokens) / Double(rows * longest)
            return HTMLReport.BatchWaste(padded: padded, packed: packed)
        }
    }

    /// Rows needed to pack `lengths` first-fit-decreasing (each length ≤ capacity); a batch is small.
    static func firstFitDecreasingRows(_ lengths: [Int], capacity: Int) -> Int {
        var free: [Int] = []
        for length in lengths.sorted(by: >) {
            if let row = free.firstIndex(where: { $0 >= length }) { free[row] -= length } else { free.append(capacity - length) }
        }
        return free.count
    }
}
