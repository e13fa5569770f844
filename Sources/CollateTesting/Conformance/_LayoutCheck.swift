import Collate

/// Checks one produced batch against the examples it came from and the layout and label
/// source its contract declares. Reports at most one violation per tensor row.
struct _LayoutCheck {
    let contract: CollatorContract
    let examples: [Example]
    let batch: Batch
    let sample: Int
    var found: [ConformanceViolation] = []

    init(contract: CollatorContract, examples: [Example], batch: Batch, sample: Int) {
        self.contract = contract
        self.examples = examples
        self.batch = batch
        self.sample = sample
    }

    var ignore: Int32 { contract.ignoreIndex }

    mutating func report(_ requirement: ConformanceViolation.Requirement, _ message: String) {
        found.append(.init(requirement, sample: sample, message))
    }

    /// The first position where `actual` differs from `expected`, as a message, or `nil`.
    func firstDifference(_ name: String, row: Int, actual: ArraySlice<Int32>, expected: [Int32?], why: (Int) -> String) -> String? {
        for (offset, (got, want)) in zip(actual, expected).enumerated() {
            guard let want, got != want else { continue }
            return "\(name) row \(row), position \(offset): expected \(want) (\(why(offset))), got \(got)"
        }
        return nil
    }

    // MARK: - Padded

    mutating func padded(side: PaddingSide, padID: Int32) {
        let count = examples.count
        guard let inputs = batch["input_ids"] else { return }
        let rows = count * contract.rowsPerExample
        guard inputs.rank == 2, inputs.shape[0] == rows else {
            let each = contract.rowsPerExample == 1 ? "one row per example" : "\(contract.rowsPerExample) rows per example"
            return report(.layout, "input_ids has shape \(inputs.shape); a padded layout needs [\(rows), L], \(each)")
        }
        // Preference pairs: rows are built from prompt + response fields; only shapes and labels are generic.
        guard contract.rowsPerExample == 1 else { return paddedLabels(inputs: inputs, side: side) }
        guard !contract.rewritesInputIDs else {
            rewrittenInputs(inputs, side: side, padID: padID)
            return paddedLabels(inputs: inputs, side: side)
        }
        // A masked-LM collator replaces the tokens it selects; their labels hold the originals.
        let maskedLabels = contract.labelSource == .maskedTokens ? batch["labels"].flatMap { $0.shape == inputs.shape ? $0.scalars : nil } : nil
        let ignoreIndex = ignore
        func replaced(_ row: Int, _ column: Int) -> Bool {
            maskedLabels.map { $0[row * inputs.shape[1] + column] != ignoreIndex } ?? false
        }
        let width = inputs.shape[1]
        let lengths = examples.map(\.inputIDs.count)
        let longest = lengths.max() ?? 0
        if width < longest {
            return report(.layout, "input_ids is \(width) wide but example \(lengths.firstIndex(of: longest) ?? 0) has \(longest) tokens")
        }
        if let fixed = contract.fixedLength, width < fixed {
            report(.layout, "input_ids is \(width) wide but the contract's fixedLength is \(fixed)")
        }
        func tokenRange(_ length: Int, _ width: Int) -> Range<Int> {
            side == .right ? 0..<length : (width - length)..<width
        }
        for (row, example) in examples.enumerated() {
            let ids = example.inputIDs
            let range = tokenRange(ids.count, width)
            var expected = [Int32?](repeating: padID, count: width)
            for (offset, id) in ids.enumerated() { expected[range.lowerBound + offset] = replaced(row, range.lowerBound + offset) ? nil : id }
            if let message = firstDifference("input_ids", row: row, actual: inputs[row: row], expected: expected, why: {
                range.contains($0) ? "token \($0 - range.lowerBound) of example \(row)" : "\(side) padding with pad id \(padID)"
            }) {
                report(.layout, message)
            }
        }
        if let mask = batch["attention_mask"], mask.shape == inputs.shape {
            for row in 0..<count {
                let range = tokenRange(lengths[row], width)
                let expected: [Int32?] = (0..<width).map { range.contains($0) ? 1 : 0 }
                if let message = firstDifference("attention_mask", row: row, actual: mask[row: row], expected: expected, why: {
                    range.contains($0) ? "a real token" : "\(side) padding"
                }) {
                    report(.layout, message)
                }
            }
        } else if let mask = batch["attention_mask"] {
            report(.layout, "attention_mask has shape \(mask.shape) but input_ids has \(inputs.shape)")
        }
        paddedLabels(inputs: inputs, side: side)
    }

