import Collate
import CollateData
import CollateBackends
import Foundation

/// `collate probe --backend BACKEND [...]`: puts a backend through the boundary probe — a few
/// sequences run alone and packed into one padding-free row — and prints the report.
///
/// BACKEND is `reference` (the pure-Swift reference LM) or a worker command line, e.g.
/// `"python3 Sources/CollateBackends/Worker/collate_worker.py --config tiny.json"`.
/// Exit 0 when the backend keeps packed sequences apart, 1 when it does not (the
/// `packing-without-boundaries` diagnostic with the measured difference goes to stderr) or
/// cannot be run, 2 on usage errors.
enum ProbeCommand {
    static var usage: String {
        """
            usage: \(Tool.name) probe --backend reference|"WORKER COMMAND" [--vocab-size N] [--input EXAMPLES.jsonl]
                                 [--tolerance X] [--timeout SECONDS] [--flash-attn-kwargs] [--format json|text]
              --backend            'reference', or a worker command line (quotes group words), e.g.
                                   "python3 Sources/CollateBackends/Worker/collate_worker.py --config tiny.json"
              --vocab-size N       ids of the generated probe sequences are below N (default: the worker's vocabulary; for
                                   reference, one more than the largest id of --input, or 64)
              --input FILE         probe with the input_ids of the first examples of a JSONL file instead (at least 2;
                                   '-' reads stdin)
              --tolerance X        largest accepted |alone - packed| difference (default 0.001; use ~0.05 for bf16)
              --timeout SECONDS    worker timeout for its start-up and for each request (default 300)
              --flash-attn-kwargs  send cu_seq_lens_q/k and max_length_q/k instead of position_ids
              --format json|text   the report as one JSON line (default) or as lines for people
            exit 0 if the backend keeps packed sequences apart, 1 if not
            """
    }

    static func run(arguments: [String]) -> Int32 {
        let backendText: String, vocabSize: Int?, tolerance: Double, timeout: Int, inputPath: String?, flash: Bool, text: Bool
        do {
            let parsed = try Arguments(
                arguments, options: ["--backend", "--vocab-size", "--input", "--tolerance", "--timeout", "--format"],
                flags: ["--flash-attn-kwargs"])
            backendText = try parsed.required("--backend")
            vocabSize = try parsed.positiveInt("--vocab-size")
            if let vocabSize, vocabSize < 2 {
                throw UsageError("--vocab-size must be at least 2 (a probe needs two different tokens), got \(vocabSize)")
            }
            timeout = try parsed.positiveInt("--timeout") ?? 300
            inputPath = parsed.value("--input")
            flash = parsed.flag("--flash-attn-kwargs")
            if let text = parsed.value("--tolerance") {
                guard let value = Double(text), value >= 0, value.isFinite else {
                    throw UsageError("--tolerance must be a non-negative number, got '\(text)'")
                }
                tolerance = value
            } else {
                tolerance = BoundaryProbe.defaultTolerance
            }
            let format = parsed.value("--format") ?? "json"
            guard format == "json" || format == "text" else { throw UsageError("--format must be json or text, got '\(format)'") }
            text = format == "text"
        } catch {
            Console.message("\(Tool.name) probe: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        let command: [String]
        do {
            command = try splitCommand(backendText)
        } catch {
            Console.message("\(Tool.name) probe: \(error)\n\(usage)")
            return ExitStatus.usage
        }
        let collator = flash
            ? FlatteningCollator(returnPositionIDs: false, returnFlashAttentionKwargs: true) : FlatteningCollator()

        do {
            var sequences: [[Int32]]?
            if let inputPath {
                let records = try Inputs.examples(path: inputPath)
                sequences = records.prefix(4).map(\.example.inputIDs)
            }
            func probe(vocabulary: Int) -> BoundaryProbe {
                if let sequences { return BoundaryProbe(sequences: sequences, tolerance: tolerance, collator: collator) }
                return BoundaryProbe(vocabSize: vocabulary, tolerance: tolerance, collator: collator)
            }
            let report: BoundaryProbeReport
            if command == ["reference"] {
                // Probing with a file's sequences: the vocabulary must hold their ids.
                let largest = sequences?.lazy.flatMap { $0 }.max().map { Int($0) + 1 }
                let vocabulary = vocabSize ?? max(largest ?? 64, 2)
                try ReferenceModelError.checkVocabSize(vocabulary)
                report = try probe(vocabulary: vocabulary).run(ReferenceLanguageModel(vocabSize: vocabulary))
            } else {
                ExternalBackend.endWorkersOnSignals()
                let backend = try ExternalBackend(configuration: .init(command: command, startupTimeout: .seconds(timeout), requestTimeout: .seconds(timeout)))
                defer { backend.close() }
                Console.message("\(Tool.name) probe: \(backend.worker.name), model \(backend.worker.raw["model"]?.jsonText ?? "unknown")")
                let vocabulary = vocabSize ?? backend.worker.vocabSize ?? 64
                guard vocabulary >= 2 else {
                    throw InputError(file: command.joined(separator: " "), line: nil,
                                     reason: "the worker reports a vocabulary of \(vocabulary) ids; a probe needs at least 2 (pass --vocab-size)")
                }
                report = try backend.probeBoundaries(probe(vocabulary: vocabulary))
            }
            Console.output(text ? textReport(report) : report.jsonText)
            Console.flush()
            if let diagnostic = report.diagnostic {
                Console.message(diagnostic.description)
                return ExitStatus.rejected
            }
            Console.message("\(Tool.name) probe: passed — packed sequences match their alone runs within \(tolerance) "
                + "(max difference \(report.maxDifference) over \(report.compared.rawValue))")
            return ExitStatus.success
        } catch {
            Console.message("\(Tool.name) probe: \(error)")
            return ExitStatus.rejected
        }
    }

    /// The report for people (`--format text`): the verdict, then one line per sequence.
    static func textReport(_ report: BoundaryProbeReport) -> String {
        var lines = ["boundary probe \(report.passed ? "passed" : "failed"): max |alone - packed| \(report.maxDifference) "
            + "over \(report.compared.rawValue), tolerance \(report.tolerance)"]
        for (index, difference) in report.differences.enumerated() {
            let length = index < report.sequenceLengths.count ? " (\(report.sequenceLengths[index]) tokens)" : ""
            lines.append("  sequence \(index)\(length): \(difference)\(difference > report.tolerance ? "  exceeds the tolerance" : "")")
        }
        return lines.joined(separator: "\n")
    }

    /// Splits a command line into words: whitespace separates, single or double quotes group,
    /// a backslash escapes the next character (no variables, globs or other shell syntax).
    /// - Parameter option: The option the text came from, for messages.
    /// - Throws: ``UsageError`` for an empty command or an unterminated quote.
    static func splitCommand(_ text: String, option: String = "--backend") throws(UsageError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw UsageError("\(option) has an unterminated quote or a trailing backslash: \(text)") }
        if inWord { words.append(current) }
        guard !words.isEmpty else {
            throw UsageError(option == "--backend" ? "--backend is empty; give 'reference' or a worker command" : "\(option) is empty; give the worker's command line")
        }
        return words
    }
}