    /// `input_ids` the collator made from the examples (``CollatorContract/rewritesInputIDs``):
    /// only its padding can be checked — `attention_mask` one block of 1s on the token side, at
    /// least one token per row, the pad id wherever the mask is 0.
    mutating func rewrittenInputs(_ inputs: Tensor, side: PaddingSide, padID: Int32) {
        let width = inputs.shape[1]
        if let fixed = contract.fixedLength, width < fixed {
            report(.layout, "input_ids is \(width) wide but the contract's fixedLength is \(fixed)")
        }
        guard let mask = batch["attention_mask"], mask.shape == inputs.shape else { return }
        for row in 0..<inputs.shape[0] {
            let values = Array(mask[row: row])
            let tokens = values.filter { $0 != 0 }.count
            guard tokens > 0 else { report(.layout, "attention_mask row \(row) is all 0: the rewritten input of example \(row) has no token"); continue }
            let range = side == .right ? 0..<tokens : (width - tokens)..<width
            let expected: [Int32?] = (0..<width).map { range.contains($0) ? 1 : 0 }
            if let message = firstDifference("attention_mask", row: row, actual: mask[row: row], expected: expected, why: {
                range.contains($0) ? "one block of \(tokens) tokens on the \(side)" : "\(side) padding"
            }) {
                report(.layout, message); continue
            }
            let ids = Array(inputs[row: row])
            if let column = (0..<width).first(where: { !range.contains($0) && ids[$0] != padID }) {
                report(.layout, "input_ids row \(row), position \(column): expected \(padID) (\(side) padding with pad id \(padID), where attention_mask is 0), got \(ids[column])")
            }
        }
    }

    mutating func paddedLabels(inputs: Tensor, side: PaddingSide) {
        let count = examples.count
        let width = inputs.shape[1]
        let labels = batch["labels"]
        switch contract.labelSource {
        case .none:
            if labels != nil { report(.labels, "labelSource is .none but the batch has 'labels'") }
        case .sequenceClassLabels:
            let values = examples.map { $0.scalar("label") ?? $0.scalar("label_ids") }
            if values.allSatisfy({ $0 == nil }) {
                if labels != nil { report(.labels, "no example carries a class label, yet the batch has 'labels'") }
            } else if let labels {
                if labels.shape != [count] || labels.scalars != values.map({ $0 ?? ignore }) {
                    report(.labels, "labels should be the examples' class labels \(values.map { $0.map(String.init) ?? "nil" }) with shape [\(count)], got \(labels.scalars) with shape \(labels.shape)")
                }
            } else {
                report(.labels, "the examples carry class labels but the batch has no 'labels'")
            }
        case .copyOfInputIDs, .completionOfInputIDs:
            guard let labels else { return report(.labels, "labelSource is .\(contract.labelSource) but the batch has no 'labels'") }
            guard labels.shape == inputs.shape else {
                return report(.labels, "labels has shape \(labels.shape); a copy of input_ids must have its shape \(inputs.shape)")
            }
            let masking = contract.labelMaskingTokenID
            for (row, example) in examples.enumerated() {
                let length = example.inputIDs.count
                let range = side == .right ? 0..<length : (width - length)..<width
                let inputRow = Array(inputs[row: row])
                let labelRow = Array(labels[row: row])
                var trained = 0
                for column in 0..<width {
                    let got = labelRow[column]
                    let id = inputRow[column]
                    let place = "labels row \(row), position \(column)"
                    if !range.contains(column) {
                        if got != ignore {
                            let cause = inputRow[column] == got ? " (the pad id: padding labels must be the ignore index, or the model learns to predict padding)" : ""
                            report(.labels, "\(place): expected \(ignore) (\(side) padding), got \(got)\(cause)"); break
                        }
                    } else if let masking, id == masking {
                        if got != ignore { report(.labels, "\(place): expected \(ignore) (input id \(id) is the id the contract masks by), got \(got)"); break }
                    } else if contract.labelSource == .copyOfInputIDs, got != id {
                        report(.labels, "\(place): expected \(id) (a copy of input_ids), got \(got)"); break
                    } else if got != id && got != ignore {
                        report(.labels, "\(place): expected \(id) (trained) or \(ignore) (masked), got \(got), which is neither"); break
                    } else if got != ignore {
                        trained += 1
                    }
                }
                if contract.labelSource == .completionOfInputIDs, trained == 0, completionExpected(example.inputIDs, masking: masking) {
                    report(.labels, "labels row \(row) trains no token although example \(row) holds every template and tokens follow the response template")
                }
            }
        case .maskedInputIDs(let rule):
            guard let labels else { return report(.labels, "labelSource is .maskedInputIDs but the batch has no 'labels'") }
            guard labels.shape == inputs.shape else {
                return report(.labels, "labels has shape \(labels.shape) but input_ids has \(inputs.shape): labels masked from input_ids need one label per token, "
                              + "so the collator builds or pads labels to another width than input_ids")
            }
            let masking = contract.labelMaskingTokenID
            let padID: Int32? = if case .padded(_, let id, _) = contract.layout { id } else { nil }
            for (row, example) in examples.enumerated() {
                let ids = example.inputIDs
                guard let trainable = rule.trainable(in: example) else {
                    report(.labels, "the label rule (\(rule)) cannot be evaluated on example \(row) of this sample; it lacks a field the rule reads (\(rule.fields.joined(separator: ", ")))")
                    continue
                }
                let range = side == .right ? 0..<ids.count : (width - ids.count)..<width
                let labelRow = Array(labels[row: row])
                for column in 0..<width {
                    let got = labelRow[column]
                    let place = "labels row \(row), position \(column)"
                    guard range.contains(column) else {
                        if got != ignore {
                            let cause = got == padID ? " (the pad id: padding labels must be the ignore index, or the model learns to predict padding)" : ""
                            report(.labels, "\(place): expected \(ignore) (\(side) padding), got \(got)\(cause)"); break
                        }
                        continue
                    }
                    let token = column - range.lowerBound
                    let id = ids[token]
                    if let masking, id == masking {
                        if got != ignore { report(.labels, "\(place): expected \(ignore) (input id \(id) is the id the contract masks by), got \(got)"); break }
                    } else if trainable[token] {
                        if got != id { report(.labels, "\(place): expected \(id) (token \(token) of example \(row), which the label rule trains: \(rule)), got \(got)"); break }
                    } else if got != ignore {
                        report(.labels, "\(place): expected \(ignore) (token \(token) of example \(row), which the label rule masks: \(rule)), got \(got)"); break
                    }
                }
            }
        case .generatedTargets:
            // Targets of their own length: each row trains a token, and its padding is not the pad id.
            guard let labels else { return report(.labels, "labelSource is .generatedTargets but the batch has no 'labels'") }
            guard labels.rank == 2, labels.shape[0] == inputs.shape[0] else {
                return report(.labels, "labels has shape \(labels.shape); generated targets are [\(inputs.shape[0]), T], one row per input_ids row")
            }
            let padID: Int32? = if case .padded(_, let id, _) = contract.layout, id != ignore { id } else { nil }
            for row in 0..<labels.shape[0] {
                let values = Array(labels[row: row])
                guard values.contains(where: { $0 != ignore }) else {
                    report(.labels, "labels row \(row) trains no token: every generated target must hold at least one (e.g. EOS)"); continue
                }
                guard let padID else { continue }
                let tail = side == .right ? values.reversed().prefix { $0 == padID }.count : values.prefix { $0 == padID }.count
                if tail > 0 {
                    let column = side == .right ? values.count - tail : 0
                    report(.labels, "labels row \(row), position \(column): expected \(ignore) (\(side) padding), got \(padID) (the pad id: padding labels must be the ignore index, or the model learns to predict padding)")
                }
            }
        case .maskedTokens:
            // Labels hold the original id where a token was selected for masking, else the ignore index.
            guard let labels else { return report(.labels, "labelSource is .maskedTokens but the batch has no 'labels'") }
            guard labels.shape == inputs.shape else {
                return report(.labels, "labels has shape \(labels.shape); masked-token labels must have input_ids' shape \(inputs.shape)")
            }
            for (row, example) in examples.enumerated() {
                let original = example.inputIDs
                let start = side == .right ? 0 : width - original.count
                let expected: [Int32?] = (0..<width).map { column in
                    let offset = column - start
                    return offset >= 0 && offset < original.count ? nil : ignore
                }
                if let message = firstDifference("labels", row: row, actual: labels[row: row], expected: expected, why: { _ in "padding with the ignore index" }) {
                    report(.labels, message)
                }
                for (offset, id) in original.enumerated() {
                    let got = labels.scalars[row * width + start + offset]
                    if got != ignore && got != id {
                        report(.labels, "labels row \(row), position \(start + offset): expected \(id) (the original token) or \(ignore), got \(got)")
                        break
                    }
                }
            }
        case .responsesOfPreferencePairs:
            // Rows are chosen then rejected (2B); every label is its input id or the ignore index.
            guard let labels else { return report(.labels, "labelSource is .responsesOfPreferencePairs but the batch has no 'labels'") }
            guard labels.shape == inputs.shape else {
                return report(.labels, "labels has shape \(labels.shape); it must have input_ids' shape \(inputs.shape)")
            }
            if let index = labels.scalars.indices.first(where: { labels.scalars[$0] != ignore && labels.scalars[$0] != inputs.scalars[$0] }) {
                report(.labels, "labels position \(index): expected \(inputs.scalars[index]) (the response token) or \(ignore), got \(labels.scalars[index])")
            }
        case .examples, .examplesOrInputIDs:
            guard let labels else {
                if contract.labelSource == .examplesOrInputIDs || examples.allSatisfy({ $0.has("labels") }) {
                    report(.labels, "the examples carry labels but the batch has no 'labels'")
                }
                return
            }
            let sources: [[Int32]?] = examples.map { $0.labels ?? (contract.labelSource == .examplesOrInputIDs ? $0.inputIDs : nil) }
            guard labels.rank == 2, labels.shape[0] == count else {
                return report(.labels, "labels has shape \(labels.shape); padded token labels need [\(count), L]")
            }
            let labelWidth = labels.shape[1]
            for (row, source) in sources.enumerated() {
                guard let source else { continue }
                guard source.count <= labelWidth else {
                    report(.labels, "labels is \(labelWidth) wide but example \(row) has \(source.count) labels"); continue
                }
                let range = side == .right ? 0..<source.count : (labelWidth - source.count)..<labelWidth
                var expected = [Int32?](repeating: ignore, count: labelWidth)
                for (offset, value) in source.enumerated() { expected[range.lowerBound + offset] = value }
                if let message = firstDifference("labels", row: row, actual: labels[row: row], expected: expected, why: {
                    range.contains($0) ? "label \($0 - range.lowerBound) of example \(row)" : "\(side) padding with the ignore index"
                }) {
                    report(.labels, message)
                }
            }
        }
    }

    /// Whether a completion collator should train something in `ids`: every template occurs
    /// and a token other than the masking id follows the last response template.
    func completionExpected(_ ids: [Int32], masking: Int32?) -> Bool {
        guard let response = contract.requiredTemplates.first, !response.isEmpty, ids.count >= response.count else { return false }
        for template in contract.requiredTemplates where !template.isEmpty {
            guard ids.count >= template.count, (0...(ids.count - template.count)).contains(where: { ids[$0..<($0 + template.count)].elementsEqual(template) }) else { return false }
        }
        guard let last = (0...(ids.count - response.count)).last(where: { ids[$0..<($0 + response.count)].elementsEqual(response) }) else { return false }
        return ids[(last + response.count)...].contains { $0 != masking }
    }

    // MARK: - Padding-free

    mutating func paddingFree() {
        let sequences = examples.map(\.inputIDs)
        let total = sequences.reduce(0) { $0 + $1.count }
        guard let inputs = batch["input_ids"] else { return }
        guard inputs.shape == [1, total] else {
            return report(.layout, "input_ids has shape \(inputs.shape); a padding-free batch of \(sequences.count) sequences holding \(total) tokens is [1, \(total)]")
        }
        let concatenated = sequences.flatMap { $0 }
        if let message = firstDifference("input_ids", row: 0, actual: inputs.scalars[...], expected: concatenated, why: { _ in "the examples' input_ids concatenated" }) {
            report(.layout, message)
        }
        var starts: [Int] = []
        var offset = 0
        for sequence in sequences {
            starts.append(offset)
            offset += sequence.count
        }
        let positions = sequences.flatMap { $0.indices.map(Int32.init) }
        let sequenceIndex = sequences.enumerated().flatMap { index, sequence in Array(repeating: Int32(index), count: sequence.count) }
        let cumulative = (starts + [total]).map(Int32.init)
        let longest = Int32(sequences.map(\.count).max() ?? 0)
        let derived: [(String, [Int32], String)] = [
            ("position_ids", positions, "positions restart at 0 at every sequence"),
            ("seq_idx", sequenceIndex, "the index of each token's sequence"),
            ("cu_seq_lens_q", cumulative, "cumulative sequence lengths"),
            ("cu_seq_lens_k", cumulative, "cumulative sequence lengths"),
            ("max_length_q", [longest], "the longest sequence"),
            ("max_length_k", [longest], "the longest sequence"),
        ]
        for (name, expected, why) in derived {
            guard let tensor = batch[name] else { continue }
            guard tensor.scalars.count == expected.count else {
                report(.layout, "\(name) holds \(tensor.scalars.count) values; \(why) gives \(expected.count): \(expected)"); continue
            }
            if let message = firstDifference(name, row: 0, actual: tensor.scalars[...], expected: expected, why: { _ in why }) {
                report(.layout, message)
            }
        }
        if let mask = batch["attention_mask"], mask.scalars.contains(where: { $0 != 1 }) {
            report(.layout, "a padding-free batch has no padding, yet attention_mask holds a value other than 1")
        }

        let labels = batch["labels"]
        let masking = contract.labelMaskingTokenID
        let sources: [[Int32]]?
        switch contract.labelSource {
        case .none, .sequenceClassLabels:
            if contract.labelSource == .none, labels != nil { report(.labels, "labelSource is .none but the batch has 'labels'") }
            return
        case .copyOfInputIDs, .completionOfInputIDs:
            sources = nil
        case .maskedInputIDs(let rule):
            let ruled = examples.map { rule.labels(for: $0, ignoreIndex: ignore) }
            guard ruled.allSatisfy({ $0 != nil }) else {
                return report(.labels, "the label rule (\(rule)) cannot be evaluated on every example of this sample; it lacks a field the rule reads")
            }
            // The rule's mask, then the contract's masking by id, as the validator predicts them.
            sources = zip(ruled, sequences).map { labels, ids in
                zip(labels ?? [], ids).map { label, id in masking == id ? ignore : label }
            }
        case .maskedTokens, .responsesOfPreferencePairs, .generatedTargets:
            // Neither built-in collator of these kinds is padding-free, and generated targets are
            // not aligned with the tokens; nothing more to compare.
            return
        case .examples:
            guard examples.allSatisfy({ $0.has("labels") }) else { return }
            sources = examples.compactMap(\.labels)
        case .examplesOrInputIDs:
            sources = examples.first?.has("labels") == true ? examples.map { $0.labels ?? $0.inputIDs } : sequences
        }
        guard let labels else { return report(.labels, "labelSource is .\(contract.labelSource) but the batch has no 'labels'") }
        guard labels.shape == inputs.shape else {
            return report(.labels, "labels has shape \(labels.shape); it must match input_ids \(inputs.shape)")
        }
        // The first label of each sequence is a boundary marker (HF's separator_id, TRL's -100) and is not checked.
        for (index, sequence) in sequences.enumerated() {
            for position in sequence.indices.dropFirst() {
                let flat = starts[index] + position
                let got = labels.scalars[flat]
                let id = sequence[position]
                let place = "labels position \(flat) (sequence \(index), token \(position))"
                if let sources {
                    let source = sources[index]
                    guard position < source.count else { break }
                    if got != source[position] {
                        let why: String
                        if case .maskedInputIDs(let rule) = contract.labelSource {
                            why = "token \(position) of example \(index), which the label rule \(source[position] == ignore ? "masks" : "trains"): \(rule)"
                        } else {
                            why = "label \(position) of example \(index)"
                        }
                        report(.labels, "\(place): expected \(source[position]) (\(why)), got \(got)"); break
                    }
                } else if let masking, id == masking {
                    if got != ignore { report(.labels, "\(place): expected \(ignore) (input id \(id) is the id the contract masks by), got \(got)"); break }
                } else if contract.labelSource == .copyOfInputIDs, got != id {
                    report(.labels, "\(place): expected \(id) (a copy of input_ids), got \(got)"); break
                } else if got != id && got != ignore {
                    report(.labels, "\(place): expected \(id) (trained) or \(ignore) (masked), got \(got), which is neither"); break
                }
            }
        }
    }
}
